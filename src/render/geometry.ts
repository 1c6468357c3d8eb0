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
 * All coordinates are pixel centres.
 */
import type { Rgb } from './options.js';
import type { RgbImage } from './raster.js';
import { takeBuffer, takeZeroedBytes } from '../core/recycled-buffers.js';

/** Row-major 3x3 matrix. */
export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

export const IDENTITY: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function applyHomography(h: Matrix3, x: number, y: number): [number, number] {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

export function invert3(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) throw new RangeError('singular matrix');
  const k = 1 / det;
  return [
    A * k, -(b * i - c * h) * k, (b * f - c * e) * k,
    B * k, (a * i - c * g) * k, -(a * f - c * d) * k,
    C * k, -(a * h - b * g) * k, (a * e - b * d) * k,
  ];
}

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

/** Bilinear sample of `src` at (px, py) into out[o..o+2], taps off the page taking `background`: the page's one-pixel rim. */
function sampleWithBackground(src: RgbImage, background: Rgb, px: number, py: number, out: Uint8ClampedArray, o: number): void {
  const { width, height, data } = src;
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  const fx = px - x0;
  const fy = py - y0;
  const tap = (ix: number, iy: number, c: number) =>
    ix < 0 || iy < 0 || ix >= width || iy >= height ? (background[c] as number) : (data[(iy * width + ix) * 3 + c] as number);
  for (let c = 0; c < 3; c++) {
    out[o + c] = (tap(x0, y0, c) * (1 - fx) + tap(x0 + 1, y0, c) * fx) * (1 - fy) + (tap(x0, y0 + 1, c) * (1 - fx) + tap(x0 + 1, y0 + 1, c) * fx) * fy;
  }
}

/** Source positions are computed exactly every SPAN_PX pixels along a row and interpolated between. */
const SPAN_PX = 8;
/** 16.16 fixed point for the interpolated source positions: within FIXED_LIMIT px of the origin, positions and steps fit in int32. */
const FIXED_BITS = 16;
const FIXED_ONE = 1 << FIXED_BITS;
const FIXED_FRACTION = FIXED_ONE - 1;
const FIXED_LIMIT = 8192;
/** Bilinear weights in 1/1024ths: 255 * 1024 * 1024 fits in int32, and the weight error is at most 1/1024 px. */
const WEIGHT_BITS = 10;
const WEIGHT_DROP = FIXED_BITS - WEIGHT_BITS;
const WEIGHT_SHIFT = 2 * WEIGHT_BITS;
const WEIGHT_HALF = 1 << (WEIGHT_SHIFT - 1);

/** Whether the tap at (x0, y0) and its right, lower and diagonal neighbours are all on the page. */
const interior = (x0: number, y0: number, width: number, height: number) => x0 >= 0 && y0 >= 0 && x0 < width - 1 && y0 < height - 1;

/**
 * Bilinear samples of the page `v` (RGB, `width` px a row) at `count`
 * fixed-point positions from (pxF, pyF) in steps of (sxF, syF), every tap on
 * the page, into `out` from byte o; returns the byte after the last. The two
 * taps of a source row are six bytes (R G B R' G' B'), read as one 32-bit and
 * one 16-bit little-endian load instead of six byte loads, none beyond the
 * right tap. Each channel is lerped across then down,
 * a * 1024 + (b - a) * w, which is the sum a * (1024 - w) + b * w exactly, in
 * half the multiplications.
 */
function warpSpan(v: DataView, out: Uint8Array, width: number, o: number, count: number, pxF: number, pyF: number, sxF: number, syF: number): number {
  const stride = width * 3;
  for (let n = 0; n < count; n++, o += 3, pxF = (pxF + sxF) | 0, pyF = (pyF + syF) | 0) {
    const wx = (pxF & FIXED_FRACTION) >> WEIGHT_DROP;
    const wy = (pyF & FIXED_FRACTION) >> WEIGHT_DROP;
    const k = ((pyF >> FIXED_BITS) * width + (pxF >> FIXED_BITS)) * 3;
    const k2 = k + stride;
    const up = v.getUint32(k, true);
    const upRight = v.getUint16(k + 4, true);
    const down = v.getUint32(k2, true);
    const downRight = v.getUint16(k2 + 4, true);
    let a = up & 0xff;
    let b = down & 0xff;
    let top = (a << WEIGHT_BITS) + ((up >>> 24) - a) * wx;
    let bottom = (b << WEIGHT_BITS) + ((down >>> 24) - b) * wx;
    out[o] = ((top << WEIGHT_BITS) + (bottom - top) * wy + WEIGHT_HALF) >> WEIGHT_SHIFT;
    a = (up >> 8) & 0xff;
    b = (down >> 8) & 0xff;
    top = (a << WEIGHT_BITS) + ((upRight & 0xff) - a) * wx;
    bottom = (b << WEIGHT_BITS) + ((downRight & 0xff) - b) * wx;
    out[o + 1] = ((top << WEIGHT_BITS) + (bottom - top) * wy + WEIGHT_HALF) >> WEIGHT_SHIFT;
    a = (up >> 16) & 0xff;
    b = (down >> 16) & 0xff;
    top = (a << WEIGHT_BITS) + ((upRight >> 8) - a) * wx;
    bottom = (b << WEIGHT_BITS) + ((downRight >> 8) - b) * wx;
    out[o + 2] = ((top << WEIGHT_BITS) + (bottom - top) * wy + WEIGHT_HALF) >> WEIGHT_SHIFT;
  }
  return o;
}

/**
 * Resample a page into an image of the same size through the mapping,
 * bilinear; pixels whose source falls off the page take `background`
 * (blended over one pixel, so the page edge is anti-aliased).
 *
 * Speed: along each row the source position is computed exactly at every
 * SPAN_PX-th pixel and linearly interpolated in between. The displacement
 * field is bilinear on cells aligned to the same span, so only the
 * homography's curvature is approximated: below 1e-3 px for the
 * perspectives the planner draws (checked in test/render/geometry.test.ts).
 * In between, positions are 16.16 fixed point stepped by int32 adds and the
 * bilinear sum is in integers (10-bit weights, within about half a grey
 * level of the sum in doubles): a fifth faster than doubles; reading a
 * row's two taps as two loads instead of six saves another tenth. The page's
 * one-pixel rim, blended with the background, is sampled in doubles.
 */
export function warpImage(src: RgbImage, mapping: PageMapping, background: Rgb): RgbImage {
  const { width, height } = src;
  const s = src.data;
  // Every pixel is written below once a row has a span (two pixels or more): a recycled buffer needs no clearing.
  const out = new Uint8ClampedArray(width > 1 ? takeBuffer(width * height * 3) : takeZeroedBytes(width * height * 3).buffer);
  // Bilinear sums of bytes are bytes, so stores need no clamping: through a plain view of the same memory.
  const w8 = new Uint8Array(out.buffer, out.byteOffset, out.length);
  const taps = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const hi = invert3(mapping.homography);
  const field = mapping.field;
  if (field && field.cellPx !== SPAN_PX) throw new RangeError(`displacement field cells must be ${SPAN_PX} px`);
  const nodes = Math.ceil((width - 1) / SPAN_PX) + 1;
  const nodeX = new Float64Array(nodes);
  const nodeY = new Float64Array(nodes);
  const b0 = background[0];
  const b1 = background[1];
  const b2 = background[2];
  const stride = width * 3;

  for (let y = 0; y < height; y++) {
    let j = 0;
    let fy = 0;
    if (field) {
      const gy = Math.min(y / SPAN_PX, field.rows - 1.000001);
      j = Math.floor(gy);
      fy = gy - j;
    }
    for (let n = 0; n < nodes; n++) {
      const x = Math.min(n * SPAN_PX, width - 1);
      let ux = x;
      let uy = y;
      if (field) {
        // Nodes sit on the field's own grid columns (the last one is clamped to the image edge).
        const gx = x / SPAN_PX;
        const i = Math.min(Math.floor(gx), field.cols - 2);
        const fx = gx - i;
        const k = j * field.cols + i;
        const c = field.cols;
        ux += (field.dx[k]! * (1 - fx) + field.dx[k + 1]! * fx) * (1 - fy) + (field.dx[k + c]! * (1 - fx) + field.dx[k + c + 1]! * fx) * fy;
        uy += (field.dy[k]! * (1 - fx) + field.dy[k + 1]! * fx) * (1 - fy) + (field.dy[k + c]! * (1 - fx) + field.dy[k + c + 1]! * fx) * fy;
      }
      const w = hi[6] * ux + hi[7] * uy + hi[8];
      nodeX[n] = (hi[0] * ux + hi[1] * uy + hi[2]) / w;
      nodeY[n] = (hi[3] * ux + hi[4] * uy + hi[5]) / w;
    }
    let o = y * stride;
    for (let n = 0; n < nodes - 1; n++) {
      const xa = n * SPAN_PX;
      const xb = Math.min(xa + SPAN_PX, width - 1);
      const last = n === nodes - 2 ? xb : xb - 1;
      const ax = nodeX[n]!;
      const ay = nodeY[n]!;
      const bx = nodeX[n + 1]!;
      const by = nodeY[n + 1]!;
      if (!(Math.max(Math.abs(ax), Math.abs(ay), Math.abs(bx), Math.abs(by)) < FIXED_LIMIT)) {
        // Beyond the fixed-point range (far off the page): in doubles.
        for (let x = xa; x <= last; x++, o += 3) sampleWithBackground(src, background, ax + ((bx - ax) * (x - xa)) / (xb - xa), ay + ((by - ay) * (x - xa)) / (xb - xa), out, o);
        continue;
      }
      // Source positions in 16.16 fixed point (int32), stepped by integer adds; weights are their top 10 fraction bits.
      const span = xb - xa;
      let pxF = (ax * FIXED_ONE + 0.5) | 0;
      let pyF = (ay * FIXED_ONE + 0.5) | 0;
      const sxF = (((bx - ax) / span) * FIXED_ONE) | 0;
      const syF = (((by - ay) / span) * FIXED_ONE) | 0;
      // Positions move linearly along the span, so its first and last pixels bound the rest: when both have all four taps on the page, none needs a check.
      const steps = last - xa;
      if (interior(pxF >> FIXED_BITS, pyF >> FIXED_BITS, width, height) && interior((pxF + steps * sxF) >> FIXED_BITS, (pyF + steps * syF) >> FIXED_BITS, width, height)) {
        o = warpSpan(taps, w8, width, o, steps + 1, pxF, pyF, sxF, syF);
        continue;
      }
      for (let x = xa; x <= last; x++, o += 3, pxF = (pxF + sxF) | 0, pyF = (pyF + syF) | 0) {
        const x0 = pxF >> FIXED_BITS;
        const y0 = pyF >> FIXED_BITS;
        if (interior(x0, y0, width, height)) {
          warpSpan(taps, w8, width, o, 1, pxF, pyF, 0, 0);
          continue;
        }
        if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
          out[o] = b0;
          out[o + 1] = b1;
          out[o + 2] = b2;
          continue;
        }
        sampleWithBackground(src, background, pxF / FIXED_ONE, pyF / FIXED_ONE, out, o);
      }
    }
  }
  return { width, height, data: out };
}
