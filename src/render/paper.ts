/**
 * The printed page without its traces, as SVG built in code and rasterised by
 * sharp: paper, grid (minor 1 mm, major 5 mm, aligned to t = 0 and the first
 * baseline), lead labels and the footer (text as outlines of the shipped
 * font, core/text-outline.ts). It depends only on the options, so
 * it is rasterised once per options and cached; the per-page header is a
 * small separate strip.
 */
import sharp from 'sharp';
import type { RenderConfig } from '../config/schema/render.js';
import type { Rng } from '../core/rng.js';
import type { PageLayout } from '../page/layout.js';
import type { Rgb } from './options.js';
import { cloneRgbImage, type RgbImage } from './raster.js';
import { textPath, type FontWeight } from '../core/text-outline.js';

export const PAPER_RGB: Rgb = [255, 253, 249];
const PAPER_HEX = '#fffdf9';

const GRID_HEX: Readonly<Record<Exclude<RenderConfig['gridColour'], 'none'>, readonly [string, string]>> = {
  red: ['#f5bdbd', '#e26a6a'],
  pink: ['#fbd6e1', '#ee93b0'],
  grey: ['#dadada', '#a3a3a3'],
  green: ['#c6e5c8', '#66b86b'],
  blue: ['#c8dbf1', '#6a9bd6'],
};

const f = (v: number) => Number(v.toFixed(3)).toString();

function svgOpen(widthPx: number, heightPx: number, pxPerMm: number): string {
  // viewBox in mm at exactly pxPerMm; shifted half a pixel so that the drawing
  // uses the pixel-centre convention of the ground truth.
  const shift = f(0.5 / pxPerMm);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" ` +
    `viewBox="${shift} ${shift} ${f(widthPx / pxPerMm)} ${f(heightPx / pxPerMm)}">`
  );
}

/** How the grid is drawn: colours and line widths (mm) of the 1 mm and 5 mm lines. */
export interface GridLook {
  readonly minorHex: string;
  readonly majorHex: string;
  readonly minorWidthMm: number;
  readonly majorWidthMm: number;
}

/** Lead labels: size (mm) and whether they sit above the baseline rather than below it. */
export interface LabelLook {
  readonly sizeMm: number | 'auto';
  readonly above: boolean;
}

/** What a page's static layer looks like beyond the layout: the render.* options' look, or one drawn per page (render/variety/). */
export interface PaperLook {
  readonly grid: GridLook | null;
  readonly labels: LabelLook;
  /** Bottom line: the cart's (speed, gains, filters, model; with the header), the scale alone (as ecg-image-kit prints it), or none. */
  readonly footer: 'cart' | 'scale' | 'none';
}

/** The grid of a render.gridColour palette at the standard widths (0.1 mm minor, 0.2 mm major); null for none. */
export function gridLookOf(colour: RenderConfig['gridColour']): GridLook | null {
  if (colour === 'none') return null;
  const [minorHex, majorHex] = GRID_HEX[colour];
  return { minorHex, majorHex, minorWidthMm: 0.1, majorWidthMm: 0.2 };
}

/** The look render.* options give: their grid colour, labels sized to the row. */
export function paperLookOf(config: RenderConfig): PaperLook {
  return { grid: gridLookOf(config.gridColour), labels: { sizeMm: 'auto', above: false }, footer: config.header ? 'cart' : 'none' };
}

function gridPaths(layout: PageLayout, grid: GridLook | null): string {
  if (grid === null) return '';
  const { minorHex, majorHex } = grid;
  const { widthMm, heightMm } = layout.page;
  const originY = layout.panels[0]?.baselineMm ?? 0;
  let minor = '';
  let major = '';
  const firstX = -Math.floor(layout.traceStartMm);
  for (let k = firstX; layout.traceStartMm + k <= widthMm; k++) {
    const x = f(layout.traceStartMm + k);
    if (k % 5 === 0) major += `M${x} 0V${f(heightMm)}`;
    else minor += `M${x} 0V${f(heightMm)}`;
  }
  for (let k = -Math.floor(originY); originY + k <= heightMm; k++) {
    const y = f(originY + k);
    if (k % 5 === 0) major += `M0 ${y}H${f(widthMm)}`;
    else minor += `M0 ${y}H${f(widthMm)}`;
  }
  return (
    `<path d="${minor}" stroke="${minorHex}" stroke-width="${f(grid.minorWidthMm)}" fill="none"/>` +
    `<path d="${major}" stroke="${majorHex}" stroke-width="${f(grid.majorWidthMm)}" fill="none"/>`
  );
}

function labelTexts(layout: PageLayout, config: RenderConfig, labels: LabelLook): string {
  if (!config.leadLabels) return '';
  // A drawn size is capped so that a label stays inside its row band.
  const size = labels.sizeMm === 'auto' ? Math.min(3.5, layout.rowSpacingMm * 0.3) : Math.min(labels.sizeMm, layout.rowSpacingMm * 0.3);
  return layout.panels
    .map((p) => {
      const x = p.boxMm[0] + (p.col === 0 ? 0.5 : 1.2);
      const y = labels.above ? p.baselineMm - 0.25 * layout.rowSpacingMm : p.baselineMm + Math.min(6, layout.rowSpacingMm * 0.32);
      return textPath({ text: p.lead, x, y, size });
    })
    .join('');
}

/** Where text starts at the left: the pulse when it is drawn there, else the traces. */
const leftEdgeMm = (layout: PageLayout) => Math.min(layout.pulseStartMm, layout.traceStartMm);

function footerText(layout: PageLayout, config: RenderConfig): string {
  const y = layout.footerTopMm + 6;
  const speed = `${Number(config.speedMmPerS.toFixed(2))} mm/s`;
  const gain = `${Number(config.gainMmPerMv.toFixed(2))} mm/mV`;
  return (
    textPath({ text: `${speed}    Limb: ${gain}    Chest: ${gain}    F 0.05-150 Hz  W  50 Hz`, x: leftEdgeMm(layout), y, size: 3 }) +
    textPath({ text: 'ECG-lab cart 12L  v2.4', x: layout.page.widthMm - 8, y, size: 2.6, anchor: 'end' })
  );
}

function scaleText(layout: PageLayout, config: RenderConfig): string {
  const x = leftEdgeMm(layout) + 30;
  const y = layout.page.heightMm - 4;
  return (
    textPath({ text: `${Number(config.speedMmPerS.toFixed(2))}mm/s`, x, y, size: 3.2 }) +
    textPath({ text: `${Number(config.gainMmPerMv.toFixed(2))}mm/mV`, x: x + 40, y, size: 3.2 })
  );
}

const FOOTERS = { cart: footerText, scale: scaleText, none: () => '' } as const;

/** SVG of paper, grid, lead labels and footer. */
export function staticPageSvg(layout: PageLayout, config: RenderConfig, look: PaperLook = paperLookOf(config)): string {
  const { widthPx, heightPx, pxPerMm } = layout.page;
  return (
    svgOpen(widthPx, heightPx, pxPerMm) +
    `<rect x="-1" y="-1" width="${f(layout.page.widthMm + 2)}" height="${f(layout.page.heightMm + 2)}" fill="${PAPER_HEX}"/>` +
    gridPaths(layout, look.grid) +
    `<g fill="#111">` +
    labelTexts(layout, config, look.labels) +
    FOOTERS[look.footer](layout, config) +
    `</g></svg>`
  );
}

const staticCache = new Map<string, Promise<RgbImage>>();
const STATIC_CACHE_SIZE = 4;

async function rasteriseRgb(svg: string): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: PAPER_HEX }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}

/** A fresh copy of the static page raster (cached per options). */
export async function staticPageImage(layout: PageLayout, config: RenderConfig, look?: PaperLook): Promise<RgbImage> {
  const svg = staticPageSvg(layout, config, look);
  let cached = staticCache.get(svg);
  if (!cached) {
    cached = rasteriseRgb(svg);
    staticCache.set(svg, cached);
    if (staticCache.size > STATIC_CACHE_SIZE) staticCache.delete(staticCache.keys().next().value as string);
  }
  return cloneRgbImage(await cached);
}

/** Made-up fields of a cart's printout. Independent of the record's labels, so they leak nothing. */
export interface HeaderFields {
  readonly name: string;
  readonly id: string;
  readonly acquired: string;
  readonly sex: string;
  readonly ageYears: number;
  readonly heightCm: number;
  readonly weightKg: number;
  readonly ventRateBpm: number;
  readonly prMs: number;
  readonly qrsMs: number;
  readonly qtMs: number;
  readonly qtcMs: number;
  readonly axes: readonly [number, number, number];
  readonly location: string;
  readonly referredBy: string;
}

const SURNAMES = ['Meyer', 'Novak', 'Okafor', 'Larsen', 'Silva', 'Tanaka', 'Rossi', 'Dubois', 'Kowalski', 'Haddad', 'Jensen', 'Moreau', 'Fischer', 'Ivanova', 'Costa', 'Nguyen', 'Brandt', 'Keller'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WARDS = ['Cardiology 2', 'ED Bay 4', 'Ward 7B', 'Outpatients', 'ICU 3', 'Pre-op clinic'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function makeHeaderFields(rng: Rng): HeaderFields {
  const qt = rng.int(340, 440);
  const rate = rng.int(52, 110);
  return {
    name: `${rng.pick(SURNAMES)}, ${String.fromCharCode(65 + rng.int(0, 25))}.`,
    id: String(rng.int(10_000_000, 99_999_999)),
    acquired: `${pad(rng.int(1, 28))}-${rng.pick(MONTHS)}-${rng.int(1991, 2023)} ${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`,
    sex: rng.pick(['Male', 'Female']),
    ageYears: rng.int(18, 92),
    heightCm: rng.int(150, 195),
    weightKg: rng.int(48, 120),
    ventRateBpm: rate,
    prMs: rng.int(120, 210),
    qrsMs: rng.int(78, 118),
    qtMs: qt,
    qtcMs: Math.round(qt / Math.sqrt(60 / rate)),
    axes: [rng.int(-30, 90), rng.int(-30, 100), rng.int(-20, 90)],
    location: rng.pick(WARDS),
    referredBy: `Dr. ${rng.pick(SURNAMES)}`,
  };
}

/** Height of the header strip in mm (the layout reserves it). */
export function headerStripSvg(layout: PageLayout, fields: HeaderFields): { svg: string; heightPx: number } {
  const { widthPx, pxPerMm } = layout.page;
  const heightPx = Math.round(layout.headerMm * pxPerMm);
  const x0 = leftEdgeMm(layout);
  const col2 = x0 + 78;
  const col3 = x0 + 140;
  const line = (x: number, y: number, text: string, size = 2.8, weight: FontWeight = 'normal') => textPath({ text, x, y, size, weight });
  const svg =
    svgOpen(widthPx, heightPx, pxPerMm) +
    `<g fill="#161616">` +
    line(x0, 9, fields.name, 3.6, 'bold') +
    line(x0, 13.5, `ID: ${fields.id}`) +
    line(x0, 17.5, `${fields.sex}   ${fields.ageYears} yr   ${fields.heightCm} cm   ${fields.weightKg} kg`) +
    line(x0, 21.5, `Loc: ${fields.location}`) +
    line(col2, 9, fields.acquired, 3) +
    line(col2, 13.5, `Vent. rate      ${fields.ventRateBpm} BPM`) +
    line(col2, 17.5, `PR interval     ${fields.prMs} ms`) +
    line(col2, 21.5, `QRS duration   ${fields.qrsMs} ms`) +
    line(col3, 13.5, `QT/QTc   ${fields.qtMs}/${fields.qtcMs} ms`) +
    line(col3, 17.5, `P-R-T axes   ${fields.axes.join(' ')}`) +
    line(col3, 21.5, `Referred by: ${fields.referredBy}`) +
    line(col3, 9, 'Unconfirmed report', 3, 'bold') +
    `</g></svg>`;
  return { svg, heightPx };
}

/** The header strip as RGBA pixels (transparent background), to composite at the page's top left. */
export async function headerStripRgba(layout: PageLayout, fields: HeaderFields): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { svg } = headerStripSvg(layout, fields);
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
