/**
 * From an ROI heatmap to one box per lead: pure functions over typed arrays.
 *
 *   1. Row profile: the heatmap's mean over x per row; the layout's lead rows
 *      are the bands where it exceeds `threshold` x its maximum. Too many
 *      bands (a faint lead splits one) are merged across the smallest gap,
 *      too few (two rows touching) are split at the widest band's weakest
 *      row, until the layout's row count is reached.
 *   2. Within each band, the column profile's extent above threshold is the
 *      row's horizontal span, split into the row's nominal number of equal
 *      columns (every column of a row covers the same time). Its ends are
 *      where the profile crosses the threshold, interpolated between pixel
 *      centres (subPixelExtent): a heatmap pixel is several page pixels, and
 *      the span is the crops' time axis, where a fraction of a sample's
 *      error already costs SNR at QRS flanks.
 *
 * Boxes are normalised [0, 1] page coordinates (pixel edges, not the NormalBox
 * convention of cropAndResize: roiPlacements converts), row-major in
 * layout order: 3x4 gives rows I aVR V1 V4 / II aVL V2 V5 / III aVF V3 V6 /
 * the rhythm strip, the order tf.image.cropAndResize's box list takes.
 */
import type { NormalBox } from './box.js';

/** Probabilities in row-major order, [height, width]. */
export interface Heatmap {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

/** A box the heatmap shows at a layout row and column (roiPlacements turns it into a lead placement). */
export interface RoiBox {
  readonly row: number;
  readonly column: number;
  readonly box: NormalBox;
}

/** How many leads each layout row holds, top to bottom. */
export interface LayoutGrid {
  readonly columnsPerRow: readonly number[];
}

export const LAYOUT_GRIDS = {
  '3x4': { columnsPerRow: [4, 4, 4, 1] },
  '3x4+3': { columnsPerRow: [4, 4, 4, 1, 1, 1] },
  '6x2': { columnsPerRow: [2, 2, 2, 2, 2, 2] },
  '12x1': { columnsPerRow: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
} as const satisfies Record<string, LayoutGrid>;

export function boxCount(grid: LayoutGrid): number {
  return grid.columnsPerRow.reduce((sum, n) => sum + n, 0);
}

/** Mean over x of each row. */
export function rowProfile(heatmap: Heatmap): Float32Array {
  const { data, height, width } = heatmap;
  const out = new Float32Array(height);
  for (let y = 0; y < height; y++) {
    let sum = 0;
    for (let x = 0; x < width; x++) sum += data[y * width + x] as number;
    out[y] = sum / width;
  }
  return out;
}

/** Mean over rows [y0, y1] (inclusive) of each column. */
export function columnProfile(heatmap: Heatmap, y0: number, y1: number): Float32Array {
  const { data, width } = heatmap;
  const out = new Float32Array(width);
  const rows = y1 - y0 + 1;
  for (let y = y0; y <= y1; y++) {
    for (let x = 0; x < width; x++) out[x] = (out[x] as number) + (data[y * width + x] as number) / rows;
  }
  return out;
}

/** Inclusive index ranges. */
export type Band = readonly [start: number, end: number];

/** Maximal runs where profile >= threshold x max(profile). */
export function bandsAbove(profile: Float32Array, threshold: number): Band[] {
  let max = 0;
  for (const v of profile) max = Math.max(max, v);
  if (max <= 0) return [];
  const cut = threshold * max;
  const bands: Band[] = [];
  let start = -1;
  for (let i = 0; i <= profile.length; i++) {
    const above = i < profile.length && (profile[i] as number) >= cut;
    if (above && start < 0) start = i;
    if (!above && start >= 0) {
      bands.push([start, i - 1]);
      start = -1;
    }
  }
  return bands;
}

/**
 * The extent [left, right) in pixel-edge units of bands[0] .. bands[last]:
 * each end where the profile crosses threshold x max, by linear
 * interpolation between the pixel centres either side (i + 0.5); an end at
 * the border of the profile is the border.
 */
export function subPixelExtent(profile: Float32Array, bands: readonly Band[], threshold: number): [number, number] {
  const first = bands[0];
  const last = bands[bands.length - 1];
  if (!first || !last) return [0, profile.length];
  let max = 0;
  for (const v of profile) max = Math.max(max, v);
  const cut = threshold * max;
  const crossing = (inside: number, outside: number) => {
    const a = profile[inside] as number;
    const b = profile[outside] as number;
    const t = a === b ? 0.5 : (a - cut) / (a - b);
    return inside + 0.5 + (outside - inside) * Math.min(1, Math.max(0, t));
  };
  const left = first[0] > 0 ? crossing(first[0], first[0] - 1) : 0;
  const right = last[1] < profile.length - 1 ? crossing(last[1], last[1] + 1) : profile.length;
  return [left, right];
}

/** Merge across the smallest gap until at most `count` bands remain. */
function mergeBands(bands: Band[], count: number): Band[] {
  const out = bands.slice();
  while (out.length > count) {
    let best = 0;
    for (let i = 1; i < out.length - 1; i++) {
      const gap = (out[i + 1] as Band)[0] - (out[i] as Band)[1];
      if (gap < (out[best + 1] as Band)[0] - (out[best] as Band)[1]) best = i;
    }
    out.splice(best, 2, [(out[best] as Band)[0], (out[best + 1] as Band)[1]]);
  }
  return out;
}

/** Split the widest band at its weakest interior row until `count` bands exist. */
function splitBands(bands: Band[], count: number, profile: Float32Array): Band[] {
  const out = bands.slice();
  while (out.length < count) {
    let widest = 0;
    for (let i = 1; i < out.length; i++) {
      const [s, e] = out[i] as Band;
      const [ws, we] = out[widest] as Band;
      if (e - s > we - ws) widest = i;
    }
    const [s, e] = out[widest] as Band;
    if (e - s < 1) break;
    const quarter = Math.max(0, Math.floor((e - s) / 4));
    let cut = Math.floor((s + e) / 2);
    for (let i = s + quarter; i < e - quarter; i++) if ((profile[i] as number) < (profile[cut] as number)) cut = i;
    out.splice(widest, 1, [s, cut], [cut + 1, e]);
  }
  return out;
}

/** Exactly `count` bands, top to bottom (fewer only if the profile is empty or too short to split). */
export function layoutBands(profile: Float32Array, count: number, threshold: number): Band[] {
  const found = bandsAbove(profile, threshold);
  if (found.length === 0) return [];
  return found.length > count ? mergeBands(found, count) : splitBands(found, count, profile);
}

export interface BoxOptions {
  /** Fraction of the profile's maximum that counts as inside (default 0.5). */
  readonly threshold?: number;
}

/** The layout's boxes in row-major order; [] when the heatmap is empty. */
export function heatmapToBoxes(heatmap: Heatmap, grid: LayoutGrid, options: BoxOptions = {}): RoiBox[] {
  const threshold = options.threshold ?? 0.5;
  const rows = layoutBands(rowProfile(heatmap), grid.columnsPerRow.length, threshold);
  if (rows.length !== grid.columnsPerRow.length) return [];
  const boxes: RoiBox[] = [];
  rows.forEach(([y0, y1], row) => {
    const columns = grid.columnsPerRow[row] as number;
    const profile = columnProfile(heatmap, y0, y1);
    const [x0, xEnd] = subPixelExtent(profile, bandsAbove(profile, threshold), threshold);
    const span = (xEnd - x0) / columns;
    for (let column = 0; column < columns; column++) {
      boxes.push({
        row,
        column,
        box: {
          y1: y0 / heatmap.height,
          y2: (y1 + 1) / heatmap.height,
          x1: (x0 + column * span) / heatmap.width,
          x2: (x0 + (column + 1) * span) / heatmap.width,
        },
      });
    }
  });
  return boxes;
}

/** The ROI target: 1 inside any box (pixel centres), 0 elsewhere, [height, width] row-major. */
export function rasterizeBoxes(boxes: readonly NormalBox[], height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  for (const { y1, x1, y2, x2 } of boxes) {
    for (let y = 0; y < height; y++) {
      const cy = (y + 0.5) / height;
      if (cy < y1 || cy > y2) continue;
      for (let x = 0; x < width; x++) {
        const cx = (x + 0.5) / width;
        if (cx >= x1 && cx <= x2) out[y * width + x] = 1;
      }
    }
  }
  return out;
}

/** Boxes as the [n, 4] array of [y1, x1, y2, x2] that tf.image.cropAndResize takes. */
export function boxesToArray(boxes: readonly NormalBox[]): Float32Array {
  const out = new Float32Array(boxes.length * 4);
  boxes.forEach((b, i) => out.set([b.y1, b.x1, b.y2, b.x2], i * 4));
  return out;
}
