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

const SHADE_CELL_PX = 16;

export async function applyPhotometric(clean: RgbImage, plan: DistortionPlan, rng: Rng): Promise<RgbImage> {
  const image: RgbImage = { width: clean.width, height: clean.height, data: clean.data.slice() };
  for (const stain of plan.stains) paintStain(image, stain);
  if (plan.marks.length > 0) paintMarks(image, plan.marks);
  const blurred = plan.blurSigmaPx >= 0.3 ? await blur(image, plan.blurSigmaPx) : image;
  shadeColourAndNoise(blurred, plan, rng);
  return blurred;
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
}

/** Multiply blend of a coffee ring or blotch with a wobbly rim. */
function paintStain(image: RgbImage, stain: Stain): void {
  const { width, height, data } = image;
  const reach = stain.radiusPx * 1.25;
  const x0 = Math.max(0, Math.floor(stain.cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(stain.cx + reach));
  const y0 = Math.max(0, Math.floor(stain.cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(stain.cy + reach));
  const [a3, a2, phase] = stain.wobble;
  const cp = Math.cos(phase);
  const sp = Math.sin(phase);
  const tint = stain.rgb.map((c) => 1 - c / 255);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - stain.cx;
      const dy = y - stain.cy;
      const r = Math.hypot(dx, dy);
      if (r > reach) continue;
      // Rim radius varies with the angle: sin 3t and cos 2t from the unit vector, rotated by phase.
      const c = r > 0 ? (dx * cp + dy * sp) / r : 1;
      const s = r > 0 ? (dy * cp - dx * sp) / r : 0;
      const rim = stain.radiusPx * (1 + a3 * (3 * s - 4 * s * s * s) + a2 * (c * c - s * s));
      const u = r / rim;
      const alpha =
        stain.kind === 'ring'
          ? stain.opacity * (Math.exp(-((u - 1) * (u - 1)) / 0.0016) * 0.9 + (u < 1 ? 0.18 * u * u : 0))
          : stain.opacity * (u < 0.85 ? 0.7 : u < 1.02 ? 0.7 + 0.3 * Math.exp(-((u - 1) * (u - 1)) / 0.002) : 0);
      if (alpha <= 0.002) continue;
      const k = (y * width + x) * 3;
      data[k] = (data[k] as number) * (1 - alpha * (tint[0] as number));
      data[k + 1] = (data[k + 1] as number) * (1 - alpha * (tint[1] as number));
      data[k + 2] = (data[k + 2] as number) * (1 - alpha * (tint[2] as number));
    }
  }
}

async function blur(image: RgbImage, sigma: number): Promise<RgbImage> {
  const out = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).blur(sigma).raw().toBuffer();
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(out.buffer, out.byteOffset, out.length) };
}

const NOISE_TABLE_SIZE = 1 << 16;

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

/**
 * One pass over the page: v' = v * shade * contrast * gain_c + offset + noise_c,
 * with shade the bilinear interpolant of the smooth shade grid times the
 * crease lines, gain_c the colour temperature's channel gains, and Gaussian
 * sensor noise, mostly luminance, a third as much per channel. Normals come
 * from a table drawn from the seeded generator, read from a random offset on
 * every row (the table is far longer than a row, so no pattern repeats
 * visibly), which is about ten times faster than drawing one normal per
 * pixel and channel.
 */
function shadeColourAndNoise(image: RgbImage, plan: DistortionPlan, rng: Rng): void {
  const { width, height, data } = image;
  const { cols, grid } = smoothShadeGrid(plan, width, height, SHADE_CELL_PX);
  const t = plan.colourTemperature;
  const contrast = plan.contrast;
  const g0 = (1 + t) * contrast;
  const g1 = (1 + t * 0.15) * contrast;
  const g2 = (1 - t) * contrast;
  const offset = 128 * (1 - contrast) + plan.brightness * 255;
  const sd = plan.sensorNoiseSd;
  const chroma = sd / 3;
  const table = new Float32Array(NOISE_TABLE_SIZE);
  if (sd > 0) for (let i = 0; i < NOISE_TABLE_SIZE; i++) table[i] = rng.normal(0, 1);
  const mask = NOISE_TABLE_SIZE - 1;
  const row = new Float32Array(cols);
  const shade = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    const gy = y / SHADE_CELL_PX;
    const j = Math.floor(gy);
    const fy = gy - j;
    for (let i = 0; i < cols; i++) row[i] = grid[j * cols + i]! * (1 - fy) + grid[(j + 1) * cols + i]! * fy;
    for (let x = 0; x < width; x++) {
      const gx = x / SHADE_CELL_PX;
      const i = Math.floor(gx);
      const fx = gx - i;
      shade[x] = row[i]! * (1 - fx) + row[i + 1]! * fx;
    }
    shadeCreaseLines(shade, plan, y);
    let lo = 0;
    let co = 0;
    if (sd > 0) {
      lo = rng.int(0, mask);
      co = rng.int(0, mask);
    }
    let k = y * width * 3;
    for (let x = 0; x < width; x++, k += 3) {
      const m = shade[x]!;
      const l = offset + table[lo++ & mask]! * sd;
      data[k] = data[k]! * m * g0 + l + table[co++ & mask]! * chroma;
      data[k + 1] = data[k + 1]! * m * g1 + l + table[co++ & mask]! * chroma;
      data[k + 2] = data[k + 2]! * m * g2 + l + table[co++ & mask]! * chroma;
    }
  }
}
