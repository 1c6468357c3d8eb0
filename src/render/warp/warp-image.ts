/**
 * The image resampled backwards through a page's mapping (geometry.ts): for
 * each image pixel q its source p = H^-1 (q + E(q)) on the printed page,
 * sampled bilinearly. One full pass over the page, the costliest of a noisy
 * page's distortions, hence the integer arithmetic below (issue 21).
 */
import type { Rgb } from '../options.js';
import type { RgbImage } from '../raster.js';
import { invert3, type DisplacementField, type Matrix3, type PageMapping } from '../geometry.js';
import { takeBuffer, takeZeroedBytes } from '../../core/recycled-buffers.js';
import { renderKernels, type RenderKernels } from '../wasm/render-kernels.js';

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
const SPAN_BITS = 3;
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
/** The half of one lerp's rounding: (a * 1024 + (b - a) * w + 512) >> 10 is the two-lerp sum of equal pairs, rounded alike. */
const WEIGHT_ROUND = 1 << (WEIGHT_BITS - 1);

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
 * half the multiplications. Where the taps are equal in pairs (flat paper,
 * and beside grid lines that run along a row or down a column: most of a
 * page) the lerp between equal pairs is skipped, which is what it gives.
 */
function warpSpan(v: DataView, out: Uint8Array, width: number, o: number, count: number, pxF: number, pyF: number, sxF: number, syF: number): number {
  const stride = width * 3;
  for (let n = 0; n < count; n++, o += 3, pxF = (pxF + sxF) | 0, pyF = (pyF + syF) | 0) {
    const k = ((pyF >> FIXED_BITS) * width + (pxF >> FIXED_BITS)) * 3;
    const k2 = k + stride;
    const up = v.getUint32(k, true);
    const upRight = v.getUint16(k + 4, true);
    const down = v.getUint32(k2, true);
    const downRight = v.getUint16(k2 + 4, true);
    // Whether a row's two taps are one colour: R G B against R' G' B'.
    const flatUp = ((up >>> 24) | (upRight << 8)) === (up & 0xffffff);
    if (up === down && upRight === downRight) {
      if (flatUp) {
        out[o] = up;
        out[o + 1] = up >> 8;
        out[o + 2] = up >> 16;
        continue;
      }
      o = lerpAcross(out, o, up, upRight, (pxF & FIXED_FRACTION) >> WEIGHT_DROP);
      continue;
    }
    const wy = (pyF & FIXED_FRACTION) >> WEIGHT_DROP;
    if (flatUp && ((down >>> 24) | (downRight << 8)) === (down & 0xffffff)) {
      let a = up & 0xff;
      out[o] = ((a << WEIGHT_BITS) + ((down & 0xff) - a) * wy + WEIGHT_ROUND) >> WEIGHT_BITS;
      a = (up >> 8) & 0xff;
      out[o + 1] = ((a << WEIGHT_BITS) + (((down >> 8) & 0xff) - a) * wy + WEIGHT_ROUND) >> WEIGHT_BITS;
      a = (up >> 16) & 0xff;
      out[o + 2] = ((a << WEIGHT_BITS) + (((down >> 16) & 0xff) - a) * wy + WEIGHT_ROUND) >> WEIGHT_BITS;
      continue;
    }
    const wx = (pxF & FIXED_FRACTION) >> WEIGHT_DROP;
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

/** The lerp across one source row's two taps (left: `left`'s low three bytes; right: its top byte and `right`'s two) into out[o..o+2]; returns o. */
function lerpAcross(out: Uint8Array, o: number, left: number, right: number, wx: number): number {
  let a = left & 0xff;
  out[o] = ((a << WEIGHT_BITS) + ((left >>> 24) - a) * wx + WEIGHT_ROUND) >> WEIGHT_BITS;
  a = (left >> 8) & 0xff;
  out[o + 1] = ((a << WEIGHT_BITS) + ((right & 0xff) - a) * wx + WEIGHT_ROUND) >> WEIGHT_BITS;
  a = (left >> 16) & 0xff;
  out[o + 2] = ((a << WEIGHT_BITS) + ((right >> 8) - a) * wx + WEIGHT_ROUND) >> WEIGHT_BITS;
  return o;
}

/**
 * Source positions (page pixels) of the image pixels (x, y) at x = 0, SPAN_PX,
 * 2 SPAN_PX, ... (the last clamped to the image's right edge) on image row y,
 * into xs and ys: q -> u = q + E(q) -> p = H^-1 u, with `hi` = H^-1.
 */
function sourceNodesOfRow(field: DisplacementField | undefined, hi: Matrix3, width: number, y: number, xs: Float64Array, ys: Float64Array): void {
  let j = 0;
  let fy = 0;
  if (field) {
    const gy = Math.min(y / SPAN_PX, field.rows - 1.000001);
    j = Math.floor(gy);
    fy = gy - j;
  }
  for (let n = 0; n < xs.length; n++) {
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
    xs[n] = (hi[0] * ux + hi[1] * uy + hi[2]) / w;
    ys[n] = (hi[3] * ux + hi[4] * uy + hi[5]) / w;
  }
}

/** A node within this many px of the page's last row or column may have a tap off the page once interpolated in fixed point. */
const INSIDE_MARGIN_PX = 1 / 256;

/**
 * Two rows of the node grid (above and below a band of SPAN_PX image rows)
 * and what the band's rows need of them: which spans (cells) have every
 * source position's four taps on the page, and the nodes of the current
 * image row in 16.16 fixed point, stepped down the band by int32 adds.
 */
class NodeBand {
  aX: Float64Array;
  aY: Float64Array;
  bX: Float64Array;
  bY: Float64Array;
  /** Span n (between nodes n and n + 1) lies inside the page on every row of the band: its source positions are bilinear combinations of its four nodes. */
  readonly spanInside: Uint8Array;
  readonly nodeXF: Int32Array;
  readonly nodeYF: Int32Array;
  private readonly stepXF: Int32Array;
  private readonly stepYF: Int32Array;
  /** The spans with spanInside 0, the first `outsideCount` entries: what is left to JavaScript where the kernels warp the others. */
  readonly outside: Int32Array;
  outsideCount = 0;

  /** `shared`: where the kernels read the fixed-point nodes, their steps and the inside flags (their memory), else new arrays. */
  constructor(nodes: number, shared?: { readonly nodeXF: Int32Array; readonly nodeYF: Int32Array; readonly stepXF: Int32Array; readonly stepYF: Int32Array; readonly spanInside: Uint8Array }) {
    this.aX = new Float64Array(nodes);
    this.aY = new Float64Array(nodes);
    this.bX = new Float64Array(nodes);
    this.bY = new Float64Array(nodes);
    this.spanInside = shared?.spanInside ?? new Uint8Array(Math.max(nodes - 1, 0));
    this.nodeXF = shared?.nodeXF ?? new Int32Array(nodes);
    this.nodeYF = shared?.nodeYF ?? new Int32Array(nodes);
    this.stepXF = shared?.stepXF ?? new Int32Array(nodes);
    this.stepYF = shared?.stepYF ?? new Int32Array(nodes);
    this.outside = new Int32Array(Math.max(nodes - 1, 0));
  }

  /** Move down one band: the row below becomes the row above, and `fillBelow` computes the new row below. */
  advance(width: number, height: number, fillBelow: (xs: Float64Array, ys: Float64Array) => void): void {
    [this.aX, this.aY, this.bX, this.bY] = [this.bX, this.bY, this.aX, this.aY];
    fillBelow(this.bX, this.bY);
    const { aX, aY, bX, bY, nodeXF, nodeYF, stepXF, stepYF, spanInside } = this;
    const fits = width <= FIXED_LIMIT && height <= FIXED_LIMIT;
    const low = INSIDE_MARGIN_PX;
    const xHigh = width - 1 - INSIDE_MARGIN_PX;
    const yHigh = height - 1 - INSIDE_MARGIN_PX;
    let previous = false;
    this.outsideCount = 0;
    for (let n = 0; n < aX.length; n++) {
      const ax = aX[n]!;
      const ay = aY[n]!;
      const bx = bX[n]!;
      const by = bY[n]!;
      const inside = fits && ax >= low && ax <= xHigh && bx >= low && bx <= xHigh && ay >= low && ay <= yHigh && by >= low && by <= yHigh;
      if (n > 0) {
        spanInside[n - 1] = previous && inside ? 1 : 0;
        if (!(previous && inside)) this.outside[this.outsideCount++] = n - 1;
      }
      previous = inside;
      if (!inside) continue;
      nodeXF[n] = (ax * FIXED_ONE + 0.5) | 0;
      nodeYF[n] = (ay * FIXED_ONE + 0.5) | 0;
      stepXF[n] = Math.round(((bx - ax) * FIXED_ONE) / SPAN_PX);
      stepYF[n] = Math.round(((by - ay) * FIXED_ONE) / SPAN_PX);
    }
  }

  /** The fixed-point nodes of the next image row of the band. */
  stepDown(): void {
    for (let n = 0; n < this.nodeXF.length; n++) {
      this.nodeXF[n] = (this.nodeXF[n]! + this.stepXF[n]!) | 0;
      this.nodeYF[n] = (this.nodeYF[n]! + this.stepYF[n]!) | 0;
    }
  }
}

/**
 * One image row, `fy` of the way down its band: spans inside the page from
 * the fixed-point nodes with no bounds check; the others from nodes in
 * doubles, beyond the fixed-point range (far off the page) in doubles,
 * otherwise checked at both ends and, where one end has a tap off the page,
 * pixel by pixel: off the page the background, on its one-pixel rim blended
 * with it.
 */
function warpRow(src: RgbImage, v: DataView, out: Uint8ClampedArray, w8: Uint8Array, rowStart: number, band: NodeBand, fy: number, background: Rgb, insideDone: boolean): void {
  const { width, height } = src;
  const { aX, aY, bX, bY, nodeXF, nodeYF, spanInside, outside } = band;
  const spans = spanInside.length;
  const todo = insideDone ? band.outsideCount : spans;
  for (let m = 0; m < todo; m++) {
    const n = insideDone ? outside[m]! : m;
    const xa = n * SPAN_PX;
    const xb = Math.min(xa + SPAN_PX, width - 1);
    // The last span includes the right edge.
    const last = n === spans - 1 ? xb : xb - 1;
    let o = rowStart + xa * 3;
    if (spanInside[n] === 1) {
      const pxF = nodeXF[n]!;
      const pyF = nodeYF[n]!;
      const dx = nodeXF[n + 1]! - pxF;
      const dy = nodeYF[n + 1]! - pyF;
      const full = xb - xa === SPAN_PX;
      warpSpan(v, w8, width, o, last - xa + 1, pxF, pyF, full ? dx >> SPAN_BITS : (dx / (xb - xa)) | 0, full ? dy >> SPAN_BITS : (dy / (xb - xa)) | 0);
      continue;
    }
    const ax = aX[n]! + (bX[n]! - aX[n]!) * fy;
    const ay = aY[n]! + (bY[n]! - aY[n]!) * fy;
    const bx = aX[n + 1]! + (bX[n + 1]! - aX[n + 1]!) * fy;
    const by = aY[n + 1]! + (bY[n + 1]! - aY[n + 1]!) * fy;
    if (!(Math.max(Math.abs(ax), Math.abs(ay), Math.abs(bx), Math.abs(by)) < FIXED_LIMIT)) {
      for (let x = xa; x <= last; x++, o += 3) sampleWithBackground(src, background, ax + ((bx - ax) * (x - xa)) / (xb - xa), ay + ((by - ay) * (x - xa)) / (xb - xa), out, o);
      continue;
    }
    const span = xb - xa;
    let pxF = (ax * FIXED_ONE + 0.5) | 0;
    let pyF = (ay * FIXED_ONE + 0.5) | 0;
    const sxF = (((bx - ax) / span) * FIXED_ONE) | 0;
    const syF = (((by - ay) / span) * FIXED_ONE) | 0;
    // Positions move linearly along the span, so its first and last pixels bound the rest: when both have all four taps on the page, none needs a check.
    const steps = last - xa;
    if (interior(pxF >> FIXED_BITS, pyF >> FIXED_BITS, width, height) && interior((pxF + steps * sxF) >> FIXED_BITS, (pyF + steps * syF) >> FIXED_BITS, width, height)) {
      warpSpan(v, w8, width, o, steps + 1, pxF, pyF, sxF, syF);
      continue;
    }
    for (let x = xa; x <= last; x++, o += 3, pxF = (pxF + sxF) | 0, pyF = (pyF + syF) | 0) {
      const x0 = pxF >> FIXED_BITS;
      const y0 = pyF >> FIXED_BITS;
      if (interior(x0, y0, width, height)) {
        warpSpan(v, w8, width, o, 1, pxF, pyF, 0, 0);
        continue;
      }
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        out[o] = background[0];
        out[o + 1] = background[1];
        out[o + 2] = background[2];
        continue;
      }
      sampleWithBackground(src, background, pxF / FIXED_ONE, pyF / FIXED_ONE, out, o);
    }
  }
}

/**
 * Resample a page into an image of the same size through the mapping,
 * bilinear; pixels whose source falls off the page take `background`
 * (blended over one pixel, so the page edge is anti-aliased).
 *
 * Speed: the source position is computed exactly on a grid of nodes every
 * SPAN_PX pixels across and down (sourceNodesOfRow on image rows 0, SPAN_PX,
 * 2 SPAN_PX, ...) and interpolated bilinearly in between: down the grid's
 * columns for each image row, then along the row. The displacement field is
 * bilinear on cells of the same grid, so only the homography's curvature
 * over one cell is approximated: below 1e-3 px for the perspectives the
 * planner draws (checked in test/render/geometry.test.ts). Positions are
 * 16.16 fixed point stepped by int32 adds, down the grid's columns and along
 * a row, and the bilinear sum is in integers (10-bit weights, within about
 * half a grey level of the sum in doubles); a row's two taps are read as two
 * loads instead of six, and four equal taps (flat paper, about a third of a
 * page) are copied as they are, which is what the sum gives. Cells whose
 * four nodes lie inside the page (most of a page) skip every bounds check;
 * where the WebAssembly kernels are built (wasm/render-kernels.ts) those
 * cells' pixels are computed there, the same sum for three channels at once
 * in SIMD lanes (warpWithKernels).
 */
export function warpImage(src: RgbImage, mapping: PageMapping, background: Rgb): RgbImage {
  return warpImageAndGrey(src, mapping, background).image;
}

/**
 * warpImage, and with the kernels and a grey table (image-file.ts
 * greyOfColours) also the warped image's grey by lookup while its pixels
 * are still in the kernels' memory: the clean twin's grey, which
 * encodeTwinPng would otherwise look up in JavaScript. grey is undefined
 * without the kernels or the table.
 */
export function warpImageAndGrey(src: RgbImage, mapping: PageMapping, background: Rgb, greyTable?: Uint8Array): { image: RgbImage; grey: Uint8Array | undefined } {
  const { width, height } = src;
  const bytes = width * height * 3;
  const kernels = width > 1 ? renderKernels() : undefined;
  const hi = invert3(mapping.homography);
  const field = mapping.field;
  if (field && field.cellPx !== SPAN_PX) throw new RangeError(`displacement field cells must be ${SPAN_PX} px`);
  const nodes = Math.ceil((width - 1) / SPAN_PX) + 1;
  if (kernels) return warpWithKernels(kernels, src, hi, field, nodes, background, greyTable);
  // Every pixel is written below when a row has a span (two pixels or more): a recycled buffer needs no clearing.
  const out = new Uint8ClampedArray(width > 1 ? takeBuffer(bytes) : takeZeroedBytes(bytes).buffer);
  // Bilinear sums of bytes are bytes, so stores need no clamping: through a plain view of the same memory.
  const w8 = new Uint8Array(out.buffer, out.byteOffset, out.length);
  const taps = new DataView(src.data.buffer, src.data.byteOffset, src.data.byteLength);
  const band = new NodeBand(nodes);
  eachRow(band, field, hi, width, height, () => band.stepDown(), (y, fy) => warpRow(src, taps, out, w8, y * width * 3, band, fy, background, false));
  return { image: { width, height, data: out }, grey: undefined };
}

/**
 * warpImage with the spans inside the page in WebAssembly (wasm/render-kernels.ts):
 * the page is copied into the kernels' memory, each row's inside spans run
 * there from the band's fixed-point nodes (kept in that memory too), the
 * other spans here as above, writing the same memory; the result is copied
 * out into a recycled buffer. Same bytes as the JavaScript path.
 */
function warpWithKernels(
  kernels: RenderKernels,
  src: RgbImage,
  hi: Matrix3,
  field: DisplacementField | undefined,
  nodes: number,
  background: Rgb,
  greyTable: Uint8Array | undefined,
): { image: RgbImage; grey: Uint8Array | undefined } {
  const { width, height } = src;
  const bytes = width * height * 3;
  const tableAt = greyTable ? kernels.resident(greyTable) : 0;
  const [srcAt, outAt, xAt, yAt, stepXAt, stepYAt, insideAt, greyAt] = kernels.place([bytes, bytes, nodes * 4, nodes * 4, nodes * 4, nodes * 4, nodes, greyTable ? width * height : 0]) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const memory = kernels.memory;
  new Uint8Array(memory, srcAt, bytes).set(src.data);
  const out = new Uint8ClampedArray(memory, outAt, bytes);
  const w8 = new Uint8Array(memory, outAt, bytes);
  const taps = new DataView(src.data.buffer, src.data.byteOffset, src.data.byteLength);
  const spanInside = new Uint8Array(memory, insideAt, nodes - 1);
  const band = new NodeBand(nodes, {
    nodeXF: new Int32Array(memory, xAt, nodes),
    nodeYF: new Int32Array(memory, yAt, nodes),
    stepXF: new Int32Array(memory, stepXAt, nodes),
    stepYF: new Int32Array(memory, stepYAt, nodes),
    spanInside,
  });
  // The kernels step the fixed-point nodes one image row down (band.stepDown's adds, on the steps advance() wrote there).
  const stepDown = () => kernels.stepNodes(xAt, yAt, stepXAt, stepYAt, nodes);
  eachRow(band, field, hi, width, height, stepDown, (y, fy) => {
    const rowStart = y * width * 3;
    // Read the row so that its source rows go up the page (assembly/render.ts warpInsideSpans: about twice as fast as down).
    const backward = band.aY[nodes - 1]! + (band.bY[nodes - 1]! - band.aY[nodes - 1]!) * fy > band.aY[0]! + (band.bY[0]! - band.aY[0]!) * fy;
    kernels.warpInsideSpans(srcAt, outAt + rowStart, width, xAt, yAt, insideAt, spanInside.length, backward);
    warpRow(src, taps, out, w8, rowStart, band, fy, background, true);
  });
  const result = new Uint8ClampedArray(takeBuffer(bytes));
  result.set(out);
  let grey: Uint8Array | undefined;
  if (greyTable) {
    kernels.greyOf(outAt, greyAt, width * height, tableAt);
    grey = new Uint8Array(takeBuffer(width * height));
    grey.set(new Uint8Array(kernels.memory, greyAt, width * height));
  }
  return { image: { width, height, data: result }, grey };
}

/**
 * Walk the image rows, moving `band` down the node grid: `row(y, fy)` with
 * fy how far down its band row y is; `stepDown` moves the band's fixed-point
 * nodes one row down (band.stepDown, or the kernels' stepNodes).
 */
function eachRow(band: NodeBand, field: DisplacementField | undefined, hi: Matrix3, width: number, height: number, stepDown: () => void, row: (y: number, fy: number) => void): void {
  sourceNodesOfRow(field, hi, width, 0, band.bX, band.bY);
  for (let y = 0; y < height; y++) {
    const j = Math.floor(y / SPAN_PX);
    const fy = (y - j * SPAN_PX) / SPAN_PX;
    if (fy === 0) band.advance(width, height, (xs, ys) => sourceNodesOfRow(field, hi, width, (j + 1) * SPAN_PX, xs, ys));
    else stepDown();
    row(y, fy);
  }
}
