/**
 * Deskew (digitizer.deskew): undo a page's rotation before its leads are
 * found and cut, so that a crop's columns are time and its rows amplitude.
 * An axis-aligned crop of a page tilted by a degrees reads the trace with a
 * ramp of tan(a) x (x - centre) rows, which at 2.5 degrees and a 2.5 s panel
 * is tenths of a mV across the crop, more than the digitizer's own error.
 *
 * The angle is estimated from the page image alone (no ground truth), by
 * projection profiles (Postl 1986; Bloomberg et al. 1995): the grid lines,
 * trace baselines and header text of an ECG page are horizontal on paper,
 * so the profile of their edges (vertical contrast) along the page's y
 * axis, taken after rotating by the right angle, is the sharpest; sharpness
 * is the sum of squares of the profile. A coarse search over +-maxDeg is refined around its best angle.
 *
 * Convention (render/distortions.ts): the renderer maps a page point p to
 * c + R(a) (p - c), c the image centre, R(a) = [cos -sin; sin cos] in pixel
 * coordinates (y down). deskewImage samples the image there, so the output
 * is the page turned back by a; deskewPoint maps an image point q to
 * c + R(-a) (q - c), where the deskewed image shows it.
 */
import type { Point } from './box.js';
import type { GreyImage } from './grey-image.js';

export interface SkewOptions {
  /** Largest rotation searched, degrees (default 10). */
  readonly maxDeg?: number;
}

/** The coarse pass bins the profile by COARSE_BIN_PX rows, which keeps a line's peak as wide as its step (4 / 1100 rad = 0.2 deg). */
const COARSE_STEP_DEG = 0.2;
const COARSE_BIN_PX = 4;
const FINE_STEP_DEG = 0.02;
/**
 * A pixel counts as the edge of a line where its vertical contrast
 * |v(y + 1) - v(y - 1)| reaches this: contrast, not darkness, because a
 * photographed page's paper is anything from white to mid grey under
 * uneven light, and the paper's own edges must not count.
 */
const EDGE_CONTRAST = 0.08;
/**
 * Every COLUMN_STRIDE-th column is enough to find a line's angle and keeps
 * the search near 100 ms per page. Rows are all taken: skipping rows would
 * leave every other profile bin empty at 0 degrees only, doubling the sum
 * of squares there and pulling every estimate to 0.
 */
const COLUMN_STRIDE = 4;

interface Edges {
  readonly dx: Float32Array;
  readonly dy: Float32Array;
  readonly weight: Float32Array;
}

function edgesOf(image: GreyImage): Edges {
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  const dx: number[] = [];
  const dy: number[] = [];
  const weight: number[] = [];
  const { data, width } = image;
  for (let y = 1; y < image.height - 1; y++) {
    for (let x = 0; x < width; x += COLUMN_STRIDE) {
      const contrast = Math.abs((data[(y + 1) * width + x] as number) - (data[(y - 1) * width + x] as number));
      if (contrast < EDGE_CONTRAST) continue;
      dx.push(x - cx);
      dy.push(y - cy);
      weight.push(contrast);
    }
  }
  return { dx: Float32Array.from(dx), dy: Float32Array.from(dy), weight: Float32Array.from(weight) };
}

/** Sum of squares of the edge profile over deskewed rows (y' = -sin(a) dx + cos(a) dy), one bin per binPx rows. */
function sharpness(edges: Edges, deg: number, height: number, binPx: number): number {
  const a = (deg * Math.PI) / 180;
  const sin = Math.sin(a) / binPx;
  const cos = Math.cos(a) / binPx;
  const bins = Math.ceil((2 * height) / binPx);
  const offset = Math.floor(bins / 2);
  const profile = new Float64Array(bins);
  for (let i = 0; i < edges.weight.length; i++) {
    const bin = Math.round(-sin * (edges.dx[i] as number) + cos * (edges.dy[i] as number)) + offset;
    if (bin >= 0 && bin < bins) profile[bin] = (profile[bin] as number) + (edges.weight[i] as number);
  }
  let sum = 0;
  for (const v of profile) sum += v * v;
  return sum;
}

function bestAngle(edges: Edges, height: number, from: number, to: number, step: number, binPx: number): number {
  let best = 0;
  let bestScore = -1;
  const steps = Math.round((to - from) / step);
  for (let k = 0; k <= steps; k++) {
    const deg = from + k * step;
    const score = sharpness(edges, deg, height, binPx);
    // Ties go to the smaller rotation, so an unrotated page stays untouched.
    if (score > bestScore || (score === bestScore && Math.abs(deg) < Math.abs(best))) {
      best = deg;
      bestScore = score;
    }
  }
  return best;
}

/** The page's rotation in degrees (the renderer's rotationDeg convention), to FINE_STEP_DEG; 0 for a blank page. */
export function estimateSkewDeg(image: GreyImage, options: SkewOptions = {}): number {
  const maxDeg = options.maxDeg ?? 10;
  const edges = edgesOf(image);
  if (edges.weight.length === 0) return 0;
  const coarse = bestAngle(edges, image.height, -maxDeg, maxDeg, COARSE_STEP_DEG, COARSE_BIN_PX);
  const fine = bestAngle(edges, image.height, coarse - COARSE_STEP_DEG, coarse + COARSE_STEP_DEG, FINE_STEP_DEG, 1);
  const rounded = Math.round(fine / FINE_STEP_DEG) * FINE_STEP_DEG;
  return Math.abs(rounded) < FINE_STEP_DEG / 2 ? 0 : rounded;
}

/** The image turned back by `deg` about its centre, same size, bilinear; outside the image is white paper. */
export function deskewImage(image: GreyImage, deg: number): GreyImage {
  if (deg === 0) return image;
  const { width, height, data } = image;
  const a = (deg * Math.PI) / 180;
  const sin = Math.sin(a);
  const cos = Math.cos(a);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const out = new Float32Array(width * height);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 1 : (data[y * width + x] as number));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = cx + cos * (x - cx) - sin * (y - cy);
      const sy = cy + sin * (x - cx) + cos * (y - cy);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, width, height };
}

/** Where the deskewed image (deskewImage(deg)) of a width x height image shows image point (x, y). */
export function deskewPoint(x: number, y: number, deg: number, width: number, height: number): Point {
  const a = (deg * Math.PI) / 180;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const dx = x - cx;
  const dy = y - cy;
  return [cx + Math.cos(a) * dx + Math.sin(a) * dy, cy - Math.sin(a) * dx + Math.cos(a) * dy];
}
