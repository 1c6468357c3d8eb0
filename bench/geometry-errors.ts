/**
 * Page geometry from the image (src/page/geometry/, issue 18): each step's
 * error on randomised rendered pages and on ecg-image-kit's pages.
 *
 * Rendered: `--pages` pages (default 100) of synthetic records (src/data/synthetic,
 * seed 1, record i), render.variety.strength 1, 100 DPI before the DPI
 * jitter, page seed 7000 + i; the first half at render.noise 0, the second
 * at 0.5. Scored against their ground truth by src/render/scoring/geometry-truth.ts.
 *
 * Kit (a foreign check, nothing tuned on it): ../shared/reference/kit-pages,
 * 16 clean and 16 augmented pages at 200 DPI, 3x4 + lead II strip. Truth
 * from the kit's JSON and the source records: angle and x scale from a line
 * fitted through the lead II strip's 0 mV points (plotted y + mV x 10 mm/mV
 * x 7.874 px/mm, the JSON's x_grid / 5), y scale taken equal to x; 0 mV per
 * lead likewise; trace box = the plotted points' bounds. The augmented
 * JSONs are off by up to ~22 px at the page's sides (README there), so their
 * truth is itself uncertain at the 1 % level.
 *
 *   node --import tsx bench/geometry-errors.ts [--pages 100] [--kit 16] [--dpi 100]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRecord, type SyntheticOptions } from '../src/data/synthetic/generator.js';
import { DEFAULT_PRIORS } from '../src/data/synthetic/priors.js';
import { readEcgRecord } from '../src/data/wfdb-ecg.js';
import { LEADS } from '../src/core/ecg.js';
import { findPageGeometry, readPageChannels, type PageGeometry } from '../src/page/geometry/index.js';
import { renderPage } from '../src/render/index.js';
import { baselineErrorMv, boxInImage, boxIou, geometryErrors, rectifyResidualPx, type GeometryErrors, type RectifyResidual } from '../src/render/scoring/geometry-truth.js';
import { estimateSkewDeg } from '../src/page/deskew.js';
import { rotationRectification, toRectified } from '../src/page/perspective.js';
import type { PixelBox } from '../src/page/box.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KIT = resolve(ROOT, '..', 'shared', 'reference', 'kit-pages');

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '100' },
    kit: { type: 'string', default: '16' },
    dpi: { type: 'string', default: '100' },
  },
});
const PAGES = Number(values.pages);
const KIT_PAGES = Number(values.kit);
const DPI = Number(values.dpi);

const synthetic: SyntheticOptions = {
  seed: 1,
  fsHz: 100,
  durationS: 10,
  priors: DEFAULT_PRIORS,
  noise: { baselineWanderMv: 0.05, mainsHumMv: 0.01, mainsHz: 50, muscleNoiseMv: 0.01 },
};

const quantile = (values: readonly number[], q: number) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
/** | name | n | median | p90 | max | of absolute errors. */
const errorRow = (name: string, values: readonly number[], digits: number) => {
  const abs = values.filter(Number.isFinite).map(Math.abs);
  return `| ${name} | ${abs.length} | ${fmt(quantile(abs, 0.5), digits)} | ${fmt(quantile(abs, 0.9), digits)} | ${fmt(abs.length ? Math.max(...abs) : Number.NaN, digits)} |`;
};
/** | name | n | mean | median | p10 | min | of IoUs (higher is better). */
const iouRow = (name: string, values: readonly number[]) => {
  const v = values.filter(Number.isFinite);
  const mean = v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
  return `| ${name} | ${v.length} | ${fmt(mean, 3)} | ${fmt(quantile(v, 0.5), 3)} | ${fmt(quantile(v, 0.1), 3)} | ${fmt(v.length ? Math.min(...v) : Number.NaN, 3)} |`;
};

interface Scored {
  readonly set: string;
  readonly errors: GeometryErrors;
  /** The rectify residual of the page turned back by its rotation alone (deskew.ts), the step before perspective.ts. */
  readonly rotationOnlyPx: RectifyResidual;
  readonly ms: number;
}

async function renderedPages(): Promise<Scored[]> {
  const out: Scored[] = [];
  for (let i = 0; i < PAGES; i++) {
    const noise = i < PAGES / 2 ? 0 : 0.5;
    const page = await renderPage(generateRecord(i, synthetic), { noise, dpi: DPI, variety: { strength: 1 } }, { seed: 7000 + i, cleanTwin: false });
    const channels = await readPageChannels(page.image);
    const t0 = performance.now();
    const found = findPageGeometry(channels);
    const ms = performance.now() - t0;
    const turned = rotationRectification(estimateSkewDeg(channels.grey), channels.grey.width, channels.grey.height);
    const rotationOnlyPx = rectifyResidualPx(page.groundTruth, (x, y) => toRectified(turned, x, y));
    out.push({ set: `noise ${noise}`, errors: geometryErrors(page.groundTruth, found), rotationOnlyPx, ms });
  }
  return out;
}

interface KitJson {
  readonly x_grid: number;
  readonly leads: readonly { lead_name: string; start_sample: number; end_sample: number; plotted_pixels: readonly (readonly [number, number])[] }[];
}

function fitAngleAndScale(points: readonly { x: number; y: number; mv: number }[], pxPerMv: number, mmPerSample: number): { angleDeg: number; pxPerMm: number } {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y + p.mv * pxPerMv);
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] as number) - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxy / sxx;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const length = Math.hypot(last.x - first.x, (last.x - first.x) * slope);
  return { angleDeg: (Math.atan(slope) * 180) / Math.PI, pxPerMm: length / ((points.length - 1) * mmPerSample) };
}

interface KitScored {
  readonly set: string;
  readonly angleDeg: number;
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
  readonly gridFound: boolean;
  readonly layoutOk: boolean;
  readonly traceBoxIou: number[];
  readonly baselineMv: number[];
  readonly baselinePulse: number[];
  readonly gain: number[];
  readonly ms: number;
}

async function kitPage(set: 'clean' | 'augmented', record: string): Promise<KitScored> {
  const json = JSON.parse(readFileSync(join(KIT, set, `${record}-0.json`), 'utf8')) as KitJson;
  const reference = await readEcgRecord(join(KIT, 'ref', record));
  const channels = await readPageChannels(join(KIT, set, `${record}-0.${set === 'clean' ? 'png' : 'jpg'}`));
  const t0 = performance.now();
  const found: PageGeometry = findPageGeometry(channels);
  const ms = performance.now() - t0;
  const nominalPxPerMm = json.x_grid / 5;
  const pointsOf = (lead: KitJson['leads'][number]) => {
    const signal = reference.signals[LEADS.indexOf(lead.lead_name as (typeof LEADS)[number])] as Float32Array;
    return lead.plotted_pixels.map(([y, x], i) => ({ x, y, mv: signal[lead.start_sample + i] as number })).filter((p) => Number.isFinite(p.mv));
  };
  const strip = json.leads.find((l) => l.end_sample - l.start_sample > 500) ?? json.leads[json.leads.length - 1]!;
  const truth = fitAngleAndScale(pointsOf(strip), 10 * nominalPxPerMm, 25 / reference.fsHz);
  const truePxPerMv = 10 * truth.pxPerMm;
  const traceBoxIou: number[] = [];
  const baselineMv: number[] = [];
  const baselinePulse: number[] = [];
  const gain: number[] = [];
  for (const lead of json.leads) {
    const rhythm = lead.end_sample - lead.start_sample > 500;
    const match = found.leads.find((l) => l.lead === lead.lead_name && l.rhythm === rhythm);
    if (!match) {
      traceBoxIou.push(0);
      continue;
    }
    const points = pointsOf(lead);
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const truthBox: PixelBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    traceBoxIou.push(boxIou(boxInImage(match.traceBox, found.rectified.toImage), truthBox));
    const error = baselineErrorMv(match.baselineY, points, found.rectified.toRectified, truePxPerMv);
    baselineMv.push(error);
    if (match.baselineSource === 'pulse') baselinePulse.push(error);
    gain.push(match.pxPerMv / truePxPerMv - 1);
  }
  return {
    set: `kit ${set}`,
    angleDeg: found.grid.angleDeg - truth.angleDeg,
    pxPerMmX: found.grid.pxPerMmX / truth.pxPerMm - 1,
    pxPerMmY: found.grid.pxPerMmY / truth.pxPerMm - 1,
    gridFound: found.grid.found,
    layoutOk: found.layout.layout === '3x4+1',
    traceBoxIou,
    baselineMv,
    baselinePulse,
    gain,
    ms,
  };
}

const started = Date.now();
const rendered = await renderedPages();
const kit: KitScored[] = [];
if (KIT_PAGES > 0) {
  const records = readdirSync(join(KIT, 'clean'))
    .filter((f) => f.endsWith('-0.json'))
    .map((f) => f.replace(/-0\.json$/, ''))
    .sort()
    .slice(0, KIT_PAGES);
  for (const set of ['clean', 'augmented'] as const) for (const record of records) kit.push(await kitPage(set, record));
}

const sets = [...new Set(rendered.map((r) => r.set)), 'all'];
const pick = (set: string) => rendered.filter((r) => set === 'all' || r.set === set);
console.log(`# geometry errors: ${PAGES} rendered pages (${DPI} DPI, variety 1, noise 0 / 0.5), ${kit.length} kit pages; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

console.log('## 1. Grid: angle (deg) and px per mm (relative error, %), pages with a grid found\n');
console.log('| set | n | median | p90 | max |\n| --- | --- | --- | --- | --- |');
for (const set of sets) {
  const found = pick(set).filter((r) => r.errors.gridFound && r.errors.hasGrid);
  console.log(errorRow(`${set}: angle, all pages`, pick(set).map((r) => r.errors.angleDeg), 3));
  console.log(errorRow(`${set}: px/mm x %`, found.map((r) => 100 * r.errors.pxPerMmX), 2));
  console.log(errorRow(`${set}: px/mm y %`, found.map((r) => 100 * r.errors.pxPerMmY), 2));
}
for (const set of sets) {
  const noGrid = pick(set).filter((r) => !r.errors.hasGrid);
  console.log(errorRow(`${set}: fallback px/mm x % (no-grid pages)`, noGrid.map((r) => 100 * r.errors.pxPerMmX), 2));
}
console.log('\n| set | pages | with grid | grid missed | no-grid pages | grid claimed on a no-grid page |\n| --- | --- | --- | --- | --- | --- |');
for (const set of sets) {
  const p = pick(set);
  const gridded = p.filter((r) => r.errors.hasGrid);
  const bare = p.filter((r) => !r.errors.hasGrid);
  console.log(`| ${set} | ${p.length} | ${gridded.length} | ${gridded.filter((r) => !r.errors.gridFound).length} | ${bare.length} | ${bare.filter((r) => r.errors.gridFound).length} |`);
}

console.log('\n## 2. Rectification: residual angle (deg) = found - true at the centre, and the rectify residual (px, RMS per axis after a scale and offset fit; geometry-truth.ts) of the rectification found and of the rotation alone\n');
console.log('| set | n | median | p90 | max |\n| --- | --- | --- | --- | --- |');
for (const set of sets) {
  console.log(errorRow(`${set}: angle`, pick(set).map((r) => r.errors.angleDeg), 3));
  console.log(errorRow(`${set}: rectify x px`, pick(set).map((r) => r.errors.rectifyPx.x), 2));
  console.log(errorRow(`${set}: rectify y px`, pick(set).map((r) => r.errors.rectifyPx.y), 2));
  console.log(errorRow(`${set}: rotation alone x px`, pick(set).map((r) => r.rotationOnlyPx.x), 2));
  console.log(errorRow(`${set}: rotation alone y px`, pick(set).map((r) => r.rotationOnlyPx.y), 2));
}

console.log('\n## 3. Layout and boxes\n');
console.log('| set | pages | layout right | wrong (true -> found) |\n| --- | --- | --- | --- |');
for (const set of sets) {
  const p = pick(set);
  const wrong = p.filter((r) => r.errors.layoutFound !== r.errors.layoutTrue);
  console.log(`| ${set} | ${p.length} | ${p.length - wrong.length} | ${wrong.map((r) => `${r.errors.layoutTrue}->${r.errors.layoutFound ?? 'none'}`).join(', ')} |`);
}
console.log('\n| box IoU | n | mean | median | p10 | min |\n| --- | --- | --- | --- | --- | --- |');
for (const set of sets) {
  console.log(iouRow(`${set}: panel box`, pick(set).flatMap((r) => r.errors.leads.map((l) => l.boxIou))));
  console.log(iouRow(`${set}: trace box`, pick(set).flatMap((r) => r.errors.leads.map((l) => l.traceBoxIou))));
}

console.log('\n## 4. Baseline (0 mV, |error| in mV) and gain (relative error, %)\n');
console.log('| set | n | median | p90 | max |\n| --- | --- | --- | --- | --- |');
for (const set of sets) {
  const leads = pick(set).flatMap((r) => r.errors.leads);
  console.log(errorRow(`${set}: baseline, all leads`, leads.map((l) => l.baselineMv), 3));
  console.log(errorRow(`${set}: baseline, from the pulse`, leads.filter((l) => l.baselineSource === 'pulse').map((l) => l.baselineMv), 3));
  console.log(errorRow(`${set}: baseline, trace median`, leads.filter((l) => l.baselineSource === 'trace-median').map((l) => l.baselineMv), 3));
  console.log(errorRow(`${set}: gain %`, leads.map((l) => 100 * l.gainRelative), 2));
}
const times = rendered.map((r) => r.ms);
console.log(`\nfindPageGeometry per rendered page: median ${fmt(quantile(times, 0.5), 0)} ms, max ${fmt(Math.max(...times), 0)} ms`);

if (kit.length > 0) {
  console.log('\n## ecg-image-kit pages (foreign check, 200 DPI, 3x4+1)\n');
  console.log('| set | n | median | p90 | max |\n| --- | --- | --- | --- | --- |');
  for (const set of ['kit clean', 'kit augmented']) {
    const k = kit.filter((r) => r.set === set);
    console.log(errorRow(`${set}: angle deg`, k.map((r) => r.angleDeg), 3));
    console.log(errorRow(`${set}: px/mm x %`, k.map((r) => 100 * r.pxPerMmX), 2));
    console.log(errorRow(`${set}: px/mm y %`, k.map((r) => 100 * r.pxPerMmY), 2));
    console.log(errorRow(`${set}: baseline mV, all leads`, k.flatMap((r) => r.baselineMv), 3));
    console.log(errorRow(`${set}: baseline mV, from the pulse`, k.flatMap((r) => r.baselinePulse), 3));
    console.log(errorRow(`${set}: gain %`, k.flatMap((r) => r.gain.map((g) => 100 * g)), 2));
  }
  console.log('\n| set | pages | grid found | layout 3x4+1 | trace box IoU mean | median | p10 | min |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const set of ['kit clean', 'kit augmented']) {
    const k = kit.filter((r) => r.set === set);
    const iou = k.flatMap((r) => r.traceBoxIou);
    const mean = iou.reduce((s, v) => s + v, 0) / Math.max(1, iou.length);
    console.log(`| ${set} | ${k.length} | ${k.filter((r) => r.gridFound).length} | ${k.filter((r) => r.layoutOk).length} | ${fmt(mean, 3)} | ${fmt(quantile(iou, 0.5), 3)} | ${fmt(quantile(iou, 0.1), 3)} | ${fmt(Math.min(...iou), 3)} |`);
  }
  const kt = kit.map((r) => r.ms);
  console.log(`\nfindPageGeometry per kit page: median ${fmt(quantile(kt, 0.5), 0)} ms, max ${fmt(Math.max(...kt), 0)} ms`);
}
