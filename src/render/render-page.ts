/**
 * One recording -> one page image, its clean twin, its trace mask and its
 * ground truth. The phases, in order:
 *
 *   1. normalise options, check the record            (options.ts)
 *      and draw the page's look from its seed           (variety/draw.ts; nothing at render.variety.strength 0)
 *   2. lay the page out in mm                          (layout.ts)
 *   3. paper, grid, labels (cached SVG raster) + header strip (SVG)   (paper.ts)
 *   4. traces, calibration pulses, column separators (anti-aliased strokes)  (raster.ts)
 *   5. draw the distortion plan from the seed          (distortions.ts)
 *   6. warp the page through the exact mapping -> clean twin; map GT points  (geometry.ts, warp/warp-image.ts)
 *   7. photometric distortions on a copy -> image      (photometric.ts)
 *   8. mask: the GT polylines stroked in image space
 *   9. encode: the image as PNG, or as the JPEG the chain ends in; clean twin (stored) and mask as PNG   (image-file.ts)
 */
import { LEADS, recordLength, type EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { renderMessages } from '../core/messages.js';
import { createRng } from '../core/rng.js';
import { planDistortions, pageMappingOf, type DistortionPlan } from './distortions.js';
import { isIdentityMapping, mapPoint, type PageMapping } from './geometry.js';
import { warpImageAndGrey } from './warp/warp-image.js';
import { transformOf, type CalibrationGroundTruth, type LeadGroundTruth, type PageGroundTruth } from './ground-truth.js';
import type { PixelBox, Point } from '../page/box.js';
import { layoutPage, panelSampleRange, type PageLayout, type Panel } from '../page/layout.js';
import { normalizeRenderOptions, renderConfigOf, type RenderConfigInput, type RenderOptions, type Rgb } from './options.js';
import { compositeRgba, createCoverage, paintCoverage, strokePolyline, strokeSegment, type Coverage, type RgbImage } from './raster.js';
import { headerStripRgba, makeHeaderFields, staticPageImage, type HeaderFields } from './paper.js';
import { applyPhotometric } from './photometric.js';
import { encodeJpeg, encodeMaskPng, encodePng, encodeTwinPng, greyOfColours, jpegToPng, type ImageFormat } from './image-file.js';
import { serialPhases, timed, timedAsync, type PhaseTimings } from './phase-timings.js';
import { recycleBuffers } from '../core/recycled-buffers.js';
import { drawPageVariety, type PageVariety, type SeparatorLook } from './variety/draw.js';

/** What lies around the page in a photo (a dark desk). */
export const BACKGROUND_RGB: Rgb = [44, 41, 38];

export interface RenderPageRequest {
  /** Same seed, same bytes. */
  readonly seed: number | string;
  /** Filled with where the time went (phase -> wall and CPU ms), when given; see phase-timings.ts. */
  readonly timings?: PhaseTimings;
  /**
   * Whether to encode the clean twin (default true). Only the denoise stage
   * reads it; without it there is no twin PNG to encode, and the photometric
   * chain works in the warped page itself instead of a copy.
   * The image, the mask and the ground truth are the same bytes either way.
   */
  readonly cleanTwin?: boolean;
}

/** A rendered page in memory: encoded images and ground truth. */
export interface RenderedPage {
  /** PNG, or JPEG when the distortions end in JPEG compression and render.imageFormat is auto. */
  readonly image: Buffer;
  readonly imageFormat: ImageFormat;
  /** PNG. */
  /** Same geometry as `image`, no photometric distortion. */
  readonly clean: Buffer;
  /** Greyscale PNG: trace coverage (0 none, 255 full) of the lead traces, in image geometry. */
  readonly mask: Buffer;
  readonly groundTruth: PageGroundTruth;
}

/** A page rendered with `cleanTwin: false`: everything but the clean twin. */
export type RenderedPageWithoutTwin = Omit<RenderedPage, 'clean'> & { readonly clean: null };

export function checkRecord(record: EcgRecord): void {
  if (record.signals.length !== LEADS.length) throw new EcgError('RENDER_INVALID', renderMessages.recordLeads(record.name, record.signals.length));
  if (!(typeof record.fsHz === 'number' && record.fsHz > 0 && Number.isFinite(record.fsHz))) {
    throw new EcgError('RENDER_INVALID', renderMessages.recordFs(record.name, record.fsHz));
  }
  if (recordLength(record) === 0) throw new EcgError('RENDER_INVALID', renderMessages.recordEmpty(record.name));
}

interface DrawnPanel {
  readonly panel: Panel;
  readonly range: readonly [number, number];
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly mv: (number | null)[];
}

const toPx = (mm: number, pxPerMm: number) => mm * pxPerMm - 0.5;

function panelPoints(record: EcgRecord, panel: Panel, options: RenderOptions, pxPerMm: number): DrawnPanel {
  const range = panelSampleRange(panel, record.fsHz, recordLength(record));
  const signal = record.signals[panel.leadIndex] as Float32Array;
  const n = range[1] - range[0];
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const mv: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = range[0] + i;
    const v = signal[s] as number;
    xs[i] = toPx(panel.x0Mm + (s / record.fsHz) * options.speedMmPerS, pxPerMm);
    ys[i] = Number.isFinite(v) ? toPx(panel.baselineMm - v * options.gainMmPerMv, pxPerMm) : Number.NaN;
    mv[i] = Number.isFinite(v) ? v : null;
  }
  return { panel, range, xs, ys, mv };
}

/** Stroke a polyline, breaking it where y is NaN. */
function strokeWithGaps(coverage: Coverage, xs: ArrayLike<number>, ys: ArrayLike<number>, widthPx: number): void {
  let start = 0;
  for (let i = 0; i <= xs.length; i++) {
    if (i === xs.length || !Number.isFinite(ys[i] as number)) {
      if (i > start) strokePolyline(coverage, Array.prototype.slice.call(xs, start, i), Array.prototype.slice.call(ys, start, i), widthPx);
      start = i + 1;
    }
  }
}

/** The pulse of row `row`: foot, rise, top, fall, foot (page mm); no foot after the fall when it abuts the trace. */
function pulsePolylineMm(layout: PageLayout, baselineMm: number, options: RenderOptions): Point[] {
  const x0 = layout.pulseStartMm;
  const widthMm = 0.2 * options.speedMmPerS;
  const top = baselineMm - options.gainMmPerMv;
  const pulse: Point[] = [
    [x0, baselineMm],
    [x0 + 1, baselineMm],
    [x0 + 1, top],
    [x0 + 1 + widthMm, top],
    [x0 + 1 + widthMm, baselineMm],
  ];
  return layout.pulseAbuts ? pulse : [...pulse, [x0 + 2 + widthMm, baselineMm]];
}

function rowBaselines(layout: PageLayout): Map<number, number> {
  const rows = new Map<number, number>();
  for (const p of layout.panels) if (!rows.has(p.row)) rows.set(p.row, p.baselineMm);
  return rows;
}

function drawFurniture(coverage: Coverage, layout: PageLayout, options: RenderOptions, separator: SeparatorLook, pxPerMm: number): void {
  const width = options.traceWidthMm * pxPerMm;
  if (options.calibrationPulse) {
    for (const baseline of rowBaselines(layout).values()) {
      const pts = pulsePolylineMm(layout, baseline, options);
      strokePolyline(coverage, pts.map((p) => toPx(p[0], pxPerMm)), pts.map((p) => toPx(p[1], pxPerMm)), width);
    }
  }
  // Short bars where one column's leads hand over to the next.
  for (const p of layout.panels) {
    if (p.col === 0) continue;
    const x = toPx(p.boxMm[0], pxPerMm);
    const half = (separator.halfMm === 'auto' ? Math.min(3, layout.rowSpacingMm * 0.2) : Math.min(separator.halfMm, layout.rowSpacingMm * 0.3)) * pxPerMm;
    const y = toPx(p.baselineMm, pxPerMm);
    strokeSegment(coverage, x, y - half, x, y + half, width * separator.widthFactor);
  }
}

function boundsOf(xs: ArrayLike<number>, ys: ArrayLike<number>, pad: number): PixelBox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x0 === Infinity) return [0, 0, 0, 0];
  return [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const round5 = (v: number) => Math.round(v * 1e5) / 1e5;
const roundBox = (b: PixelBox): PixelBox => [round2(b[0]), round2(b[1]), round2(b[2]), round2(b[3])];

function leadGroundTruth(drawn: DrawnPanel, mapping: PageMapping, identity: boolean, pxPerMm: number, halfWidthPx: number): LeadGroundTruth {
  const { panel, range } = drawn;
  const n = drawn.xs.length;
  const x: number[] = new Array(n);
  const y: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const py = drawn.ys[i] as number;
    // A NaN sample has no drawn point; its position is where 0 mV would be.
    const yy = Number.isFinite(py) ? py : toPx(panel.baselineMm, pxPerMm);
    const [qx, qy] = identity ? [drawn.xs[i] as number, yy] : mapPoint(mapping, drawn.xs[i] as number, yy);
    x[i] = round2(qx);
    y[i] = round2(qy);
  }
  const ys = y.map((v, i) => (drawn.mv[i] === null ? Number.NaN : v));
  const nominal: PixelBox = [
    toPx(panel.boxMm[0], pxPerMm),
    toPx(panel.boxMm[1], pxPerMm),
    toPx(panel.boxMm[2], pxPerMm),
    toPx(panel.boxMm[3], pxPerMm),
  ];
  const quad: Point[] = [
    [nominal[0], nominal[1]],
    [nominal[2], nominal[1]],
    [nominal[2], nominal[3]],
    [nominal[0], nominal[3]],
  ].map(([a, b]) => (identity ? [a as number, b as number] : mapPoint(mapping, a as number, b as number)) as Point);
  return {
    lead: panel.lead,
    leadIndex: panel.leadIndex,
    row: panel.row,
    col: panel.col,
    rhythm: panel.rhythm,
    sampleStart: range[0],
    sampleEnd: range[1],
    startS: panel.startS,
    endS: panel.endS,
    box: roundBox(boundsOf(x, ys, halfWidthPx)),
    panelBox: roundBox(boundsOf(quad.map((p) => p[0]), quad.map((p) => p[1]), 0)),
    panelQuad: quad.map((p) => [round2(p[0]), round2(p[1])] as Point),
    nominalBox: roundBox(nominal),
    nominalBaselineY: round2(toPx(panel.baselineMm, pxPerMm)),
    x,
    y,
    mv: drawn.mv.map((v) => (v === null ? null : round5(v))),
  };
}

function calibrationGroundTruth(layout: PageLayout, options: RenderOptions, mapping: PageMapping, identity: boolean): CalibrationGroundTruth[] {
  if (!options.calibrationPulse) return [];
  const pxPerMm = layout.page.pxPerMm;
  return [...rowBaselines(layout).entries()].map(([row, baseline]) => {
    const pts = pulsePolylineMm(layout, baseline, options).slice(1, 5);
    const corners = pts.map(([a, b]) => {
      const px = toPx(a, pxPerMm);
      const py = toPx(b, pxPerMm);
      const [qx, qy] = identity ? [px, py] : mapPoint(mapping, px, py);
      return [round2(qx), round2(qy)] as Point;
    });
    return { row, corners };
  });
}

/**
 * The page image's bytes. A chain ending in JPEG compression yields JPEG bytes;
 * kept as they are (imageFormat auto) or decoded into a PNG of the same pixels.
 */
async function encodeImage(image: RgbImage, jpegQuality: number, imageFormat: RenderOptions['imageFormat']): Promise<{ bytes: Buffer; format: ImageFormat }> {
  if (jpegQuality === 0) return { bytes: await encodePng(image), format: 'png' };
  const jpeg = await encodeJpeg(image, jpegQuality);
  if (imageFormat === 'auto') return { bytes: jpeg, format: 'jpeg' };
  return { bytes: await jpegToPng(jpeg), format: 'png' };
}

/** The undistorted printed page: static layer, header, traces, pulses. Also returns the trace coverage. */
async function printPage(
  record: EcgRecord,
  layout: PageLayout,
  variety: PageVariety,
  header: HeaderFields | null,
): Promise<{ page: RgbImage; traces: Coverage; drawn: DrawnPanel[] }> {
  const { options } = variety;
  const { pxPerMm, widthPx, heightPx } = layout.page;
  const page = await staticPageImage(layout, options, variety.look);
  if (header) {
    const strip = await headerStripRgba(layout, header);
    compositeRgba(page, strip.data, strip.width, strip.height, 0, 0);
  }
  const traces = createCoverage(widthPx, heightPx);
  const drawn = layout.panels.map((panel) => panelPoints(record, panel, options, pxPerMm));
  for (const d of drawn) strokeWithGaps(traces, d.xs, d.ys, options.traceWidthMm * pxPerMm);
  const furniture = createCoverage(widthPx, heightPx);
  drawFurniture(furniture, layout, options, variety.separator, pxPerMm);
  paintCoverage(page, furniture, options.traceRgb);
  recycleBuffers([furniture.data]);
  paintCoverage(page, traces, options.traceRgb);
  return { page, traces, drawn };
}

/** The lead traces stroked in image space into `mask` (cleared first: the page's trace coverage, no longer needed, saves allocating one). */
function strokeMask(leads: readonly LeadGroundTruth[], mask: Coverage, widthPx: number): Coverage {
  mask.data.fill(0);
  for (const lead of leads) {
    const ys = lead.y.map((v, i) => (lead.mv[i] === null ? Number.NaN : v));
    strokeWithGaps(mask, lead.x, ys, widthPx);
  }
  return mask;
}

/**
 * A promise started now and awaited later: marked handled at once, so that a
 * rejection while other work runs in between is not reported as unhandled
 * (awaiting it still throws).
 */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Render one record as a page. Validates the options and the record first (EcgError RENDER_INVALID). */
export async function renderPage(record: EcgRecord, config: RenderConfigInput, request: RenderPageRequest & { readonly cleanTwin: false }): Promise<RenderedPageWithoutTwin>;
export async function renderPage(record: EcgRecord, config: RenderConfigInput, request: RenderPageRequest & { readonly cleanTwin?: true }): Promise<RenderedPage>;
export async function renderPage(record: EcgRecord, config: RenderConfigInput, request: RenderPageRequest): Promise<RenderedPage | RenderedPageWithoutTwin>;
export async function renderPage(record: EcgRecord, config: RenderConfigInput, request: RenderPageRequest): Promise<RenderedPage | RenderedPageWithoutTwin> {
  const configured = normalizeRenderOptions(config);
  checkRecord(record);
  const rng = createRng(request.seed);
  const rHeader = rng.fork('header');
  const rPlan = rng.fork('distortions');
  const rPhoto = rng.fork('photometric');
  // Forked last, so that the other streams are those of a page without variety.
  const variety = drawPageVariety(configured, rng.fork('variety'));
  const { options } = variety;

  const layout = layoutPage(options, variety.placement);
  const { pxPerMm, widthPx, heightPx } = layout.page;
  const header = options.header ? makeHeaderFields(rHeader) : null;
  const { timings } = request;
  const { page, traces, drawn } = await timedAsync(timings, 'print', () => printPage(record, layout, variety, header));

  const plan: DistortionPlan = timed(timings, 'plan', () =>
    planDistortions({ noise: options.noise, distort: options.distort, width: widthPx, height: heightPx, pxPerMm }, rPlan),
  );
  const mapping = timed(timings, 'displacementField', () => pageMappingOf(plan, widthPx, heightPx));
  const identity = isIdentityMapping(mapping);
  const noisy = options.noise > 0;
  const twin = request.cleanTwin !== false;
  // A warped twin's grey is looked up by the warp's kernels while its pixels are in their memory (encodeTwinPng's lookup otherwise).
  const greyTable = noisy && twin && !identity ? await greyOfColours() : undefined;
  const warped = identity ? { image: page, grey: undefined } : timed(timings, 'warp', () => warpImageAndGrey(page, mapping, BACKGROUND_RGB, greyTable));
  const clean = warped.image;

  const traceWidthPx = options.traceWidthMm * pxPerMm;
  const leads = timed(timings, 'groundTruthPoints', () => drawn.map((d) => leadGroundTruth(d, mapping, identity, pxPerMm, traceWidthPx / 2)));
  const mask = identity ? traces : timed(timings, 'mask', () => strokeMask(leads, traces, traceWidthPx * plan.zoom));

  // The mask and the clean twin are final: libvips encodes them on its threads while this one runs the photometric chain.
  // A serial sink (phase-timings.ts) waits for each encoding before the next phase starts.
  const serial = serialPhases(timings);
  const maskPng = started(timedAsync(timings, 'encodeMask', () => encodeMaskPng(mask)));
  if (serial) await Promise.allSettled([maskPng]);
  const cleanPng = noisy && twin ? started(timedAsync(timings, 'encodeClean', () => encodeTwinPng(clean, warped.grey))) : undefined;
  if (serial) await Promise.allSettled([cleanPng]);
  let image: RgbImage;
  try {
    // Once warped, the printed page is free for the photometric chain to work in; without a twin to encode, so is the warped page.
    image = noisy ? await applyPhotometric(clean, plan, rPhoto, { timings, scratch: identity ? undefined : page.data, inPlace: !twin }) : clean;
  } catch (error) {
    await Promise.allSettled([maskPng, cleanPng]);
    throw error;
  }
  const [encoded, cleanBytes, maskBytes] = await Promise.all([
    timedAsync(timings, 'encodeImage', () => encodeImage(image, plan.jpegQuality, options.imageFormat)),
    cleanPng,
    maskPng,
  ]);

  const groundTruth: PageGroundTruth = {
    format: 'ecg-lab/page',
    version: 1,
    record: record.name,
    fsHz: record.fsHz,
    recordLength: recordLength(record),
    seed: request.seed,
    files: { image: '', clean: '', mask: '' },
    width: widthPx,
    height: heightPx,
    dpi: options.dpi,
    pixelConvention: 'centre',
    pxPerMm: round5(pxPerMm),
    pxPerMv: round5(options.gainMmPerMv * pxPerMm),
    pxPerS: round5(options.speedMmPerS * pxPerMm),
    render: renderConfigOf(options),
    transform: transformOf(plan, identity),
    photometric: {
      blurSigmaPx: plan.blurSigmaPx,
      sensorNoiseSd: plan.sensorNoiseSd,
      jpegQuality: plan.jpegQuality,
      brightness: plan.brightness,
      contrast: plan.contrast,
      colourTemperature: plan.colourTemperature,
      lightingStrength: plan.lighting.strength,
      stains: plan.stains.length,
      marks: plan.marks.length,
    },
    calibration: calibrationGroundTruth(layout, options, mapping, identity),
    leads,
    header,
    ...(variety.record ? { variety: variety.record } : {}),
  };
  // Every encoding has settled and the page holds only their bytes: its pixel buffers go to the next page.
  recycleBuffers([page.data, traces.data, clean.data, image.data]);
  const files = { image: encoded.bytes, imageFormat: encoded.format, mask: maskBytes, groundTruth };
  return twin ? { ...files, clean: cleanBytes ?? encoded.bytes } : { ...files, clean: null };
}
