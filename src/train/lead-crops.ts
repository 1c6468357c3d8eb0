/**
 * Where each lead is cut from a page and how its crop rows map to mV: the
 * plain data the roi stage writes and the denoise, digitizer and
 * hierarchical stages turn into crops (tf.image.cropAndResize boxes) and
 * into the models' CropRequests.
 *
 * Boxes are normalised as cropAndResize takes them: page y = y1 (H - 1).
 * `baselineY` is the page row of 0 mV. With fixed crops it is the layout's
 * baseline; with ROI boxes it is estimated from the box (see roiLeadBoxes).
 * The vertical scale is the page's (render.gainMmPerMv at render.dpi, what
 * the calibration pulse shows), converted to crop rows by crop-geometry.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { LeadGroundTruth, PageGroundTruth } from '../render/ground-truth.js';
import {
  columnTargets,
  cropPxPerMv,
  pageYToCropRow,
  type Box,
  type CropGeometry,
  type CropRequest,
  type LeadBox,
} from '../models/index.js';
import type { GreyImage, ImageSize } from './page-images.js';

export interface LeadPlacement {
  readonly leadIndex: number;
  readonly row: number;
  readonly col: number;
  readonly startS: number;
  readonly endS: number;
  readonly box: Box;
  /** Page row (pixel centres) of 0 mV. */
  readonly baselineY: number;
}

export interface PageBoxes {
  readonly record: string;
  readonly width: number;
  readonly height: number;
  readonly pxPerMv: number;
  /** The page's estimated rotation (deskew.ts): boxes and baselines are on the page turned back by it; 0 without digitizer.deskew. */
  readonly deskewDeg: number;
  readonly leads: readonly LeadPlacement[];
}

/**
 * Fraction of a panel's row band the ROI model is trained to mark: the
 * central part, so that neighbouring rows (whose bands touch) stay apart in
 * the heatmap and heatmapToBoxes finds one band per row. Predicted bands are
 * widened back by 1 / ROI_BAND_FRACTION about their centre.
 */
export const ROI_BAND_FRACTION = 0.6;

type PixelBox = readonly [number, number, number, number];

/** A box in page pixels (centres at integers) as cropAndResize's normalised box. */
export function normalisePixelBox(box: PixelBox, width: number, height: number): Box {
  return { x1: box[0] / (width - 1), y1: box[1] / (height - 1), x2: box[2] / (width - 1), y2: box[3] / (height - 1) };
}

function placement(lead: LeadGroundTruth, box: Box, baselineY: number): LeadPlacement {
  return { leadIndex: lead.leadIndex, row: lead.row, col: lead.col, startS: lead.startS, endS: lead.endS, box, baselineY };
}

/** digitizer.roi = false: the nominal layout's crops and baselines (what an undistorted page would have). */
export function nominalLeadBoxes(gt: PageGroundTruth): PageBoxes {
  return {
    record: gt.record,
    width: gt.width,
    height: gt.height,
    pxPerMv: gt.pxPerMv,
    deskewDeg: 0,
    leads: gt.leads.map((lead) => placement(lead, normalisePixelBox(lead.nominalBox, gt.width, gt.height), lead.nominalBaselineY)),
  };
}

/** The ROI model's target boxes: the central ROI_BAND_FRACTION of each panel's (distorted) band, normalised to [0, 1] edges. */
export function roiTargetBoxes(gt: PageGroundTruth): Box[] {
  return gt.leads.map((lead) => {
    const [x0, y0, x1, y1] = lead.panelBox;
    const margin = ((1 - ROI_BAND_FRACTION) / 2) * (y1 - y0);
    return { x1: (x0 + 0.5) / gt.width, x2: (x1 + 0.5) / gt.width, y1: (y0 + margin + 0.5) / gt.height, y2: (y1 - margin + 0.5) / gt.height };
  });
}

/**
 * digitizer.roi = true: the ROI heatmap's boxes (heatmapToBoxes, [0, 1]
 * pixel-edge coordinates, row-major layout order) as placements on a page
 * of `size` pixels, without ground truth (the stages and inference share
 * it). Each predicted band is widened back by 1 / ROI_BAND_FRACTION about
 * its centre. The baseline is not predicted: the layout puts it at a fixed
 * fraction of its row band (render/layout.ts, 0.6 from the top), so it is
 * taken at that fraction of the predicted band. The ROI's band follows the
 * page's shift, zoom and (on average over the row) rotation; the remaining
 * error of a few tenths of a mV is within what the challenge's SNR
 * alignment removes (a vertical offset up to 1 mV). A heatmap row r,
 * column c is the layout panel in row r, column c (3x4: the rhythm strip is
 * row 3, column 0); leads the heatmap misses keep their nominal placement.
 */
export function roiPlacements(nominal: readonly LeadPlacement[], predicted: readonly LeadBox[], size: ImageSize): LeadPlacement[] {
  return nominal.map((lead) => {
    const hit = predicted.find((b) => b.row === lead.row && b.column === lead.col);
    if (!hit) return lead;
    const centre = (hit.box.y1 + hit.box.y2) / 2;
    const half = (hit.box.y2 - hit.box.y1) / 2 / ROI_BAND_FRACTION;
    const nominalTop = lead.box.y1 * (size.height - 1);
    const nominalBottom = lead.box.y2 * (size.height - 1);
    const fraction = (lead.baselineY - nominalTop) / Math.max(1, nominalBottom - nominalTop);
    const topPx = (centre - half) * size.height - 0.5;
    const bottomPx = (centre + half) * size.height - 0.5;
    const box = normalisePixelBox([hit.box.x1 * size.width - 0.5, topPx, hit.box.x2 * size.width - 0.5, bottomPx], size.width, size.height);
    return { ...lead, box, baselineY: topPx + fraction * (bottomPx - topPx) };
  });
}

/** roiPlacements on a rendered page (its nominal boxes from the ground truth). */
export function roiLeadBoxes(gt: PageGroundTruth, predicted: readonly LeadBox[]): PageBoxes {
  const nominal = nominalLeadBoxes(gt);
  return { ...nominal, leads: roiPlacements(nominal.leads, predicted, gt) };
}

/** One lead crop, ready for the models: geometry, scale and (for training) the trace's row per column. */
export interface LeadCrop {
  readonly leadIndex: number;
  readonly startS: number;
  readonly durationS: number;
  readonly box: Box;
  readonly columns: number;
  /** Seconds between columns, column 0 at startS (the box is cut so); absent: columns spread over the box (models/resample.ts). */
  readonly columnStepS?: number;
  readonly baselineRow: number;
  readonly pxPerMv: number;
  readonly targetRows: Float32Array;
  readonly targetMask: Float32Array;
}

function finite(values: readonly (number | null)[]): Float32Array {
  return Float32Array.from(values, (v) => (v === null || !Number.isFinite(v) ? Number.NaN : v));
}

/**
 * The box whose `columns` crop columns (cropAndResize samples the box's
 * edges and evenly between) sit at startS + j / columnsPerS: the panel's box
 * with its right edge moved to the time of the last column. With
 * columnsPerS = the record's fs, every column reads the trace at a sample
 * time, where the rendered polyline has its vertices: reading between them
 * and interpolating back would cut every QRS peak (a [1/4, 1/2, 1/4]
 * smoothing at half a sample's offset, about 15 dB of SNR on its own).
 * The columns past the panel's end are not placed (resample.ts covers
 * [startS, startS + durationS) only) and have no targets.
 */
export function sampleAlignedBox(box: Box, durationS: number, columns: number, columnsPerS: number): Box {
  const spanS = (columns - 1) / columnsPerS;
  return { ...box, x2: box.x1 + ((box.x2 - box.x1) * spanS) / durationS };
}

/**
 * The crops of placements on a page of `size` pixels, without targets (the
 * ground-truth-free part the stages and inference share):
 * `columnsFor(durationS)` gives each crop's width (cropColumns). With
 * `columnsPerS`, boxes are cut so that columns fall on the time grid of that
 * rate (sampleAlignedBox); without, a crop's columns spread over its
 * panel's box. `pagePxPerMv` is the page's vertical scale in page pixels.
 */
export function placedCrops(
  placements: readonly LeadPlacement[],
  size: ImageSize,
  pagePxPerMv: number,
  cropHeight: number,
  columnsFor: (durationS: number) => number,
  columnsPerS?: number,
): LeadCrop[] {
  return placements.map((lead) => {
    const durationS = lead.endS - lead.startS;
    const columns = columnsFor(durationS);
    const box = columnsPerS === undefined ? lead.box : sampleAlignedBox(lead.box, durationS, columns, columnsPerS);
    const g = cropGeometry(box, size, cropHeight, columns);
    const step = columnsPerS === undefined ? {} : { columnStepS: 1 / columnsPerS };
    return {
      leadIndex: lead.leadIndex,
      startS: lead.startS,
      durationS,
      box,
      columns,
      ...step,
      baselineRow: pageYToCropRow(g, lead.baselineY),
      pxPerMv: cropPxPerMv(g, pagePxPerMv),
      targetRows: new Float32Array(columns),
      targetMask: new Float32Array(columns),
    };
  });
}

function cropGeometry(box: Box, size: ImageSize, cropHeight: number, columns: number): CropGeometry {
  return { box, pageHeight: size.height, pageWidth: size.width, cropHeight, cropWidth: columns };
}

/** placedCrops of a rendered page's boxes with the trace's row per column (columnTargets) as training targets. */
export function pageCrops(
  boxes: PageBoxes,
  gt: PageGroundTruth,
  cropHeight: number,
  columnsFor: (durationS: number) => number,
  columnsPerS?: number,
): LeadCrop[] {
  return placedCrops(boxes.leads, boxes, boxes.pxPerMv, cropHeight, columnsFor, columnsPerS).map((crop, i) => {
    const truth = gt.leads[i] as LeadGroundTruth;
    const targets = columnTargets(cropGeometry(crop.box, boxes, cropHeight, crop.columns), finite(truth.x), finite(truth.y));
    return { ...crop, targetRows: targets.rows, targetMask: targets.mask };
  });
}

/** A LeadCrop as the hierarchical model's CropRequest for example `example` of a batch. */
export function cropRequest(crop: LeadCrop, example: number): CropRequest {
  return {
    example,
    lead: crop.leadIndex,
    startS: crop.startS,
    durationS: crop.durationS,
    ...(crop.columnStepS === undefined ? {} : { columnStepS: crop.columnStepS }),
    box: crop.box,
    columns: crop.columns,
    baselineRow: crop.baselineRow,
    pxPerMv: crop.pxPerMv,
    targetRows: crop.targetRows,
    targetMask: crop.targetMask,
  };
}

/** A page as the [1, H, W, 1] tensor the crops are cut from. */
export function pageTensor(image: GreyImage): tf.Tensor4D {
  return tf.tensor4d(image.data, [1, image.height, image.width, 1]);
}

/** Cut the crops of one page (as the hierarchical model does); each crop's pixels, cropHeight x columns, row-major. */
export function cutCrops(image: GreyImage, crops: readonly LeadCrop[], cropHeight: number): Float32Array[] {
  const out: Float32Array[] = new Array(crops.length);
  const widths = [...new Set(crops.map((c) => c.columns))];
  for (const columns of widths) {
    const indices = crops.flatMap((c, i) => (c.columns === columns ? [i] : []));
    const pixels = tf.tidy(() => {
      const page = pageTensor(image);
      const boxes = tf.tensor2d(indices.map((i) => { const b = (crops[i] as LeadCrop).box; return [b.y1, b.x1, b.y2, b.x2]; }), [indices.length, 4]);
      return tf.image.cropAndResize(page, boxes, tf.zeros([indices.length], 'int32'), [cropHeight, columns]).dataSync() as Float32Array;
    });
    const size = cropHeight * columns;
    indices.forEach((cropIndex, k) => (out[cropIndex] = pixels.slice(k * size, (k + 1) * size)));
  }
  return out;
}
