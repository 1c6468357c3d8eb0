/**
 * The geometric distortion as a known mapping from page pixels p to image
 * pixels q, so that the image and the ground truth move together exactly:
 *
 *   u = H p                (homography: rotation, perspective, zoom/crop; projective)
 *   q + E(q) = u           (E: smooth displacement of wrinkles and creases)
 *
 * The image is resampled backwards (q -> u = q + E(q) -> p = H^-1 u, bilinear);
 * ground-truth points go forwards (p -> u = H p -> q by the fixed point
 * q = u - E(q), which converges because |grad E| < 1 by construction).
 * E is a field sampled on a grid of `cellPx` and bilinearly interpolated:
 * that interpolant *is* the field, so both directions use the same E.
 * All coordinates are pixel centres. The image's resampling, a full pass over
 * the page, is warp/warp-image.ts.
 */

export { IDENTITY, applyHomography, invert3, type Matrix3 } from '../page/homography.js';
import { IDENTITY, applyHomography, invert3, type Matrix3 } from '../page/homography.js';

/** The homography taking four points `from` to four points `to` (direct linear transform, h33 = 1). */
export function homographyFromCorners(from: readonly (readonly [number, number])[], to: readonly (readonly [number, number])[]): Matrix3 {
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as readonly [number, number];
    const [u, v] = to[i] as readonly [number, number];
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const s = solveLinear(rows);
  return [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], 1] as unknown as Matrix3;
}

/** Gaussian elimination with partial pivoting on an augmented n x (n+1) matrix. */
function solveLinear(aug: number[][]): number[] {
  const n = aug.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(aug[r]![col]!) > Math.abs(aug[pivot]![col]!)) pivot = r;
    [aug[col], aug[pivot]] = [aug[pivot]!, aug[col]!];
    const p = aug[col]!;
    if (Math.abs(p[col]!) < 1e-12) throw new RangeError('degenerate corners');
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = aug[r]!;
      const k = row[col]! / p[col]!;
      if (k === 0) continue;
      for (let c = col; c <= n; c++) row[c] = row[c]! - k * p[c]!;
    }
  }
  return aug.map((row, i) => row[n]! / row[i]!);
}

/** A displacement field on a regular grid over the image (see the file comment). */
export interface DisplacementField {
  readonly cellPx: number;
  readonly cols: number;
  readonly rows: number;
  readonly dx: Float32Array;
  readonly dy: Float32Array;
}

/** The field at (x, y) into out[0], out[1] (no allocation: the ground truth evaluates it tens of thousands of times a page). */
function evalFieldInto(field: DisplacementField, x: number, y: number, out: Float64Array): void {
  const gx = Math.min(Math.max(x / field.cellPx, 0), field.cols - 1.000001);
  const gy = Math.min(Math.max(y / field.cellPx, 0), field.rows - 1.000001);
  const i = Math.floor(gx);
  const j = Math.floor(gy);
  const fx = gx - i;
  const fy = gy - j;
  const k = j * field.cols + i;
  const c = field.cols;
  const { dx, dy } = field;
  out[0] = (dx[k]! * (1 - fx) + dx[k + 1]! * fx) * (1 - fy) + (dx[k + c]! * (1 - fx) + dx[k + c + 1]! * fx) * fy;
  out[1] = (dy[k]! * (1 - fx) + dy[k + 1]! * fx) * (1 - fy) + (dy[k + c]! * (1 - fx) + dy[k + c + 1]! * fx) * fy;
}

const fieldScratch = new Float64Array(2);

export function evalField(field: DisplacementField, x: number, y: number): [number, number] {
  evalFieldInto(field, x, y, fieldScratch);
  return [fieldScratch[0]!, fieldScratch[1]!];
}

/** The full geometric mapping of one page. */
export interface PageMapping {
  /** Page pixels -> image pixels before the displacement field. */
  readonly homography: Matrix3;
  readonly field?: DisplacementField;
}

export function isIdentityMapping(mapping: PageMapping): boolean {
  return !mapping.field && mapping.homography.every((v, i) => v === IDENTITY[i]);
}

/** Page pixel -> image pixel. */
export function mapPoint(mapping: PageMapping, x: number, y: number): [number, number] {
  const [ux, uy] = applyHomography(mapping.homography, x, y);
  if (!mapping.field) return [ux, uy];
  let qx = ux;
  let qy = uy;
  for (let iter = 0; iter < 30; iter++) {
    evalFieldInto(mapping.field, qx, qy, fieldScratch);
    const nx = ux - fieldScratch[0]!;
    const ny = uy - fieldScratch[1]!;
    const moved = Math.abs(nx - qx) + Math.abs(ny - qy);
    qx = nx;
    qy = ny;
    if (moved < 1e-6) break;
  }
  return [qx, qy];
}

/** Image pixel -> page pixel. */
export function unmapPoint(mapping: PageMapping, qx: number, qy: number): [number, number] {
  let ux = qx;
  let uy = qy;
  if (mapping.field) {
    const [ex, ey] = evalField(mapping.field, qx, qy);
    ux += ex;
    uy += ey;
  }
  return applyHomography(invert3(mapping.homography), ux, uy);
}
