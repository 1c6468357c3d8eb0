/**
 * The two boxes of ecg-lab, which differ in units and order, so that a box
 * is never read in the other's convention:
 *
 *   PixelBox   [x0, y0, x1, y1] in pixels of one image, pixel centres at
 *              integers (column i spans x in [i - 0.5, i + 0.5)): what the
 *              renderer's ground truth records.
 *   NormalBox  { y1, x1, y2, x2 } normalised as tf.image.cropAndResize takes
 *              it: page y = y1 (H - 1), so 0 and 1 are the centres of the
 *              first and last pixel: what crops are cut with.
 *
 * The ROI heatmap's boxes (roi-boxes.ts) share NormalBox's shape but are
 * normalised to pixel edges ([0, 1] spans the whole image); roiPlacements
 * converts them.
 */

export type Point = readonly [x: number, y: number];

export type PixelBox = readonly [x0: number, y0: number, x1: number, y1: number];

export interface NormalBox {
  readonly y1: number;
  readonly x1: number;
  readonly y2: number;
  readonly x2: number;
}

/** A PixelBox of a width x height image as the NormalBox cropAndResize takes. */
export function normalisePixelBox(box: PixelBox, width: number, height: number): NormalBox {
  return { x1: box[0] / (width - 1), y1: box[1] / (height - 1), x2: box[2] / (width - 1), y2: box[3] / (height - 1) };
}
