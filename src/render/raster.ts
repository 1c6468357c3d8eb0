/**
 * In-memory pixels and the one drawing primitive the renderer needs fast: an
 * anti-aliased thick polyline. Coordinates are pixel centres (pixel (i, j)
 * has its centre at x = i, y = j), the convention of the ground truth.
 *
 * Why not SVG for the traces: librsvg's cost grows with the canvas area
 * (about 90 ms for an empty 2200 x 1700 page on these machines), which alone
 * exceeds the page budget. Static layers (paper, grid, labels) are SVG
 * rasterised once by sharp and cached; traces are drawn here, and the same
 * coverage buffer is the trace mask.
 */
import type { Rgb } from './options.js';
import { takeBuffer, takeZeroedBytes } from '../core/recycled-buffers.js';

/** Interleaved 8-bit RGB; clamped, so arithmetic on it rounds and saturates. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export function createRgbImage(width: number, height: number, fill: Rgb): RgbImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = fill[0];
    data[i + 1] = fill[1];
    data[i + 2] = fill[2];
  }
  return { width, height, data };
}

/** A copy of `image` in a recycled buffer (core/recycled-buffers.ts). */
export function cloneRgbImage(image: RgbImage): RgbImage {
  const data = new Uint8ClampedArray(takeBuffer(image.data.length));
  data.set(image.data);
  return { width: image.width, height: image.height, data };
}

/** Coverage in [0, 255] per pixel; 0 = untouched. */
export interface Coverage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An empty coverage buffer, recycled (core/recycled-buffers.ts) and cleared. */
export function createCoverage(width: number, height: number): Coverage {
  return { width, height, data: takeZeroedBytes(width * height) };
}

/**
 * Draw a polyline of width `widthPx` into a coverage buffer, anti-aliased:
 * a pixel's coverage is clamp(w/2 + 0.5 - d, 0, 1) with d its centre's
 * distance to the nearest segment; overlapping segments take the maximum,
 * so joins are round and never darker than a single stroke.
 */
export function strokePolyline(coverage: Coverage, xs: ArrayLike<number>, ys: ArrayLike<number>, widthPx: number): void {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return;
  if (n === 1) {
    strokeSegment(coverage, xs[0] as number, ys[0] as number, xs[0] as number, ys[0] as number, widthPx);
    return;
  }
  for (let i = 1; i < n; i++) {
    strokeSegment(coverage, xs[i - 1] as number, ys[i - 1] as number, xs[i] as number, ys[i] as number, widthPx);
  }
}

export function strokeSegment(coverage: Coverage, ax: number, ay: number, bx: number, by: number, widthPx: number): void {
  const { width, height, data } = coverage;
  const half = Math.max(widthPx, 0.5) / 2;
  const reach = half + 1;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + reach));
  if (x0 > x1 || y0 > y1) return;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const inv = len2 > 1e-12 ? 1 / len2 : 0;
  for (let y = y0; y <= y1; y++) {
    const py = y - ay;
    const row = y * width;
    for (let x = x0; x <= x1; x++) {
      const px = x - ax;
      let t = (px * dx + py * dy) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      const c = half + 0.5 - Math.sqrt(ex * ex + ey * ey);
      if (c <= 0) continue;
      const v = c >= 1 ? 255 : Math.round(c * 255);
      if (v > (data[row + x] as number)) data[row + x] = v;
    }
  }
}

/**
 * Paint `colour` over `image` with the coverage as opacity (times `opacity`), within rows [rowFrom, rowTo).
 * Coverage is mostly zero (traces cover a few percent of a page), so it is
 * scanned four bytes at a time and empty words are skipped.
 */
export function paintCoverage(image: RgbImage, coverage: Coverage, colour: Rgb, opacity = 1, rowFrom = 0, rowTo = coverage.height): void {
  const { data } = image;
  const cov = coverage.data;
  const [r, g, b] = colour;
  const start = Math.max(0, rowFrom) * coverage.width;
  const end = Math.min(coverage.height, rowTo) * coverage.width;
  const paint = (i: number) => {
    const a = ((cov[i] as number) / 255) * opacity;
    const k = i * 3;
    data[k] = (data[k] as number) + (r - (data[k] as number)) * a;
    data[k + 1] = (data[k + 1] as number) + (g - (data[k + 1] as number)) * a;
    data[k + 2] = (data[k + 2] as number) + (b - (data[k + 2] as number)) * a;
  };
  const aligned = (cov.byteOffset & 3) === 0;
  const wordFrom = aligned ? Math.ceil(start / 4) : end;
  const wordTo = aligned ? Math.max(wordFrom, Math.floor(end / 4)) : end;
  for (let i = start; i < Math.min(end, wordFrom * 4); i++) if (cov[i] !== 0) paint(i);
  if (wordFrom < wordTo) {
    const words = new Uint32Array(cov.buffer, cov.byteOffset, wordTo);
    for (let w = wordFrom; w < wordTo; w++) {
      if (words[w] === 0) continue;
      for (let i = w * 4; i < w * 4 + 4; i++) if (cov[i] !== 0) paint(i);
    }
  }
  for (let i = Math.max(start, wordTo * 4); i < end; i++) if (cov[i] !== 0) paint(i);
}

/** Clear rows [rowFrom, rowTo) of a coverage buffer, so one buffer serves several strokes in turn. */
export function clearCoverageRows(coverage: Coverage, rowFrom: number, rowTo: number): void {
  const from = Math.max(0, rowFrom) * coverage.width;
  const to = Math.min(coverage.height, rowTo) * coverage.width;
  if (to > from) coverage.data.fill(0, from, to);
}

/** Alpha-composite an RGBA patch (non-premultiplied) onto `image` at (left, top). */
export function compositeRgba(image: RgbImage, rgba: Uint8Array, patchWidth: number, patchHeight: number, left: number, top: number): void {
  for (let y = 0; y < patchHeight; y++) {
    const iy = y + top;
    if (iy < 0 || iy >= image.height) continue;
    for (let x = 0; x < patchWidth; x++) {
      const ix = x + left;
      if (ix < 0 || ix >= image.width) continue;
      const s = (y * patchWidth + x) * 4;
      const a = (rgba[s + 3] as number) / 255;
      if (a === 0) continue;
      const d = (iy * image.width + ix) * 3;
      for (let c = 0; c < 3; c++) {
        image.data[d + c] = (image.data[d + c] as number) + ((rgba[s + c] as number) - (image.data[d + c] as number)) * a;
      }
    }
  }
}
