/**
 * Example pages: the digitized traces drawn over the page image they came
 * from. A stage writes, in a cell's artifacts/<stage>/ folder, an image and
 * a traces file (format in docs/compare.md):
 *
 *   example.png   the page (or crop) the stage digitized
 *   example.json  { "version": 1, "image": "example.png",
 *                   "leads": [{ "lead": "II", "points": [[x, y], ...],
 *                               "reference": [[x, y], ...] }] }
 *
 * points and reference are in pixels of the image (x right, y down); a null
 * point breaks the line. Cells without these files are skipped. The contract's
 * types are example-traces.ts's: the digitizer stage writes it
 * (train/stages/example-page.ts), the report reads it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { EcgError } from '../core/errors.js';
import { reportMessages as msg } from '../core/messages.js';
import { textPath } from '../core/text-outline.js';
import { svgToPng } from './render-plot.js';
import type { CellResult } from './run-set.js';
import { EXAMPLE_JSON, type ExampleTrace, type ExampleTraces, type TracePoint } from './example-traces.js';

/** An example page drawn for a report: the image with its traces over it, as SVG. */
export interface ExampleOverlay {
  cell: string;
  stage: string;
  svg: string;
  width: number;
  height: number;
}

/** Every example page of the cells that have one, first per cell and stage. */
export async function examplePages(cells: readonly CellResult[]): Promise<ExampleOverlay[]> {
  const pages: ExampleOverlay[] = [];
  for (const cell of cells) {
    const dir = cell.artifactsDir;
    if (!dir || !existsSync(dir)) continue;
    for (const stage of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      const file = join(dir, stage, EXAMPLE_JSON);
      if (!existsSync(file)) continue;
      pages.push({ cell: cell.cellId, stage, ...(await overlaySvg(file)) });
    }
  }
  return pages;
}

export function parseTraces(text: string, file: string): ExampleTraces {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new EcgError('REPORT_INVALID', msg.badTraces(file, (cause as Error).message), { cause });
  }
  const t = data as Partial<ExampleTraces>;
  if (t.version !== 1) throw new EcgError('REPORT_INVALID', msg.badTraces(file, `version must be 1, not ${JSON.stringify(t.version)}`));
  if (typeof t.image !== 'string') throw new EcgError('REPORT_INVALID', msg.badTraces(file, '"image" must name the image file beside it'));
  if (!Array.isArray(t.leads) || t.leads.some((l) => typeof l?.lead !== 'string' || !Array.isArray(l.points))) {
    throw new EcgError('REPORT_INVALID', msg.badTraces(file, '"leads" must be a list of { lead, points: [[x, y], ...] }'));
  }
  return t as ExampleTraces;
}

/** The image with the traces over it, as SVG (image inlined as a data URI). */
export async function overlaySvg(tracesPath: string): Promise<{ svg: string; width: number; height: number }> {
  const traces = parseTraces(await readFile(tracesPath, 'utf8'), tracesPath);
  const imagePath = join(tracesPath, '..', traces.image);
  const image = await readFile(imagePath);
  const meta = await sharp(image).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const png = meta.format === 'png' ? image : await sharp(image).png().toBuffer();
  const lines = traces.leads.flatMap((lead) => [
    ...(lead.reference ? segments(lead.reference).map((s) => polyline(s, '#1f77b4', '4 3')) : []),
    ...segments(lead.points).map((s) => polyline(s, '#d62728')),
    label(lead),
  ]);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<image width="${width}" height="${height}" xlink:href="data:image/png;base64,${png.toString('base64')}"/>${lines.join('')}</svg>`;
  return { svg, width, height };
}

export async function overlayPng(tracesPath: string, scale = 1): Promise<Buffer> {
  return svgToPng((await overlaySvg(tracesPath)).svg, scale);
}

function segments(points: readonly TracePoint[]): (readonly [number, number])[][] {
  const out: (readonly [number, number])[][] = [[]];
  for (const p of points) {
    if (p === null || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) out.push([]);
    else out[out.length - 1]?.push(p);
  }
  return out.filter((s) => s.length > 1);
}

function polyline(points: readonly (readonly [number, number])[], colour: string, dash?: string): string {
  const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
  return `<polyline fill="none" stroke="${colour}" stroke-width="1.5" stroke-opacity="0.85"${dashAttr} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

function label(lead: ExampleTrace): string {
  const first = lead.points.find((p): p is readonly [number, number] => p !== null);
  if (!first) return '';
  return `<g fill="#d62728">${textPath({ text: lead.lead, x: first[0] + 2, y: first[1] - 6, size: 11 })}</g>`;
}
