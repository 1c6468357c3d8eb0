/**
 * How a trained cell digitizes pages ecg-lab did not draw (issue 18):
 * ecg-image-kit's pages of 16 PTB-XL records in ../shared/reference/kit-pages
 * (clean PNGs and augmented JPEGs, 200 DPI, 3x4 + lead II rhythm strip),
 * read with the same inference path as `ecg-lab digitize` and scored with the
 * challenge SNR (src/metrics: September 2024 alignment) against the source
 * records, each reference lead masked to the samples the page plots (the
 * kit's JSON start_sample/end_sample per panel), as the Challenge scored its
 * pages. These pages are for evaluation only: nothing here trains on them.
 *
 *   node --import tsx bench/foreign-pages.ts --model <experiment>/<sweep>/<cell> [--runs runs] [--set clean,augmented,ecg-lab] [--geometry found,scale,grid,image,kit-time,kit] [--flatten-mm MM] [--distort NAME=VALUE,...] [--rectify rotation|perspective]
 *
 * --rectify is `digitize --rectify`: what deskew undoes (default the cell's
 * digitizer.rectify; 'rotation' for a cell written before that key).
 *
 * --distort overrides render.distort.<NAME> (a strength >= 0, 0: off) for
 * the ecg-lab set, e.g. `--distort perspective=0,wrinkles=0,creases=0`: the
 * same cell on pages without one distortion, to tell which of a noisy page's
 * distortions its SNR goes to.
 *
 * --flatten-mm is `digitize --flatten-mm` (default DEFAULT_FLATTEN_MM; 0:
 * the page as decoded): the paper's shadows divided out before the leads
 * are found and read (page/flatten-background.ts).
 *
 * --geometry says where the leads' placements come from, to tell where the
 * SNR goes: `found` (default) is what `digitize` does (deskew, the ROI
 * model's boxes, the median row as 0 mV); `scale` is `digitize --time-axis
 * page-scale` (each row's time axis at the page's px per second, placed by
 * the ROI boxes); `grid` is `--time-axis grid` (the same at the px per second
 * of the grid found in the image); `image` is `--time-axis image` (each
 * row's start from its calibration pulse or ink and its px per second from
 * the grid, page/geometry row-starts.ts); `kit-time` takes each panel's
 * time span (first and last plotted column) from the kit's JSON and keeps
 * the ROI model's row band and the median baseline; `kit` also takes the
 * 0 mV row from the JSON (the plotted rows against the reference's values
 * at the page's 10 mm/mV) and reads with it. The JSON's plotted pixels are
 * the page's ground truth; they only place the crops, the digitizer still
 * reads every trace. `--set ecg-lab` adds pages ecg-lab draws itself
 * (ecgLabPages), the check that a geometry does not only fit the kit's look.
 * Only pages whose JSON has lead boxes (the clean ones:
 * the augmented pages are rotated, and an axis-aligned crop cannot follow
 * them) are read with the kit's geometry.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backend/index.js';
import { LEADS, type Lead } from '../src/core/ecg.js';
import { silentLogger } from '../src/core/logger.js';
import { readEcgRecord } from '../src/data/wfdb-ecg.js';
import { DEFAULT_FLATTEN_MM, inferImage, RECTIFY_METHODS, type RectifyMethod, type TimeAxis } from '../src/inference/infer-image.js';
import { loadTrainedCell, readCellConfig, resolveCellRef } from '../src/inference/load-cell.js';
import { recordSnr, snrSummary } from '../src/metrics/index.js';
import { normalizeRenderOptions, plottedSignals, renderPage } from '../src/render/index.js';
import type { ImageSize } from '../src/page/grey-image.js';
import type { LeadPlacement } from '../src/page/lead-placement.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KIT = resolve(ROOT, '..', 'shared', 'reference', 'kit-pages');
const ECG_LAB_RECORDS = resolve(ROOT, '..', 'shared', 'data', 'ptb-xl', 'records100', '00000');

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    runs: { type: 'string', default: process.env.ECG_LAB_RUNS ?? 'runs' },
    set: { type: 'string', default: 'clean,augmented' },
    geometry: { type: 'string', default: 'found' },
    'flatten-mm': { type: 'string', default: String(DEFAULT_FLATTEN_MM) },
    distort: { type: 'string', default: '' },
    rectify: { type: 'string' },
  },
});
if (!values.model) {
  console.error('usage: node --import tsx bench/foreign-pages.ts --model <experiment>/<sweep>/<cell> [--runs runs] [--set clean,augmented,ecg-lab] [--geometry found,scale,grid,image,kit-time,kit] [--flatten-mm MM] [--distort NAME=VALUE,...] [--rectify rotation|perspective]');
  process.exit(2);
}

interface KitPanel {
  readonly lead_name: string;
  readonly start_sample: number;
  readonly end_sample: number;
  /** [row, column] of each plotted sample, page pixels. */
  readonly plotted_pixels?: readonly (readonly [number, number])[];
  readonly lead_bounding_box?: unknown;
}

interface KitPage {
  readonly width: number;
  readonly height: number;
  readonly resolution: number;
  readonly leads: readonly KitPanel[];
}

type Geometry = 'found' | 'scale' | 'grid' | 'image' | 'kit-time' | 'kit';
const GEOMETRIES: readonly Geometry[] = ['found', 'scale', 'grid', 'image', 'kit-time', 'kit'];
const TIME_AXIS_OF = { found: 'boxes', scale: 'page-scale', grid: 'grid', image: 'image', 'kit-time': 'boxes', kit: 'boxes' } as const satisfies Record<Geometry, TimeAxis>;
const geometries = (values.geometry as string).split(',') as Geometry[];
const flattenMm = Number(values['flatten-mm']);
if (!(flattenMm >= 0)) throw new Error(`--flatten-mm ${values['flatten-mm']}: a number of mm >= 0 (0: the page as decoded)`);
const rectify = values.rectify as RectifyMethod | undefined;
if (rectify !== undefined && !RECTIFY_METHODS.includes(rectify)) throw new Error(`--rectify ${rectify}: one of ${RECTIFY_METHODS.join(', ')}`);
for (const g of geometries) if (!GEOMETRIES.includes(g)) throw new Error(`--geometry ${g}: one of ${GEOMETRIES.join(', ')}`);

/** --distort NAME=VALUE,...: render.distort strengths for the ecg-lab set. */
const distortOverrides: Record<string, number> = {};
for (const item of (values.distort as string).split(',').filter((x) => x !== '')) {
  const [name, value] = item.split('=');
  const names = Object.keys(normalizeRenderOptions().distort);
  if (name === undefined || !names.includes(name) || value === undefined || !(Number(value) >= 0)) {
    throw new Error(`--distort ${item}: NAME=VALUE with NAME one of ${names.join(', ')} and VALUE a number >= 0`);
  }
  distortOverrides[name] = Number(value);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

/**
 * Placements from the kit's ground truth on a page of `size` (the cell's
 * page, the kit page stretched to it): per panel, the columns of its first
 * and last plotted sample give the time axis; with `baseline`, the 0 mV row
 * is the median of row + value x px/mV over its samples, and the row band
 * is the found placement's height about it; otherwise the found placement's
 * band and baseline are kept.
 */
function kitPlacements(page: KitPage, reference: readonly Float32Array[], fsHz: number, size: ImageSize, found: readonly LeadPlacement[], baseline: boolean): LeadPlacement[] {
  const sx = (size.width - 1) / (page.width - 1);
  const sy = (size.height - 1) / (page.height - 1);
  const kitPxPerMv = (10 * page.resolution) / 25.4;
  return found.map((lead) => {
    const panel = page.leads.find((p) => p.lead_name === LEADS[lead.leadIndex] && Math.abs(p.start_sample / fsHz - lead.startS) < 1e-6 && Math.abs(p.end_sample / fsHz - lead.endS) < 1e-6);
    const points = panel?.plotted_pixels;
    if (!panel || !points || points.length < 2) throw new Error(`kit page has no panel of ${LEADS[lead.leadIndex]} at ${lead.startS}-${lead.endS} s`);
    const n = points.length;
    const first = (points[0] as readonly [number, number])[1];
    const step = ((points[n - 1] as readonly [number, number])[1] - first) / (n - 1);
    const x1 = first * sx;
    const x2 = (first + step * (panel.end_sample - panel.start_sample)) * sx;
    const box = { ...lead.box, x1: x1 / (size.width - 1), x2: x2 / (size.width - 1) };
    if (!baseline) return { ...lead, box };
    const signal = reference[lead.leadIndex] as Float32Array;
    const zero = median(points.map(([row], i) => row + (signal[panel.start_sample + i] as number) * kitPxPerMv)) * sy;
    const top = lead.box.y1 * (size.height - 1);
    const bottom = lead.box.y2 * (size.height - 1);
    const fraction = (lead.baselineY - top) / Math.max(1, bottom - top);
    const y1 = zero - fraction * (bottom - top);
    return { ...lead, box: { ...box, y1: y1 / (size.height - 1), y2: (y1 + bottom - top) / (size.height - 1) }, baselineY: zero };
  });
}

/** The reference with every sample the page does not plot set to NaN (per lead: the union of its panels' ranges). */
function maskedReference(signals: readonly Float32Array[], page: KitPage): Float32Array[] {
  return LEADS.map((lead, l) => {
    const source = signals[l] as Float32Array;
    const out = new Float32Array(source.length).fill(Number.NaN);
    for (const panel of page.leads.filter((p) => p.lead_name === lead)) {
      for (let i = panel.start_sample; i < Math.min(panel.end_sample, source.length); i++) out[i] = source[i] as number;
    }
    return out;
  });
}

await selectBackend('auto', silentLogger);
const cellRef = await resolveCellRef(values.model, resolve(values.runs as string), process.cwd());
const config = await readCellConfig(cellRef);
const cell = await loadTrainedCell(cellRef, { digitize: true, classify: false, logger: silentLogger });
console.log(`cell ${cellRef.label}: render.noise ${config.render.noise}, trained on ${config.data.source}, ${config.render.dpi} DPI pages`);
/** One page to read: its image, the reference it is scored against (unplotted samples NaN), and the kit's JSON where it has one. */
interface ScoredPage {
  readonly name: string;
  readonly image: string;
  readonly reference: Float32Array[];
  readonly fsHz: number;
  readonly kit?: { readonly page: KitPage; readonly signals: readonly Float32Array[] };
}

async function kitPages(set: string): Promise<ScoredPage[]> {
  const dir = join(KIT, set);
  const images = readdirSync(dir).filter((f) => /\.(png|jpg)$/.test(f)).sort();
  return Promise.all(
    images.map(async (image) => {
      const stem = image.replace(/\.(png|jpg)$/, '');
      const record = stem.replace(/-0$/, '');
      const page = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as KitPage;
      const source = await readEcgRecord(join(KIT, 'ref', record));
      return { name: record, image: join(dir, image), reference: maskedReference(source.signals, page), fsHz: source.fsHz, kit: { page, signals: source.signals } };
    }),
  );
}

/**
 * `--set ecg-lab`: pages ecg-lab draws with the cell's own render config
 * (its render.variety, noise, but only the cell's own layout, which is the
 * one `digitize` reads), of the PTB-XL records below 01000 in
 * ../shared/data/ptb-xl that are not the kit's (the cells train on records
 * from 01000 on), page seed 9000 + i; scored against the page's ground
 * truth (plotted samples only). The check that a time axis which helps on
 * the kit's pages does not hurt on ecg-lab's own.
 */
async function ecgLabPages(): Promise<ScoredPage[]> {
  const kitRecords = new Set(readdirSync(join(KIT, 'ref')).filter((f) => f.endsWith('.hea')).map((f) => f.replace(/\.hea$/, '')));
  const records = readdirSync(ECG_LAB_RECORDS).filter((f) => f.endsWith('.hea')).map((f) => f.replace(/\.hea$/, '')).filter((r) => !kitRecords.has(r)).sort();
  const dir = mkdtempSync(join(tmpdir(), 'ecg-lab-pages-'));
  // digitize reads a page as the cell's layout: the variety's other layouts are not pages it can read.
  const render = { ...config.render, distort: { ...config.render.distort, ...distortOverrides }, variety: { ...config.render.variety, layouts: [config.render.layout] } };
  return Promise.all(
    records.map(async (record, i) => {
      const source = await readEcgRecord(join(ECG_LAB_RECORDS, record));
      const rendered = await renderPage(source, render, { seed: 9000 + i, cleanTwin: false });
      const image = join(dir, `${record}.${rendered.imageFormat === 'jpeg' ? 'jpg' : 'png'}`);
      writeFileSync(image, rendered.image);
      return { name: record, image, reference: plottedSignals(rendered.groundTruth), fsHz: source.fsHz };
    }),
  );
}

try {
  const sets = new Map<string, ScoredPage[]>();
  for (const set of (values.set as string).split(',')) sets.set(set, set === 'ecg-lab' ? await ecgLabPages() : await kitPages(set));
  for (const geometry of geometries) {
    for (const [set, pages] of sets) {
      const title = set === 'ecg-lab' ? `ecg-lab pages (${pages.length}, records ${pages[0]?.name}..${pages[pages.length - 1]?.name}, the cell's render config at its layout)` : `ecg-image-kit ${set} pages (${pages.length}, ${join(KIT, set)})`;
      if ((geometry === 'kit-time' || geometry === 'kit') && !pages.every((p) => 'lead_bounding_box' in (p.kit?.page.leads[0] ?? {}))) {
        console.log(`\n### ${title}, geometry ${geometry}: skipped (no kit JSON with lead boxes: the kit's geometry is not axis-aligned there, or the page is not the kit's)`);
        continue;
      }
      const perRecord: number[][] = [];
      const rows: string[] = [];
      for (const page of pages) {
        const kit = page.kit;
        const placements =
          kit && (geometry === 'kit-time' || geometry === 'kit') ? (size: ImageSize, found: readonly LeadPlacement[]) => kitPlacements(kit.page, kit.signals, page.fsHz, size, found, geometry === 'kit') : undefined;
        const result = await inferImage(cell, page.image, { logger: silentLogger, timeAxis: TIME_AXIS_OF[geometry], flattenMm, ...(rectify ? { rectify } : {}), ...(placements ? { placements, baseline: geometry === 'kit' ? 'layout' : 'median' } : {}) });
        if (result.fsHz !== page.fsHz) throw new Error(`the cell digitizes at ${result.fsHz} Hz, the reference is at ${page.fsHz} Hz`);
        const snr = recordSnr(page.reference, result.signals ?? undefined, page.fsHz);
        perRecord.push(snr);
        const finite = snr.filter(Number.isFinite);
        rows.push(`| ${page.name} | ${result.boxes} | ${result.deskewDeg.toFixed(2)} | ${(finite.reduce((s, v) => s + v, 0) / Math.max(1, finite.length)).toFixed(2)} |`);
      }
      const summary = snrSummary(perRecord);
      console.log(`\n### ${title}, geometry ${geometry}, ${flattenMm > 0 ? `paper flattened over ${flattenMm} mm` : 'paper as decoded'}\n`);
      console.log('| record | lead boxes | deskew deg | mean SNR dB |\n| --- | --- | ---: | ---: |');
      for (const row of rows) console.log(row);
      console.log(`\n| ${LEADS.join(' | ')} | mean |\n|${LEADS.map(() => ' ---: |').join('')} ---: |`);
      console.log(`| ${LEADS.map((l: Lead) => summary.perLead[l].toFixed(2)).join(' | ')} | **${summary.mean.toFixed(2)}** |`);
      console.log(`\n(record, lead) pairs scored: ${summary.scoredPairs} of ${summary.pairs}`);
    }
  }
} finally {
  cell.dispose();
}
