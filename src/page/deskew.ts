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
 * is the sum of squares of the profile. A coarse search over +-maxDeg is
 * refined around its best angle. The edges are perspective.ts lineEdges.
 *
 * Convention (render/distortions.ts): the renderer maps a page point p to
 * c + R(a) (p - c), c the image centre, R(a) = [cos -sin; sin cos] in pixel
 * coordinates (y down); the angle found is that a. perspective.ts turns the
 * page back (rotationRectification) and also finds its perspective.
 */
import type { GreyImage } from './grey-image.js';
import { lineEdges, type LineEdges } from './perspective.js';

export interface SkewOptions {
  /** Largest rotation searched, degrees (default 10). */
  readonly maxDeg?: number;
}

/** The coarse pass bins the profile by COARSE_BIN_PX rows, which keeps a line's peak as wide as its step (4 / 1100 rad = 0.2 deg). */
const COARSE_STEP_DEG = 0.2;
const COARSE_BIN_PX = 4;
const FINE_STEP_DEG = 0.02;

/** Sum of squares of the edge profile over deskewed rows (y' = -sin(a) x + cos(a) y, centred), one bin per binPx rows. */
function sharpness(edges: LineEdges, deg: number, height: number, binPx: number): number {
  const a = (deg * Math.PI) / 180;
  const sin = Math.sin(a) / binPx;
  const cos = Math.cos(a) / binPx;
  const bins = Math.ceil((2 * height) / binPx);
  const offset = Math.floor(bins / 2);
  const profile = new Float64Array(bins);
  for (let i = 0; i < edges.weight.length; i++) {
    const bin = Math.round(-sin * (edges.along[i] as number) + cos * (edges.across[i] as number)) + offset;
    if (bin >= 0 && bin < bins) profile[bin] = (profile[bin] as number) + (edges.weight[i] as number);
  }
  let sum = 0;
  for (const v of profile) sum += v * v;
  return sum;
}

function bestAngle(edges: LineEdges, height: number, from: number, to: number, step: number, binPx: number): number {
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
  const edges = lineEdges(image, 'horizontal');
  if (edges.weight.length === 0) return 0;
  const coarse = bestAngle(edges, image.height, -maxDeg, maxDeg, COARSE_STEP_DEG, COARSE_BIN_PX);
  const fine = bestAngle(edges, image.height, coarse - COARSE_STEP_DEG, coarse + COARSE_STEP_DEG, FINE_STEP_DEG, 1);
  const rounded = Math.round(fine / FINE_STEP_DEG) * FINE_STEP_DEG;
  return Math.abs(rounded) < FINE_STEP_DEG / 2 ? 0 : rounded;
}
