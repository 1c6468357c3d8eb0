/**
 * Shadows off a page photo: the paper's own brightness (uneven light, wrinkle
 * and fold shadows, stains) estimated as the grey closing of the page, a
 * max filter then a min filter over a square of side 2 radius + 1, which
 * removes every dark stroke narrower than the square (traces, grid lines,
 * text) and keeps what is broader; the page is then divided by it, so that
 * paper reads white again wherever it lies and a stroke keeps its contrast
 * against the paper around it. ecg-image-kit's wrinkles (`--wrinkles`) draw
 * dark streaks as dark as the trace and tens of pixels wide, which a
 * digitizer trained on pages without them reads as ink (issue 18).
 */
import type { GreyImage } from './grey-image.js';

/** Running max (or min) over 2 radius + 1 samples along lines of `count` values `step` apart, from `start`; windows clipped at the ends. */
function slide(src: Float32Array, dst: Float32Array, start: number, step: number, count: number, radius: number, max: boolean): void {
  for (let i = 0; i < count; i++) {
    const from = Math.max(0, i - radius);
    const to = Math.min(count - 1, i + radius);
    let v = src[start + from * step]!;
    for (let j = from + 1; j <= to; j++) {
      const w = src[start + j * step]!;
      if (max ? w > v : w < v) v = w;
    }
    dst[start + i * step] = v;
  }
}

/** A separable max (or min) filter over a square of side 2 radius + 1. */
function squareFilter(image: GreyImage, radius: number, max: boolean): Float32Array {
  const { width, height, data } = image;
  const across = new Float32Array(data.length);
  for (let y = 0; y < height; y++) slide(data, across, y * width, 1, width, radius, max);
  const out = new Float32Array(data.length);
  for (let x = 0; x < width; x++) slide(across, out, x, width, height, radius, max);
  return out;
}

/** The page's paper brightness: its grey closing with a square of side 2 radius + 1. */
export function paperBrightness(image: GreyImage, radius: number): GreyImage {
  const dilated = { ...image, data: squareFilter(image, radius, true) };
  return { ...image, data: squareFilter(dilated, radius, false) };
}

/** The page divided by its paper brightness (paperBrightness), clamped to [0, 1]: white paper, strokes against it. */
export function flattenBackground(image: GreyImage, radius: number): GreyImage {
  const paper = paperBrightness(image, radius).data;
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, image.data[i]! / Math.max(paper[i]!, 1e-3));
  return { ...image, data };
}
