/**
 * The photometric half of a plan, applied to the warped clean image in the
 * order light meets a phone camera: things on the paper (stains, pen marks),
 * lens blur, then in one pass uneven lighting with wrinkle and crease
 * shading, colour and exposure, and sensor noise (JPEG compression, the last
 * step, is the encoding of the image: image-file.ts). Geometry is untouched,
 * so the clean twin and the ground truth stay valid for the result.
 *
 * Blurring before shading rather than after saves a full pass over the page
 * and changes nothing visible: colour and exposure are per-pixel affine, so
 * they commute with a blur, and the shading varies over tens of pixels,
 * against a blur sigma below 1.5 px; only the 1-2 px dark line of a crease
 * stays as sharp as it was drawn.
 */
import sharp from 'sharp';
import type { Rng } from '../core/rng.js';
import { smoothShadeGrid, type DistortionPlan, type Mark, type Stain } from './distortions.js';
import { clearCoverageRows, createCoverage, paintCoverage, strokePolyline, type RgbImage } from './raster.js';
import { serialPhases, timed, timedAsync, type PhaseTimings } from './phase-timings.js';
import { recycleBuffers, takeBuffer } from '../core/recycled-buffers.js';
import { renderKernels, type RenderKernels } from './wasm/render-kernels.js';
import { libvipsBlurMask, type BlurMask } from './wasm/blur-mask.js';

const SHADE_CELL_PX = 16;

export interface PhotometricWork {
  readonly timings?: PhaseTimings | undefined;
  /** Memory of the clean image's size that the chain may overwrite, instead of allocating its copy. */
  readonly scratch?: Uint8ClampedArray | undefined;
  /** The clean image is not needed afterwards (no clean twin): the chain works in it, no copy. */
  readonly inPlace?: boolean | undefined;
}

export async function applyPhotometric(clean: RgbImage, plan: DistortionPlan, rng: Rng, work: PhotometricWork = {}): Promise<RgbImage> {
  const kernels = clean.width <= NOISE_TABLE_PIXELS ? renderKernels() : undefined;
  const blurMask = blurChangesPixels(plan.blurSigmaPx) ? libvipsBlurMask(plan.blurSigmaPx, BLUR_MIN_AMPLITUDE) : null;
  if (kernels && blurMask !== undefined) return photometricInKernels(kernels, clean, plan, rng, work, blurMask);
  const { timings } = work;
  const blurring = blurChangesPixels(plan.blurSigmaPx);
  const onPaper = plan.stains.length > 0 || plan.marks.length > 0;
  // A clean twin to keep makes the chain work on a copy; a blur with nothing on the paper makes that copy itself.
  const image: RgbImage = work.inPlace || (blurring && !onPaper) ? clean : { width: clean.width, height: clean.height, data: copyOf(clean.data, work.scratch) };
  if (plan.stains.length > 0) {
    timed(timings, 'stains', () => {
      for (const stain of plan.stains) paintStain(image, stain);
    });
  }
  if (plan.marks.length > 0) timed(timings, 'marks', () => paintMarks(image, plan.marks));
  if (!blurring) {
    timed(timings, 'shadeColourNoise', () => {
      const shading = prepareShading(plan, image.width, image.height, rng);
      shadeColourAndNoise(image, plan, shading, rng);
      recycleShading(shading);
    });
    return image;
  }
  // libvips blurs on its own thread while this one draws the shading grid and the noise table.
  const blurred = timedAsync(timings, 'blur', () => blur(image, plan.blurSigmaPx));
  if (serialPhases(timings)) await Promise.allSettled([blurred]);
  let shading: Shading;
  try {
    shading = timed(timings, 'shadeColourNoise', () => prepareShading(plan, image.width, image.height, rng));
  } catch (error) {
    await Promise.allSettled([blurred]);
    throw error;
  }
  const out = await blurred;
  timed(timings, 'shadeColourNoise', () => shadeColourAndNoise(out, plan, shading, rng));
  recycleShading(shading);
  return out;
}

function copyOf(data: Uint8ClampedArray, scratch: Uint8ClampedArray | undefined): Uint8ClampedArray {
  if (!scratch || scratch.length !== data.length) return data.slice();
  scratch.set(data);
  return scratch;
}

/** Pen marks over the page, one after another through one coverage buffer (cleared behind each). */
function paintMarks(image: RgbImage, marks: readonly Mark[]): void {
  const coverage = createCoverage(image.width, image.height);
  for (const mark of marks) {
    const reach = mark.widthPx + 2;
    const rowFrom = Math.floor(Math.min(...mark.ys) - reach);
    const rowTo = Math.ceil(Math.max(...mark.ys) + reach);
    strokePolyline(coverage, mark.xs, mark.ys, mark.widthPx);
    paintCoverage(image, coverage, mark.rgb, mark.opacity, rowFrom, rowTo);
    clearCoverageRows(coverage, rowFrom, rowTo);
  }
  recycleBuffers([coverage.data]);
}

/**
 * Multiply blend of a coffee ring or blotch with a wobbly rim. Each row is
 * visited only across the disc of radius `reach`, and a ring's exp(-(u-1)^2 /
 * 0.0016) is taken as 0 beyond |u - 1| = 0.18, where it is below 2e-9.
 */
function paintStain(image: RgbImage, stain: Stain): void {
  const { width, height, data } = image;
  const reach = stain.radiusPx * 1.25;
  const y0 = Math.max(0, Math.floor(stain.cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(stain.cy + reach));
  const [a3, a2, phase] = stain.wobble;
  const cp = Math.cos(phase);
  const sp = Math.sin(phase);
  const t0 = 1 - stain.rgb[0] / 255;
  const t1 = 1 - stain.rgb[1] / 255;
  const t2 = 1 - stain.rgb[2] / 255;
  const ring = stain.kind === 'ring';
  for (let y = y0; y <= y1; y++) {
    const dy = y - stain.cy;
    const halfChord = Math.sqrt(Math.max(0, reach * reach - dy * dy));
    const x0 = Math.max(0, Math.floor(stain.cx - halfChord));
    const x1 = Math.min(width - 1, Math.ceil(stain.cx + halfChord));
    for (let x = x0; x <= x1; x++) {
      const dx = x - stain.cx;
      const r = Math.sqrt(dx * dx + dy * dy);
      if (r > reach) continue;
      // Rim radius varies with the angle: sin 3t and cos 2t from the unit vector, rotated by phase.
      const c = r > 0 ? (dx * cp + dy * sp) / r : 1;
      const s = r > 0 ? (dy * cp - dx * sp) / r : 0;
      const rim = stain.radiusPx * (1 + a3 * (3 * s - 4 * s * s * s) + a2 * (c * c - s * s));
      const u = r / rim;
      const d2 = (u - 1) * (u - 1);
      const alpha = ring
        ? stain.opacity * ((d2 < 0.0324 ? Math.exp(-d2 / 0.0016) * 0.9 : 0) + (u < 1 ? 0.18 * u * u : 0))
        : stain.opacity * (u < 0.85 ? 0.7 : u < 1.02 ? 0.7 + 0.3 * Math.exp(-d2 / 0.002) : 0);
      if (alpha <= 0.002) continue;
      const k = (y * width + x) * 3;
      data[k] = data[k]! * (1 - alpha * t0);
      data[k + 1] = data[k + 1]! * (1 - alpha * t1);
      data[k + 2] = data[k + 2]! * (1 - alpha * t2);
    }
  }
}

/** libvips' gaussmat drops mask taps below this share of the centre's (sharp's default, passed explicitly so that blurChangesPixels holds). */
const BLUR_MIN_AMPLITUDE = 0.2;

/**
 * Whether libvips' Gaussian blur of `sigma` px changes a pixel. Its mask
 * (gaussmat, integer precision) ends at the first x with exp(-x^2 / 2
 * sigma^2) below BLUR_MIN_AMPLITUDE; when that is x = 1 (sigma below 0.557)
 * the mask is one tap and the blur copies the image, paying a full pass and
 * an 11 MB buffer at 200 DPI for nothing. That is a noise-0.5 page's blur
 * more often than not (sigma 0.35-0.7 at 200 DPI, half that at 100), so the
 * chain skips it there: the same pixels (test/render/photometric-blur.test.ts
 * checks the rule against sharp on both sides of it). sharp needs sigma >= 0.3.
 */
export function blurChangesPixels(sigma: number): boolean {
  return sigma >= 0.3 && Math.exp(-1 / (2 * sigma * sigma)) >= BLUR_MIN_AMPLITUDE;
}

async function blur(image: RgbImage, sigma: number): Promise<RgbImage> {
  const out = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .blur({ sigma, minAmplitude: BLUR_MIN_AMPLITUDE })
    .raw()
    .toBuffer();
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(out.buffer, out.byteOffset, out.length) };
}

/** Pixels of the sensor-noise table: far more than a row, so rows read from random pixels of it show no pattern. */
const NOISE_TABLE_PIXELS = 1 << 16;

/** Multiply `shade` (length width) by the dark line and highlight of every crease crossing row y. */
function shadeCreaseLines(shade: Float32Array, plan: DistortionPlan, y: number): void {
  const width = shade.length;
  for (const c of plan.creases) {
    // The dark fold line and its highlight: only within 6 line widths of the fold.
    const b = c.ny * y - c.offset;
    const reach = 6 * c.lineWidthPx;
    let from = 0;
    let to = width - 1;
    if (Math.abs(c.nx) > 1e-6) {
      const xa = (-reach - b) / c.nx;
      const xb = (reach - b) / c.nx;
      from = Math.max(0, Math.floor(Math.min(xa, xb)));
      to = Math.min(width - 1, Math.ceil(Math.max(xa, xb)));
    } else if (Math.abs(b) > reach) {
      continue;
    }
    for (let x = from; x <= to; x++) {
      const ad = Math.abs(c.nx * x + b) / c.lineWidthPx;
      if (ad >= 6) continue;
      shade[x] = shade[x]! * (1 - c.darkness * Math.exp(-ad * ad) + c.darkness * 0.35 * Math.exp(-(ad - 2) * (ad - 2)));
    }
  }
}

/** Fixed point of the one pass: values in 1/65536 grey levels, so a product of a level and a gain fits in int32. */
const FIXED_BITS = 16;
const FIXED_ONE = 1 << FIXED_BITS;

/** What the one pass reads besides the image: the smooth shade grid and what its noise table is made of. */
interface Shading {
  readonly cols: number;
  readonly grid: Float32Array;
  /** Exposure offset plus the rounding half level, in grey levels. */
  readonly offset: number;
  readonly sd: number;
  /** Per table pixel its luminance normal, then one normal per channel (none without sensor noise). */
  readonly normals: Float32Array | undefined;
}

/**
 * The shade grid and the sensor noise's normals, drawn now so that the page's
 * random stream is the same whenever the pass runs. Sensor noise is mostly
 * luminance: one normal per table pixel, shared by its three channels, plus a
 * third as much per channel; the normals are drawn from `rng` in bulk
 * (fillNormals, none without sensor noise).
 */
function prepareShading(plan: DistortionPlan, width: number, height: number, rng: Rng): Shading {
  const { cols, grid } = smoothShadeGrid(plan, width, height, SHADE_CELL_PX);
  const offset = 128 * (1 - plan.contrast) + plan.brightness * 255 + 0.5;
  const sd = plan.sensorNoiseSd;
  let normals: Float32Array | undefined;
  if (sd > 0) {
    // A recycled buffer (core/recycled-buffers.ts): every entry is written.
    normals = new Float32Array(takeBuffer(NOISE_TABLE_PIXELS * 4 * Float32Array.BYTES_PER_ELEMENT));
    rng.fillNormals(normals);
  }
  return { cols, grid, offset, sd, normals };
}

function recycleShading(shading: Shading): void {
  if (shading.normals) recycleBuffers([shading.normals]);
}

/**
 * The noise table into `noise` ((NOISE_TABLE_PIXELS + width) * 3 entries):
 * per table pixel, per channel (R G B R G B ...), the exposure offset, the
 * rounding half level and the sensor noise in fixed point; then the first
 * `width` pixels again, so that a row starting anywhere in the table reads
 * on without wrapping.
 */
function fillNoiseTable(shading: Shading, noise: Int32Array): void {
  const { offset, sd, normals } = shading;
  const pixels = NOISE_TABLE_PIXELS;
  if (normals) {
    for (let p = 0, k = 0; p < pixels; p++, k += 3) {
      const luma = offset + normals[4 * p]! * sd;
      noise[k] = Math.round((luma + (normals[4 * p + 1]! * sd) / 3) * FIXED_ONE);
      noise[k + 1] = Math.round((luma + (normals[4 * p + 2]! * sd) / 3) * FIXED_ONE);
      noise[k + 2] = Math.round((luma + (normals[4 * p + 3]! * sd) / 3) * FIXED_ONE);
    }
  } else {
    noise.fill(Math.round(offset * FIXED_ONE), 0, pixels * 3);
  }
  for (let k = pixels * 3; k < noise.length; k++) noise[k] = noise[k % (pixels * 3)]!;
}

/** Each channel's gain of the pass (colour temperature and contrast), in fixed point. */
function channelGains(plan: DistortionPlan): { readonly g0: number; readonly g1: number; readonly g2: number } {
  const t = plan.colourTemperature;
  const contrast = plan.contrast;
  return { g0: (1 + t) * contrast * FIXED_ONE, g1: (1 + t * 0.15) * contrast * FIXED_ONE, g2: (1 - t) * contrast * FIXED_ONE };
}

/**
 * One pass over the page: v' = v * shade * contrast * gain_c + offset + noise_c,
 * with shade the bilinear interpolant of the smooth shade grid times the
 * crease lines, gain_c the colour temperature's channel gains, and Gaussian
 * sensor noise from the table (fillNoiseTable), each row read from a random
 * pixel of it on: about ten times faster than drawing normals per pixel.
 *
 * Speed: the sum is in 16.16 fixed point (int32), with the offset, the noise
 * scale and the rounding folded into the table, one entry per channel read
 * in order, and stored as an integer (the clamped array then only clamps);
 * the shade along a row steps through each grid cell by adds. A value within
 * about 1e-4 of a half level may round the other way than in doubles;
 * nothing else changes. Where the WebAssembly kernels are built
 * (wasm/render-kernels.ts) the whole chain runs in their memory instead
 * (photometricInKernels), the same arithmetic to the bit.
 */
function shadeColourAndNoise(image: RgbImage, plan: DistortionPlan, shading: Shading, rng: Rng): void {
  const { width, height, data } = image;
  const { cols, grid } = shading;
  const { g0, g1, g2 } = channelGains(plan);
  const tableLength = (NOISE_TABLE_PIXELS + width) * 3;
  const noise = new Int32Array(takeBuffer(tableLength * Int32Array.BYTES_PER_ELEMENT));
  fillNoiseTable(shading, noise);
  const row = new Float32Array(cols);
  const shade = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    const gy = y / SHADE_CELL_PX;
    const j = Math.floor(gy);
    const fy = gy - j;
    for (let i = 0; i < cols; i++) row[i] = grid[j * cols + i]! * (1 - fy) + grid[(j + 1) * cols + i]! * fy;
    for (let i = 0, x = 0; x < width; i++) {
      const a = row[i]!;
      const step = (row[i + 1]! - a) / SHADE_CELL_PX;
      for (let f = 0; f < SHADE_CELL_PX && x < width; f++, x++) shade[x] = a + step * f;
    }
    shadeCreaseLines(shade, plan, y);
    let n = 3 * rng.int(0, NOISE_TABLE_PIXELS - 1);
    let k = y * width * 3;
    for (let x = 0; x < width; x++, k += 3, n += 3) {
      const m = shade[x]!;
      data[k] = (Math.imul(data[k]!, (m * g0) | 0) + noise[n]!) >> FIXED_BITS;
      data[k + 1] = (Math.imul(data[k + 1]!, (m * g1) | 0) + noise[n + 1]!) >> FIXED_BITS;
      data[k + 2] = (Math.imul(data[k + 2]!, (m * g2) | 0) + noise[n + 2]!) >> FIXED_BITS;
    }
  }
  recycleBuffers([noise]);
}

/**
 * The chain in the WebAssembly kernels' memory (wasm/render-kernels.ts): the
 * clean image copied in once, the stains and pen marks painted there, the
 * blur (libvips' own integer convolution, wasm/blur-mask.ts, where sharp would
 * blur), then the noise table, shade rows and the pass, and the result
 * copied out once, into the clean image itself without a twin to keep, else
 * into `work.scratch` or a new buffer. The same bytes as the chain above
 * with sharp's blur (test/render/render-wasm.test.ts), with no copy of the
 * page in JavaScript and no 11 MB buffer from libvips a blurred 200 DPI page.
 */
function photometricInKernels(kernels: RenderKernels, clean: RgbImage, plan: DistortionPlan, rng: Rng, work: PhotometricWork, blur: BlurMask | null): RgbImage {
  const { timings } = work;
  const { width, height } = clean;
  const bytes = clean.data.length;
  const shading = timed(timings, 'shadeColourNoise', () => prepareShading(plan, width, height, rng));
  try {
    const { cols, grid, normals } = shading;
    const tableLength = (NOISE_TABLE_PIXELS + width) * 3;
    const [imageAt, scratchAt, coeffsAt, gridAt, cellsAt, shadeAt, noiseAt, normalsAt] = kernels.place([
      bytes,
      blur ? bytes : 0,
      blur ? blur.coeffs.byteLength : 0,
      grid.byteLength,
      cols * 4,
      width * 4,
      tableLength * 4,
      normals?.byteLength ?? 0,
    ]) as [number, number, number, number, number, number, number, number];
    const memory = kernels.memory;
    const pixels = new Uint8ClampedArray(memory, imageAt, bytes);
    pixels.set(clean.data);
    const onPage: RgbImage = { width, height, data: pixels };
    if (plan.stains.length > 0) {
      timed(timings, 'stains', () => {
        for (const stain of plan.stains) paintStain(onPage, stain);
      });
    }
    if (plan.marks.length > 0) timed(timings, 'marks', () => paintMarks(onPage, plan.marks));
    if (blur) {
      timed(timings, 'blur', () => {
        new Int32Array(memory, coeffsAt, blur.coeffs.length).set(blur.coeffs);
        kernels.blurRgb(imageAt, scratchAt, width, height, coeffsAt, blur.coeffs.length, blur.exp, blur.scale);
      });
    }
    timed(timings, 'shadeColourNoise', () => {
      new Float32Array(memory, gridAt, grid.length).set(grid);
      if (normals) {
        new Float32Array(memory, normalsAt, normals.length).set(normals);
        kernels.noiseTable(normalsAt, noiseAt, NOISE_TABLE_PIXELS, width, shading.offset, shading.sd);
      } else {
        fillNoiseTable(shading, new Int32Array(memory, noiseAt, tableLength));
      }
      const { g0, g1, g2 } = channelGains(plan);
      const shade = new Float32Array(memory, shadeAt, width);
      for (let y = 0; y < height; y++) {
        const j = Math.floor(y / SHADE_CELL_PX);
        kernels.shadeBase(gridAt, cols, j, y / SHADE_CELL_PX - j, cellsAt, shadeAt, width);
        shadeCreaseLines(shade, plan, y);
        const n = 3 * rng.int(0, NOISE_TABLE_PIXELS - 1);
        kernels.shadeRow(imageAt + y * width * 3, shadeAt, noiseAt + n * 4, width, g0, g1, g2);
      }
    });
    const out = work.inPlace ? clean.data : work.scratch && work.scratch.length === bytes ? work.scratch : new Uint8ClampedArray(takeBuffer(bytes));
    out.set(pixels);
    return { width, height, data: out };
  } finally {
    recycleShading(shading);
  }
}
