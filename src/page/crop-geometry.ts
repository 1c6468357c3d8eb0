/**
 * Page <-> crop coordinates, and the digitizer's per-column targets, as
 * tf.image.cropAndResize defines them: for a box [y1, x1, y2, x2] (normalised)
 * on a page of height Hp, crop row r (of cropHeight) samples page row
 *
 *   y = y1 (Hp - 1) + r (y2 - y1) (Hp - 1) / (cropHeight - 1)
 *
 * and likewise for columns. Pure functions over numbers and typed arrays.
 */
import type { NormalBox } from './box.js';

export interface CropGeometry {
  readonly box: NormalBox;
  readonly pageHeight: number;
  readonly pageWidth: number;
  readonly cropHeight: number;
  readonly cropWidth: number;
}

/** Page pixels per crop row (and per crop column). */
function rowStep(g: CropGeometry): number {
  return ((g.box.y2 - g.box.y1) * (g.pageHeight - 1)) / Math.max(1, g.cropHeight - 1);
}

function columnStep(g: CropGeometry): number {
  return ((g.box.x2 - g.box.x1) * (g.pageWidth - 1)) / Math.max(1, g.cropWidth - 1);
}

export function pageYToCropRow(g: CropGeometry, y: number): number {
  return (y - g.box.y1 * (g.pageHeight - 1)) / rowStep(g);
}

export function cropRowToPageY(g: CropGeometry, row: number): number {
  return g.box.y1 * (g.pageHeight - 1) + row * rowStep(g);
}

export function cropColumnToPageX(g: CropGeometry, column: number): number {
  return g.box.x1 * (g.pageWidth - 1) + column * columnStep(g);
}

/** The page's vertical scale in crop rows per mV. */
export function cropPxPerMv(g: CropGeometry, pagePxPerMv: number): number {
  return pagePxPerMv / rowStep(g);
}

export interface ColumnTargets {
  /** Crop row of the trace per column (0 where masked). */
  readonly rows: Float32Array;
  /** 1 where the column has a ground-truth row inside the crop, else 0. */
  readonly mask: Float32Array;
}

/** Index of the last element <= x in an ascending array, -1 if none. */
function lastAtOrBelow(xs: Float32Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The trace's crop row at each crop column, from the renderer's per-sample
 * page positions (xPx ascending with time, yPx; NaN where a sample is not
 * drawn): linear interpolation between the samples either side of the
 * column's page x. Columns outside the drawn samples, or whose row falls
 * outside the crop, are masked.
 */
export function columnTargets(g: CropGeometry, xPx: Float32Array, yPx: Float32Array): ColumnTargets {
  const rows = new Float32Array(g.cropWidth);
  const mask = new Float32Array(g.cropWidth);
  for (let c = 0; c < g.cropWidth; c++) {
    const x = cropColumnToPageX(g, c);
    const i = lastAtOrBelow(xPx, x);
    if (i < 0) continue;
    const x0 = xPx[i] as number;
    const y0 = yPx[i] as number;
    let y = y0;
    if (x > x0) {
      if (i + 1 >= xPx.length) continue;
      const x1 = xPx[i + 1] as number;
      const y1 = yPx[i + 1] as number;
      y = y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
    const row = pageYToCropRow(g, y);
    if (!Number.isFinite(row) || row < 0 || row > g.cropHeight - 1) continue;
    rows[c] = row;
    mask[c] = 1;
  }
  return { rows, mask };
}
