/**
 * Inference on one image, a rendered page or a user's scan or photo. Phases:
 *   1. decode (PNG, JPEG; EXIF orientation applied), greyscale, and resize
 *      to the sizes the cell's models were trained on: the page at
 *      render.dpi (page/layout.ts pageSizeOf), the ROI model's input and
 *      classifier2d's low-resolution page. The image is taken to show the
 *      whole page and is stretched to the page's size ('fill', as the
 *      stages resize), so its rows and columns keep the page's scale.
 *   2. deskew (digitizer.deskew): the page's rotation, and with
 *      digitizer.rectify 'perspective' its perspective, estimated from the
 *      image (page/deskew.ts, page/perspective.ts) and undone, as the roi
 *      stage does; then its paper flattened (page/flatten-background.ts: shadows
 *      of wrinkles, folds and uneven light divided out, DEFAULT_FLATTEN_MM);
 *      the ROI model's input is resized from that page.
 *   3. lead boxes: the ROI heatmap's boxes (page/roi-boxes.ts), widened
 *      back to the full row band as the roi stage does, or the layout's
 *      nominal boxes (digitizer.roi = false, or when the heatmap does not
 *      show the layout's rows and columns); with timeAxis 'page-scale' or
 *      'grid', each row's time axis at the page's or the grid's px per
 *      second, placed by its boxes; with 'image', each row's start and px
 *      per second found in the image (imageTimeAxis).
 *   4. crops (models/leads/crop-cut.ts cutCropPixels, cropHeight x columnsFor(duration)), denoised when
 *      the cell has a denoiser, digitized: per-column soft-argmax rows
 *      (models/leads/crop-leads.ts, as the stages read them).
 *   5. rows to mV with the page's scale (render.gainMmPerMv at render.dpi)
 *      and a 0 mV row per crop: the median of the read rows ('median',
 *      default: a user's page need not put its baselines where the layout
 *      does), or the layout's baseline fraction of the box ('layout', what
 *      the stages trained with).
 *   6. leads on the record's grid (models/leads/crop-leads.ts rowsToLeads):
 *      data.durationS at data.fsHz; samples no crop covers are 0, as in the challenge's
 *      zero-filled signals; the SNR reference is NaN there, so they are
 *      not scored.
 *   7. classification: the hierarchical model on the page and its crops
 *      (crops with the layout baseline, as fine-tuned), or classifier2d on
 *      the low-resolution page; labels where p >= the cell's threshold.
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { CHALLENGE_CLASSES, LEADS, type ChallengeClass } from '../core/ecg.js';
import { EcgError, errorMessage } from '../core/errors.js';
import { inferMessages as msg } from '../core/messages.js';
import type { Logger } from '../core/logger.js';
import type { Config } from '../config/schema/index.js';
import {
  columnsFor,
  cropRequest,
  cropRows,
  cutCropPixels,
  hierarchicalProbabilities,
  medianRow,
  outputOf,
  predictProbabilities,
  readValues,
  rowsToLeads,
  specsOf,
} from '../models/index.js';
import { applyThresholds, type Thresholds } from '../metrics/index.js';
import { pageSizeOf } from '../page/layout.js';
import { channelsOfRgb, detectGrid, findPageGeometry, rowStarts, type PageChannels, type PageGeometry } from '../page/geometry/index.js';
import { DEFAULT_MAX_INPUT_PIXELS, outsideImageOptions, requireWithinPixelLimit } from '../render/image-file.js';
import { estimateSkewDeg } from '../page/deskew.js';
import { hasPerspective, isIdentity, rectifyImage, rotationRectification, type Rectification } from '../page/perspective.js';
import { flattenBackground } from '../page/flatten-background.js';
import { resizeGrey, type GreyImage, type ImageSize } from '../page/grey-image.js';
import { placedCrops, type LeadCrop } from '../page/lead-crop.js';
import { boxesPxPerS, nominalPlacements, placeOnRowLines, placeOnRowStarts, refitTimeAxis, roiPlacements, type LeadPlacement } from '../page/lead-placement.js';
import { heatmapToBoxes, LAYOUT_GRIDS } from '../page/roi-boxes.js';
import type { TrainedCell } from './load-cell.js';

/** Half-width of the paper-brightness closing, mm: wider than a trace, a grid line or a label stroke (at most 0.5 mm), narrower than a wrinkle's shadow. */
export const DEFAULT_FLATTEN_MM = 1;

export type BaselineMethod = 'median' | 'layout';

export type RectifyMethod = Config['digitizer']['rectify'];

export const RECTIFY_METHODS: readonly RectifyMethod[] = ['rotation', 'perspective'];

export const BASELINE_METHODS: readonly BaselineMethod[] = ['median', 'layout'];

/**
 * Where each row's time axis comes from: the ROI boxes' edges ('boxes'), or
 * one axis per row placed by them (page/lead-placement.ts refitTimeAxis) at
 * the page's px per second ('page-scale': the cell's paper at render.dpi) or
 * at the grid's ('grid': page/geometry detectGrid on the image stretched to
 * the page, falling back to the page's scale where no grid is found), or
 * each row's start and scale found in the image ('image': imageTimeAxis).
 */
export type TimeAxis = 'boxes' | 'page-scale' | 'grid' | 'image';

export const TIME_AXES: readonly TimeAxis[] = ['boxes', 'page-scale', 'grid', 'image'];

/** The image stretched to `size` as page channels (page/geometry page-channels.ts), decoded as readUserImage decodes it. */
async function pageChannelsAt(path: string, size: ImageSize, maxPixels: number): Promise<PageChannels> {
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(path, outsideImageOptions(maxPixels)).rotate().flatten({ background: '#ffffff' }).removeAlpha().toColourspace('srgb').resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new EcgError('IMAGE_INVALID', msg.imageUnreadable(path, errorMessage(error)), { cause: error });
  }
  return channelsOfRgb(decoded.data, decoded.info.width, decoded.info.height, decoded.info.channels);
}

/**
 * Horizontal px per second of an image stretched to `size` for `timeAxis`
 * ('page-scale' or 'grid'), and where it came from.
 */
export async function timeAxisScale(
  config: Config,
  path: string,
  size: ImageSize,
  timeAxis: 'page-scale' | 'grid',
  logger: Logger,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): Promise<{ pxPerS: number; source: 'page' | 'grid' }> {
  const page = pageSizeOf(config.render);
  const pageScale = { pxPerS: (config.render.speedMmPerS * page.pxPerMm * size.width) / page.widthPx, source: 'page' as const };
  if (timeAxis === 'page-scale') return pageScale;
  const grid = detectGrid(await pageChannelsAt(path, size, maxPixels));
  if (!grid.found || grid.scaleSource !== 'grid') {
    logger.warn(msg.gridScaleFallback(path, grid.scaleSource));
    return pageScale;
  }
  return { pxPerS: config.render.speedMmPerS * grid.pxPerMmX, source: 'grid' };
}

/** Farthest (mm) a row's start found in the image may lie from where its ROI boxes start it: the ROI model is within about 1 mm on ecg-image-kit's clean pages (bench/RESULTS.md). */
const MAX_START_SHIFT_MM = 3;
/** The same for a start from column bars, which outrank the boxes (placeOnRowStarts) but not by a beat or a panel: QRS strokes taken for bars on a page without a grid. */
const MAX_BAR_SHIFT_MM = 10;

/**
 * 'image': the placements (on the page rectified by `rectification`) with each
 * row's time axis found in the image: the page's geometry (page/geometry
 * findPageGeometry, rectified the same way, so that its coordinates
 * are the placements'), px per second from the grid's px per mm at the
 * paper speed (where no grid is found: from the column bars where found,
 * else one scale fitted to the ROI boxes' panel edges, lead-placement.ts
 * boxesPxPerS, since a grid-less page need not be at the cell's paper size
 * and DPI; the page's scale only where the boxes pin none), each row's start
 * from its column separators, calibration pulse or ink (row-starts.ts), placed by
 * placeOnRowStarts. Where the image shows no trace rows, or none near a
 * lead row, or a start not from column bars more than MAX_START_SHIFT_MM
 * from the ROI boxes', those rows are placed by their ROI boxes at that
 * scale, with a warning naming the image. Also the samples each row's
 * calibration pulse hides on that axis (PulseGuard), which `digitize` holds.
 */
export async function imageTimeAxis(
  config: Config,
  path: string,
  size: ImageSize,
  placements: readonly LeadPlacement[],
  rectification: Rectification,
  logger: Logger,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): Promise<TimeAxisPlacements> {
  return onImageTimeAxis(config, path, size, await pageGeometryAt(path, size, rectification, maxPixels), placements, MAX_START_SHIFT_MM, logger);
}

/**
 * 'image' where the leads' boxes are the layout's nominal ones because the
 * ROI model did not find the layout: each row's band
 * and 0 mV line from the rows found in the image too (page/lead-placement.ts
 * placeOnRowLines: a pulse's foot, else the row's coverage peak), then its
 * time axis as imageTimeAxis finds it. null, with a warning, when the image
 * does not show the layout's number of rows.
 */
export async function imageRowsAndTimeAxis(
  config: Config,
  path: string,
  size: ImageSize,
  nominal: readonly LeadPlacement[],
  rectification: Rectification,
  logger: Logger,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): Promise<TimeAxisPlacements | null> {
  const geometry = await pageGeometryAt(path, size, rectification, maxPixels);
  const lines = geometry.layout.rows.map((r) => r.pulse?.footY ?? r.y);
  const moved = placeOnRowLines(nominal, size, lines, geometry.layout.rowSpacingPx);
  if (!moved) {
    logger.warn(msg.imageRowsMismatch(path, lines.length, new Set(nominal.map((p) => p.row)).size));
    return null;
  }
  // Nominal boxes start a row where the layout does, not where the page does: no ROI start to hold the found one to.
  return onImageTimeAxis(config, path, size, geometry, moved, Infinity, logger);
}

/** The page's geometry (page/geometry findPageGeometry) on the image stretched to `size`, rectified by `rectification` so that its coordinates are those of the page the placements are on. */
async function pageGeometryAt(path: string, size: ImageSize, rectification: Rectification, maxPixels: number): Promise<PageGeometry> {
  return findPageGeometry(await pageChannelsAt(path, size, maxPixels), { rectification });
}

/**
 * Where the first panel of a row starts under its calibration pulse: the
 * lead's samples from `fromS` to `untilS` lie in the columns of the pulse's
 * falling stroke (ecg-image-kit draws the fall about 0.5 mm after its trace
 * starts), where the digitizer reads the stroke, not the trace.
 */
export interface PulseGuard {
  readonly leadIndex: number;
  readonly fromS: number;
  readonly untilS: number;
}

/** Columns past the falling stroke's centre (mm) that still read it: half its width and the digitizer's reach. */
const PULSE_GUARD_MM = 0.5;
/** Longest span (mm) a pulse can hide: ecg-image-kit's trace starts 0.5 mm before the fall. A longer one is a start placed off the trace, not a pulse over it. */
const MAX_PULSE_GUARD_MM = 1.5;

/** Placements on the image's time axis, and the samples of each row's first panel that its pulse's fall hides (pulseGuards). */
export interface TimeAxisPlacements {
  readonly placements: LeadPlacement[];
  readonly guards: PulseGuard[];
}

/** imageTimeAxis on a found geometry, a row's start kept within `maxShiftMm` of its boxes' (placeOnRowStarts). */
function onImageTimeAxis(config: Config, path: string, size: ImageSize, geometry: PageGeometry, placements: readonly LeadPlacement[], maxShiftMm: number, logger: Logger): TimeAxisPlacements {
  const page = pageSizeOf(config.render);
  const fromGrid = geometry.grid.found && geometry.grid.scaleSource === 'grid';
  // Without a grid, the scale the ROI boxes' edges give (the page drawn or photographed at another size than the cell's), else the page's.
  const fromBoxes = fromGrid ? undefined : boxesPxPerS(placements, size);
  const source = fromGrid ? 'grid' : fromBoxes !== undefined ? 'boxes' : 'page';
  if (!fromGrid) logger.warn(msg.imageScaleFallback(path, source));
  const pxPerS = fromGrid ? config.render.speedMmPerS * geometry.grid.pxPerMmX : (fromBoxes ?? (config.render.speedMmPerS * page.pxPerMm * size.width) / page.widthPx);
  const rows = rowStarts(geometry.layout, geometry.mask, geometry.rectified.ink, { pxPerMmX: geometry.grid.pxPerMmX, pxPerMmY: geometry.grid.pxPerMmY, pxPerS, fromGrid });
  if (rows.length === 0) {
    logger.warn(msg.rowStartsFallback(path, source));
    return { placements: refitTimeAxis(placements, size, pxPerS), guards: [] };
  }
  const pxPerMm = pxPerS / config.render.speedMmPerS;
  // Nominal boxes (maxShiftMm Infinity) hold no start to keep a found one near.
  const maxBarShiftMm = maxShiftMm === Infinity ? Infinity : MAX_BAR_SHIFT_MM;
  const placed = placeOnRowStarts(placements, size, rows, geometry.layout.rowSpacingPx, pxPerS, maxShiftMm * pxPerMm, maxBarShiftMm * pxPerMm);
  if (placed.unmatchedRows.length > 0) logger.warn(msg.rowStartsUnmatched(path, placed.unmatchedRows, maxShiftMm, maxBarShiftMm));
  return { placements: placed.placements, guards: pulseGuards(placed.placements, geometry, size, pxPerS, geometry.grid.pxPerMmX) };
}

/**
 * The samples a left calibration pulse's falling stroke hides (PulseGuard),
 * per row of `placements` whose found row (the nearest in 0 mV line) has
 * its pulse found (else the page's median fall): from the row's first
 * panel's start to PULSE_GUARD_MM past the fall, where that is after the
 * start and at most MAX_PULSE_GUARD_MM. ecg-lab's default pulse
 * ends in a 1 mm foot before its trace: nothing is hidden there.
 */
function pulseGuards(placements: readonly LeadPlacement[], geometry: PageGeometry, size: ImageSize, pxPerS: number, pxPerMm: number): PulseGuard[] {
  const { layout } = geometry;
  if (layout.pulseSide !== 'left') return [];
  // A row whose pulse was not found (a QRS or a label beside it) takes the page's: one upright page's pulses stand at one x.
  const falls = layout.rows.flatMap((r) => (r.pulse ? [r.pulse.fallX] : [])).sort((a, b) => a - b);
  const pageFall = falls[Math.floor(falls.length / 2)];
  const lineOf = (r: (typeof layout.rows)[number]) => r.pulse?.footY ?? r.y;
  const guards: PulseGuard[] = [];
  for (const row of new Set(placements.map((p) => p.row))) {
    const first = placements.filter((p) => p.row === row).reduce((a, b) => (b.box.x1 < a.box.x1 ? b : a));
    const found = layout.rows.reduce((a, b) => (Math.abs(lineOf(b) - first.baselineY) < Math.abs(lineOf(a) - first.baselineY) ? b : a));
    const fallX = found.pulse?.fallX ?? pageFall;
    if (fallX === undefined || Math.abs(lineOf(found) - first.baselineY) > layout.rowSpacingPx / 2) continue;
    const startX = first.box.x1 * (size.width - 1);
    const hiddenPx = fallX + PULSE_GUARD_MM * pxPerMm - startX;
    if (hiddenPx <= 0 || hiddenPx > MAX_PULSE_GUARD_MM * pxPerMm) continue;
    const untilS = first.startS + hiddenPx / pxPerS;
    guards.push({ leadIndex: first.leadIndex, fromS: first.startS, untilS: Math.min(untilS, first.endS) });
  }
  return guards;
}

/** Hold each guarded span of `signals` (PulseGuard) at the first sample after it. */
function holdPulseGuards(signals: Float32Array[], guards: readonly PulseGuard[], fsHz: number): void {
  for (const guard of guards) {
    const lead = signals[guard.leadIndex];
    if (!lead) continue;
    const from = Math.max(0, Math.round(guard.fromS * fsHz));
    const until = Math.min(lead.length - 1, Math.ceil(guard.untilS * fsHz));
    const held = lead[until] as number;
    if (!Number.isFinite(held)) continue;
    for (let i = from; i < until; i++) lead[i] = held;
  }
}

const MIN_WIDTH = 64;
const MIN_HEIGHT = 48;

export interface UserImage {
  /** The file's size after EXIF orientation. */
  readonly original: ImageSize;
  /** One per requested size. */
  readonly images: GreyImage[];
}

/** Decode `path` once and resize it to each of `sizes` (grey in [0, 1], 1 = white); IMAGE_INVALID naming the file on any defect. */
export async function readUserImage(path: string, sizes: readonly ImageSize[], maxPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<UserImage> {
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(path, outsideImageOptions(maxPixels)).rotate().flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    await requireWithinPixelLimit(path, maxPixels);
    throw new EcgError('IMAGE_INVALID', msg.imageUnreadable(path, errorMessage(error)), { cause: error });
  }
  const { width, height, channels } = decoded.info;
  if (width < MIN_WIDTH || height < MIN_HEIGHT) throw new EcgError('IMAGE_INVALID', msg.imageTooSmall(path, width, height));
  const images = await Promise.all(
    sizes.map(async (size) => {
      const resized = await sharp(decoded.data, { raw: { width, height, channels }, limitInputPixels: maxPixels })
        .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const pixels = resized.info.width * resized.info.height;
      const data = new Float32Array(pixels);
      for (let i = 0; i < pixels; i++) data[i] = (resized.data[i * resized.info.channels] as number) / 255;
      return { data, width: resized.info.width, height: resized.info.height };
    }),
  );
  return { original: { width, height }, images };
}

/** The ROI model's heatmap of one image ([0, 1], the model's input size). */
async function roiHeatmap(roi: tf.LayersModel, input: GreyImage): Promise<Float32Array> {
  return readValues(tf.tidy(() => tf.sigmoid(outputOf(roi, tf.tensor4d(input.data, [1, input.height, input.width, 1]), { training: false }))));
}

/**
 * LeadCrops of placements on a page, cut as the stages cut them
 * (page/lead-crop.ts placedCrops): columns on the digitizer.columnsPerS time
 * grid, the placements' 0 mV rows and the page's scale in crop pixels; no
 * targets.
 */
export function inferenceCrops(config: Config, placements: readonly LeadPlacement[], size: ImageSize): LeadCrop[] {
  const page = pageSizeOf(config.render);
  const pagePxPerMv = (config.render.gainMmPerMv * page.pxPerMm * size.height) / page.heightPx;
  return placedCrops(placements, size, pagePxPerMv, config.digitizer.cropHeight, columnsFor(config), config.digitizer.columnsPerS);
}

/** 0 mV row per crop: the median of its rows over the columns that show the record ('median'), or the layout's baseline ('layout'). */
function zeroRows(crops: readonly LeadCrop[], rows: readonly Float32Array[], baseline: BaselineMethod): number[] {
  return crops.map((crop, i) => {
    if (baseline === 'layout') return crop.baselineRow;
    const shown = crop.columnStepS === undefined ? crop.columns : Math.min(crop.columns, Math.ceil(crop.durationS / crop.columnStepS - 1e-9));
    return medianRow((rows[i] as Float32Array).subarray(0, shown));
  });
}

export interface Classification {
  readonly probabilities: Readonly<Record<ChallengeClass, number>>;
  readonly thresholds: Thresholds;
  readonly labels: readonly ChallengeClass[];
  /** `hierarchical` (classifier2d + classifier1d on the digitized leads, combined) or `image` (classifier2d alone). */
  readonly model: 'hierarchical' | 'image';
}

export interface InferenceResult {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  /** How the leads were found: `roi`, `nominal` (layout), or `image` (the layout's rows found in the image: timeAxis 'image' where the ROI model did not find the layout). */
  readonly boxes: 'roi' | 'nominal' | 'image';
  /** The page's rotation turned back before finding the leads, degrees at the page's centre (0 without digitizer.deskew). */
  readonly deskewDeg: number;
  /** Whether a perspective was undone as well (digitizer.rectify 'perspective' and one found). */
  readonly perspective: boolean;
  /** The 12 leads (LEADS order) at data.fsHz over data.durationS, mV; 0 where the page shows nothing. */
  readonly signals: readonly Float32Array[] | null;
  readonly fsHz: number;
  readonly classification: Classification | null;
}

export interface InferenceOptions {
  readonly baseline?: BaselineMethod;
  /** Default 'boxes'. 'page-scale' assumes the image shows the whole page at the cell's paper size (render.paper), as a scan does; 'grid' measures the scale on the image's grid; 'image' also each row's start (imageTimeAxis). */
  readonly timeAxis?: TimeAxis;
  readonly logger: Logger;
  /** Largest image decoded, in pixels (default sharp's 16383 x 16383). */
  readonly maxPixels?: number;
  /**
   * The leads' placements on the page at the cell's page size (rectified
   * when digitizer.deskew is on), given instead of
   * found: called with the found ones; a diagnostic that reads a page with
   * known or refitted geometry, e.g. a foreign page's ground truth, to tell
   * the digitizer's reading from the finding of the leads.
   */
  readonly placements?: (size: ImageSize, found: readonly LeadPlacement[]) => LeadPlacement[];
  /**
   * Divide the page by its paper brightness (page/flatten-background.ts),
   * a closing over a square of this half-width in mm, before the leads are
   * found and read: shadows of wrinkles and folds and uneven light off, strokes
   * narrower than the square kept. Default DEFAULT_FLATTEN_MM; 0: as decoded.
   */
  readonly flattenMm?: number;
  /**
   * What deskew undoes, in place of the cell's digitizer.rectify (a cell
   * written before that key existed trained with 'rotation', which is then
   * the default).
   */
  readonly rectify?: RectifyMethod;
}

/** Lead placements of a page: the ROI model's boxes when the cell has one and they fit the layout, else nominal. */
interface FoundLeads {
  readonly placements: LeadPlacement[];
  readonly boxes: InferenceResult['boxes'];
  /** Samples the calibration pulse hides (time axis 'image' only). */
  readonly guards?: readonly PulseGuard[];
}

async function findLeads(cell: TrainedCell, path: string, roiInput: GreyImage | undefined, size: ImageSize, logger: Logger): Promise<FoundLeads> {
  const nominal = nominalPlacements(cell.config.render, size);
  if (!cell.roi || !roiInput) return { placements: nominal, boxes: 'nominal' };
  const heatmap = { data: await roiHeatmap(cell.roi, roiInput), height: roiInput.height, width: roiInput.width };
  const found = heatmapToBoxes(heatmap, LAYOUT_GRIDS[cell.config.render.layout], { threshold: cell.config.model.roi.threshold });
  if (found.length !== nominal.length) {
    logger.warn(msg.roiFallback(path, found.length, nominal.length));
    return { placements: nominal, boxes: 'nominal' };
  }
  return { placements: roiPlacements(nominal, found, size), boxes: 'roi' };
}

async function classifyPage(cell: TrainedCell, page: GreyImage, lowRes: GreyImage, crops: readonly LeadCrop[]): Promise<Classification> {
  const classification = cell.classification;
  if (!classification) throw new TypeError('classifyPage needs a cell loaded with its classifier');
  const lowResTensor = () => tf.tensor4d(lowRes.data, [1, lowRes.height, lowRes.width, 1]);
  const output = tf.tidy(() => {
    if (classification.kind === 'image') return predictProbabilities(classification.classifier2d, lowResTensor());
    const specs = specsOf(cell.config);
    const geometry = { cropHeight: cell.config.digitizer.cropHeight, fsHz: specs.classifier1d.length / cell.config.data.durationS, length: specs.classifier1d.length };
    const batch = { lowRes: lowResTensor(), page: tf.tensor4d(page.data, [1, page.height, page.width, 1]), crops: crops.map((c) => cropRequest(c, 0)) };
    return hierarchicalProbabilities(classification.parts, batch, geometry);
  });
  const values = await readValues(output);
  const probabilities = Object.fromEntries(CHALLENGE_CLASSES.map((c, k) => [c, values[k] as number])) as Record<ChallengeClass, number>;
  const labels = applyThresholds([values], cell.thresholds)[0] ?? [];
  return { probabilities, thresholds: cell.thresholds, labels, model: classification.kind };
}

/**
 * The found placements with each row's time axis as options.timeAxis says
 * (default 'boxes': as they are). Nominal boxes keep the layout's axis:
 * a cell without a ROI model (digitizer.roi = false) reads the layout's
 * fixed crops, as it trained. Where its ROI model missed the layout,
 * 'image' finds the rows in the image too (imageRowsAndTimeAxis; boxes
 * 'image').
 */
async function placedOnTimeAxis(cell: TrainedCell, path: string, size: ImageSize, found: FoundLeads, rectification: Rectification, options: InferenceOptions): Promise<FoundLeads> {
  const { config } = cell;
  const timeAxis = options.timeAxis ?? 'boxes';
  if (timeAxis === 'boxes' || found.placements.length === 0) return found;
  if (found.boxes === 'nominal') {
    if (timeAxis !== 'image' || !cell.roi) return found;
    const placed = await imageRowsAndTimeAxis(config, path, size, found.placements, rectification, options.logger, options.maxPixels);
    return placed ? { ...placed, boxes: 'image' } : found;
  }
  if (timeAxis === 'image') return { ...found, ...(await imageTimeAxis(config, path, size, found.placements, rectification, options.logger, options.maxPixels)) };
  return { ...found, placements: refitTimeAxis(found.placements, size, (await timeAxisScale(config, path, size, timeAxis, options.logger, options.maxPixels)).pxPerS) };
}

/**
 * How a page is turned upright before its leads are found (digitizer.deskew,
 * digitizer.rectify): 'perspective' (page/perspective.ts, kept where
 * page/geometry detectGrid finds a grid on the rectified page, else the
 * rotation alone), 'rotation' (page/deskew.ts's angle alone) or 'none'.
 * `image` is the page as decoded, stretched to `size`.
 */
export async function pageRectification(path: string, size: ImageSize, image: GreyImage, how: RectifyMethod | 'none', maxPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<Rectification> {
  if (how === 'perspective') return detectGrid(await pageChannelsAt(path, size, maxPixels)).rectification;
  return rotationRectification(how === 'rotation' ? estimateSkewDeg(image) : 0, image.width, image.height);
}

/** Digitize and/or classify one image with a loaded cell (what it was loaded with decides which). */
export async function inferImage(cell: TrainedCell, path: string, options: InferenceOptions): Promise<InferenceResult> {
  const { config } = cell;
  const page = pageSizeOf(config.render);
  const specs = specsOf(config);
  const size: ImageSize = { width: page.widthPx, height: page.heightPx };
  const needCrops = cell.digitization !== null || cell.classification?.kind === 'hierarchical';
  const deskew = config.digitizer.deskew && needCrops;
  const roiSize = { width: specs.roi.inputWidth, height: specs.roi.inputHeight };
  const flattenPx = Math.round((options.flattenMm ?? DEFAULT_FLATTEN_MM) * page.pxPerMm);
  const sizes: ImageSize[] = [size];
  // A flattened page gives the ROI model its input by resizing it: the decoder's resize is not needed then.
  const decodedRoi = Boolean(cell.roi) && needCrops && flattenPx === 0;
  if (decodedRoi) sizes.push(roiSize);
  const lowResSize = { width: specs.classifier2d.inputWidth, height: specs.classifier2d.inputHeight };
  if (cell.classification) sizes.push(lowResSize);
  const { original, images } = await readUserImage(path, sizes, options.maxPixels);
  const rectification = await pageRectification(path, size, images[0] as GreyImage, deskew ? (options.rectify ?? config.digitizer.rectify ?? 'rotation') : 'none', options.maxPixels);
  const turned = rectifyImage(images[0] as GreyImage, rectification);
  const pageImage = flattenPx > 0 ? flattenBackground(turned, flattenPx) : turned;
  // An upright page keeps the decoder's resize, as the roi stage does.
  const roiInput = !cell.roi || !needCrops ? undefined : decodedRoi && isIdentity(rectification) ? images[1] : await resizeGrey(pageImage, roiSize);
  const lowRes = cell.classification ? (images[images.length - 1] as GreyImage) : undefined;

  const boxed = needCrops ? await findLeads(cell, path, roiInput, size, options.logger) : { placements: [], boxes: 'nominal' as const };
  const found = await placedOnTimeAxis(cell, path, size, boxed, rectification, options);
  const leads = options.placements ? { placements: options.placements(size, found.placements), boxes: found.boxes } : found;
  const crops = inferenceCrops(config, leads.placements, size);
  const fsHz = config.data.fsHz;
  let signals: Float32Array[] | null = null;
  if (cell.digitization) {
    const pixels = await cutCropPixels(pageImage, crops, config.digitizer.cropHeight);
    const rows = await cropRows(cell.digitization, crops, (i) => pixels[i] as Float32Array, config.digitizer.cropHeight);
    signals = await rowsToLeads(crops, rows, zeroRows(crops, rows, options.baseline ?? 'median'), fsHz, Math.round(config.data.durationS * fsHz));
    // Given placements are not the found ones the guards were measured on.
    if (!options.placements) holdPulseGuards(signals, found.guards ?? [], fsHz);
  }
  const classification = cell.classification && lowRes ? await classifyPage(cell, pageImage, lowRes, crops) : null;
  return { image: path, width: original.width, height: original.height, boxes: leads.boxes, deskewDeg: rectification.angleDeg, perspective: hasPerspective(rectification), signals, fsHz, classification };
}
