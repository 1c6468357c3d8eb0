/**
 * The integer convolution that sharp's `blur(sigma)` runs on an 8-bit image,
 * worked out here so that the renderer's WebAssembly kernels can blur a page
 * in their own memory with libvips' arithmetic to the byte (photometric.ts;
 * test/render/blur-mask.test.ts compares with sharp across sigmas).
 *
 * libvips builds the mask with gaussmat (separable, integer precision):
 * taps while exp(-x^2 / 2 sigma^2) stays at or above `minAmplitude`, each
 * rint(20 exp(-x^2 / 2 sigma^2)), scale their sum. It convolves along rows,
 * then down columns, each pass back to 8 bits, the image's edge extended.
 * Each pass is convi, which on 8-bit images has two arms:
 *
 *   - a vector arm (Highway): the mask over a power-of-two denominator,
 *     8-bit mantissas m_i = rint(128 (c_i / scale) 2^-shift) with
 *     shift = ceil(log2(max c_i / scale) + 1), out = (2^(exp - 1) + sum m_i p_i)
 *     >> exp with exp = 7 - shift. libvips takes it unless the mantissas
 *     turn a flat 128 into a value more than 2 away (its accuracy check).
 *   - the C arm otherwise: out = (sum c_i p_i + scale / 2) / scale, truncated.
 *
 * The two differ by a level or more on most pixels (a 3-tap [5 20 5] mask is
 * C, [7 20 7] vector), which is why the arm matters. This follows the
 * libvips 8.17 that sharp 0.34 ships; another libvips may choose otherwise,
 * which the test would show.
 */

export interface BlurMask {
  /** The pass's coefficients: mantissas on the vector arm, the integer mask on the C arm; centred, odd count. */
  readonly coeffs: Int32Array;
  /** The vector arm's final shift (> 0), or 0 for the C arm. */
  readonly exp: number;
  /** The C arm's divisor (the integer mask's sum); 1 on the vector arm. */
  readonly scale: number;
}

/** C's rint in the default rounding mode: to the nearest integer, halves to even. */
function rint(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** gaussmat's separable integer mask of `sigma` (one tap where sigma is too small to reach a neighbour). */
export function gaussianIntegerMask(sigma: number, minAmplitude: number): Int32Array {
  const sig2 = 2 * sigma * sigma;
  const maxX = Math.trunc(8 * sigma);
  let x = 0;
  while (x < maxX && Math.exp(-(x * x) / sig2) >= minAmplitude) x++;
  const half = Math.max(x - 1, 0);
  const mask = new Int32Array(2 * half + 1);
  for (let i = -half; i <= half; i++) mask[i + half] = rint(20 * Math.exp(-(i * i) / sig2));
  return mask;
}

/**
 * The arm convi takes for `mask` on an 8-bit image, and its coefficients;
 * undefined where neither arm applies as modelled here (a mask libvips
 * would scale oddly: a zero sum, or a vector shift of 0 or less).
 */
export function libvipsBlurMask(sigma: number, minAmplitude: number): BlurMask | undefined {
  const mask = gaussianIntegerMask(sigma, minAmplitude);
  const scale = mask.reduce((sum, c) => sum + c, 0);
  if (scale <= 0) return undefined;
  const scaled = Array.from(mask, (c) => c / scale);
  const shift = Math.ceil(Math.log2(Math.max(...scaled)) + 1);
  const exp = 7 - shift;
  if (exp <= 0) return undefined;
  const mantissas = scaled.map((s) => rint(128 * s * 2 ** -shift));
  if (Math.ceil(Math.log2(mask.length)) > 10 || mantissas.some((m) => m < -128 || m > 127)) return { coeffs: mask, exp: 0, scale };
  // libvips' accuracy check: a flat 128 through the mantissas, against the exact 128 (truncated, as C assigns a double to an int).
  let trueSum = 0;
  let intSum = 0;
  mantissas.forEach((m, i) => {
    if (m === 0) return;
    trueSum += 128 * scaled[i]!;
    intSum += 128 * m;
  });
  const clip = (v: number) => Math.min(255, Math.max(0, v));
  const trueValue = clip(Math.trunc(trueSum));
  const intValue = clip((intSum + (1 << (exp - 1))) >> exp);
  if (Math.abs(trueValue - intValue) > 2) return { coeffs: mask, exp: 0, scale };
  return { coeffs: Int32Array.from(mantissas), exp, scale: 1 };
}
