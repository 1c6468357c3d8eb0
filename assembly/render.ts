/**
 * The renderer's per-pixel passes as WebAssembly (AssemblyScript, built by
 * `npm run build:wasm` into dist/wasm/render.wasm; loaded by
 * src/render/wasm/render-kernels.ts). Each is the same integer arithmetic as
 * its JavaScript twin, to the bit, so a page does not depend on which ran:
 *   warpInsideSpans  <-> warpSpan in src/render/warp/warp-image.ts
 *   shadeRow         <-> the row loop of shadeColourAndNoise in src/render/photometric.ts
 *   shadeBase        <-> its shade row from the smooth shade grid (before the crease lines)
 *   noiseTable       <-> prepareShading's table of offsets and sensor noise
 *   greyOf           <-> encodeTwinPng's grey lookup in src/render/image-file.ts
 * test/render/render-wasm.test.ts checks each against its twin. JavaScript
 * owns the memory: it places the images, node rows and tables at the offsets
 * it passes (above heapBase()); nothing here allocates.
 */

/** 16.16 fixed point for source positions (warp-image.ts) and grey levels (photometric.ts). */
const FIXED_BITS: i32 = 16;
const FIXED_FRACTION: i32 = (1 << FIXED_BITS) - 1;
/** Bilinear weights in 1/1024ths. */
const WEIGHT_BITS: i32 = 10;
const WEIGHT_DROP: i32 = FIXED_BITS - WEIGHT_BITS;
const WEIGHT_SHIFT: i32 = 2 * WEIGHT_BITS;
const WEIGHT_HALF: i32 = 1 << (WEIGHT_SHIFT - 1);
const WEIGHT_ROUND: i32 = 1 << (WEIGHT_BITS - 1);
/** Nodes of the source-position grid every SPAN_PX image pixels along a row. */
const SPAN_PX: i32 = 8;
const SPAN_BITS: i32 = 3;

/** The first byte JavaScript may use. */
export function heapBase(): usize {
  return __heap_base;
}

/** Byte lanes of a tap pair loaded as 8 bytes (R G B R' G' B' . .) into int32 lanes [R, G, B, 0] and [R', G', B', 0]: lane index 16 reads as 0. */
const LEFT_TAP = v128(0, 16, 16, 16, 1, 16, 16, 16, 2, 16, 16, 16, 16, 16, 16, 16);
const RIGHT_TAP = v128(3, 16, 16, 16, 4, 16, 16, 16, 5, 16, 16, 16, 16, 16, 16, 16);
/** The same for the lower row's pair, loaded into bytes 8..15. */
const LEFT_TAP_DOWN = v128(8, 16, 16, 16, 9, 16, 16, 16, 10, 16, 16, 16, 16, 16, 16, 16);
const RIGHT_TAP_DOWN = v128(11, 16, 16, 16, 12, 16, 16, 16, 13, 16, 16, 16, 16, 16, 16, 16);

/**
 * The bilinear sample of the RGB page at `src` (`width` px a row, `stride`
 * bytes) at the fixed-point position (pxF, pyF), every tap on the page, as
 * bytes 0..2 of the result: warpSpan of warp-image.ts. Its sum, for the
 * three channels at once in int32 lanes and without its branches: across
 * each row's pair, a * 1024 + (b - a) * wx, then down, rounded once. Its
 * branches (equal taps copied, equal pairs lerped once) are shortcuts of
 * this sum that give what it gives, so the bytes are the same.
 */
// @ts-ignore: decorator
@inline function sample(src: usize, width: i32, stride: usize, pxF: i32, pyF: i32): v128 {
  const k = src + <usize>(((pyF >> FIXED_BITS) * width + (pxF >> FIXED_BITS)) * 3);
  const taps = v128.load64_lane(k + stride, v128.load64_zero(k), 1);
  const wx = i32x4.splat((pxF & FIXED_FRACTION) >> WEIGHT_DROP);
  const wy = i32x4.splat((pyF & FIXED_FRACTION) >> WEIGHT_DROP);
  const upLeft = i8x16.swizzle(taps, LEFT_TAP);
  const downLeft = i8x16.swizzle(taps, LEFT_TAP_DOWN);
  const top = i32x4.add(i32x4.shl(upLeft, WEIGHT_BITS), i32x4.mul(i32x4.sub(i8x16.swizzle(taps, RIGHT_TAP), upLeft), wx));
  const bottom = i32x4.add(i32x4.shl(downLeft, WEIGHT_BITS), i32x4.mul(i32x4.sub(i8x16.swizzle(taps, RIGHT_TAP_DOWN), downLeft), wx));
  const sum = i32x4.shr_s(i32x4.add(i32x4.add(i32x4.shl(top, WEIGHT_BITS), i32x4.mul(i32x4.sub(bottom, top), wy)), i32x4.splat(WEIGHT_HALF)), WEIGHT_SHIFT);
  // Sums are bytes already: the narrowing only packs them.
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(sum, sum), sum);
}

/**
 * `count` samples from (pxF, pyF) in steps of (sxF, syF), written from `o`,
 * left to right. Each pixel is stored as four bytes, the fourth the next
 * pixel's red, which the next pixel (or, past a span, JavaScript or the
 * next row) writes after: the caller leaves one spare byte after the image.
 */
// @ts-ignore: decorator
@inline function warpSpanForward(src: usize, o: usize, width: i32, count: i32, pxF: i32, pyF: i32, sxF: i32, syF: i32): void {
  const stride = <usize>(width * 3);
  for (let n = 0; n < count; n++, o += 3, pxF += sxF, pyF += syF) v128.store32_lane(o, sample(src, width, stride, pxF, pyF), 0);
}

/** The same samples right to left (pixel n at pxF + n sxF, as int32 adds give it), each stored as its three bytes. */
// @ts-ignore: decorator
@inline function warpSpanBackward(src: usize, o: usize, width: i32, count: i32, pxF: i32, pyF: i32, sxF: i32, syF: i32): void {
  const stride = <usize>(width * 3);
  for (let n = count - 1; n >= 0; n--) {
    const bytes = i32x4.extract_lane(sample(src, width, stride, pxF + n * sxF, pyF + n * syF), 0);
    const at = o + <usize>(n * 3);
    store<u16>(at, <u16>bytes);
    store<u8>(at + 2, <u8>(bytes >> 16));
  }
}

/**
 * One image row's spans whose four nodes lie inside the page (inside[n] = 1),
 * from the row's fixed-point nodes (int32 at nodeX, nodeY): span n covers
 * x = 8n .. min(8n + 8, width - 1) - 1, the last span its right edge too.
 * Spans with inside[n] = 0 are left to JavaScript.
 *
 * `backward`: the row's source positions move down the page from left to
 * right (a page turned one way), and the row is read right to left, so that
 * its reads move up the page: on 200 DPI pages, reading down the page along
 * a row took about twice the time of reading up it, either way round.
 */
export function warpInsideSpans(src: usize, rowOut: usize, width: i32, nodeX: usize, nodeY: usize, inside: usize, spans: i32, backward: bool): void {
  for (let m = 0; m < spans; m++) {
    const n = backward ? spans - 1 - m : m;
    if (load<u8>(inside + <usize>n) != 1) continue;
    const xa = n * SPAN_PX;
    const xb = min(xa + SPAN_PX, width - 1);
    const last = n == spans - 1 ? xb : xb - 1;
    const pxF = load<i32>(nodeX + (<usize>n << 2));
    const pyF = load<i32>(nodeY + (<usize>n << 2));
    const dx = load<i32>(nodeX + (<usize>(n + 1) << 2)) - pxF;
    const dy = load<i32>(nodeY + (<usize>(n + 1) << 2)) - pyF;
    const full = xb - xa == SPAN_PX;
    const sxF = full ? dx >> SPAN_BITS : dx / (xb - xa);
    const syF = full ? dy >> SPAN_BITS : dy / (xb - xa);
    if (backward) warpSpanBackward(src, rowOut + <usize>(xa * 3), width, last - xa + 1, pxF, pyF, sxF, syF);
    else warpSpanForward(src, rowOut + <usize>(xa * 3), width, last - xa + 1, pxF, pyF, sxF, syF);
  }
}

/**
 * One row of the photometric pass: v' = clamp((v * (shade_x * g_c | 0) +
 * noise) >> 16) per channel, shade as float32 per pixel at `shade`, the noise
 * table's int32 entries from `noise` on: the inner loop of
 * shadeColourAndNoise (photometric.ts), the three channels at once in int32
 * lanes (the gains in doubles, as there). A pixel's fourth lane is the next
 * pixel's red, not yet shaded: only three bytes are stored.
 */
export function shadeRow(row: usize, shade: usize, noise: usize, width: i32, g0: f64, g1: f64, g2: f64): void {
  const gains01 = f64x2(g0, g1);
  const gains2 = f64x2(g2, 0);
  const gains20 = f64x2(g2, g0);
  const gains12 = f64x2(g1, g2);
  const pixelLanes = v128(0, 16, 16, 16, 1, 16, 16, 16, 2, 16, 16, 16, 16, 16, 16, 16);
  // Four pixels (12 bytes) a step: each channel's gain trunc(m * g_c) in doubles as below, the twelve
  // values in three int32 vectors in byte order (R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3).
  let x = 0;
  for (; x + 4 <= width; x += 4, row += 12, shade += 16, noise += 48) {
    const m01 = f64x2.promote_low_f32x4(v128.load(shade));
    const m23 = f64x2.promote_low_f32x4(v128.load(shade, 8));
    const m0 = v128.shuffle<f64>(m01, m01, 0, 0);
    const m1 = v128.shuffle<f64>(m01, m01, 1, 1);
    const m2 = v128.shuffle<f64>(m23, m23, 0, 0);
    const m3 = v128.shuffle<f64>(m23, m23, 1, 1);
    const ga = i8x16.shuffle(
      i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m0, gains01)),
      i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m01, gains20)),
      0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23,
    );
    const gb = i8x16.shuffle(
      i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m1, gains12)),
      i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m2, gains01)),
      0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23,
    );
    const gc = i8x16.shuffle(
      i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m23, gains20)),
      i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m3, gains12)),
      0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23,
    );
    const bytes = v128.load(row);
    const low = i16x8.extend_low_i8x16_u(bytes);
    const high = i16x8.extend_high_i8x16_u(bytes);
    const sa = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(low), ga), v128.load(noise)), FIXED_BITS);
    const sb = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_u(low), gb), v128.load(noise, 16)), FIXED_BITS);
    const sc = i32x4.shr_s(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(high), gc), v128.load(noise, 32)), FIXED_BITS);
    const packed = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(sa, sb), i16x8.narrow_i32x4_s(sc, sc));
    v128.store64_lane(row, packed, 0);
    v128.store32_lane(row, packed, 2, 8);
  }
  for (; x < width; x++, row += 3, shade += 4, noise += 12) {
    const m = f64x2.splat(<f64>load<f32>(shade));
    const g = i8x16.shuffle(i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m, gains01)), i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(m, gains2)), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const v = i8x16.swizzle(v128.load32_zero(row), pixelLanes);
    const sum = i32x4.shr_s(i32x4.add(i32x4.mul(v, g), v128.load(noise)), FIXED_BITS);
    const packed = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(sum, sum), sum);
    const bytes = i32x4.extract_lane(packed, 0);
    store<u16>(row, <u16>bytes);
    store<u8>(row + 2, <u8>(bytes >> 16));
  }
}


/** Pixels of a shade grid cell (photometric.ts SHADE_CELL_PX). */
const SHADE_CELL_PX: i32 = 16;

/**
 * The shade of every pixel of one image row, `fy` of the way from grid row
 * `j` to j + 1 (float32 grid of `cols` columns at `grid`): the grid rows
 * interpolated into `cells` (float32, `cols` entries), then each cell's
 * shade stepped across its SHADE_CELL_PX pixels into `shade` (float32,
 * `width`). In doubles, stored as float32, as photometric.ts does.
 */
export function shadeBase(grid: usize, cols: i32, j: i32, fy: f64, cells: usize, shade: usize, width: i32): void {
  const above = grid + (<usize>(j * cols) << 2);
  const below = above + (<usize>cols << 2);
  for (let i = 0; i < cols; i++) {
    const at = <usize>i << 2;
    store<f32>(cells + at, <f32>(<f64>load<f32>(above + at) * (1 - fy) + <f64>load<f32>(below + at) * fy));
  }
  for (let i = 0, x = 0; x < width; i++) {
    const a = <f64>load<f32>(cells + (<usize>i << 2));
    const step = (<f64>load<f32>(cells + (<usize>(i + 1) << 2)) - a) / <f64>SHADE_CELL_PX;
    for (let f = 0; f < SHADE_CELL_PX && x < width; f++, x++) store<f32>(shade + (<usize>x << 2), <f32>(a + step * <f64>f));
  }
}

/** Math.round: the nearest integer, halves up. */
// @ts-ignore: decorator
@inline function roundHalfUp(v: f64): i32 {
  const r = Math.floor(v);
  return <i32>(v - r >= 0.5 ? r + 1 : r);
}

/**
 * The sensor-noise table of photometric.ts (prepareShading) from its normals
 * (float32, four a table pixel: luminance, then one per channel): per pixel
 * and channel round((offset + n_l * sd + n_c * sd / 3) * 65536), then the
 * first `wrap` pixels again after the last.
 */
export function noiseTable(normals: usize, table: usize, pixels: i32, wrap: i32, offset: f64, sd: f64): void {
  for (let p = 0; p < pixels; p++, normals += 16, table += 12) {
    const luma = offset + <f64>load<f32>(normals) * sd;
    store<i32>(table, roundHalfUp((luma + (<f64>load<f32>(normals + 4) * sd) / 3) * <f64>(1 << FIXED_BITS)));
    store<i32>(table + 4, roundHalfUp((luma + (<f64>load<f32>(normals + 8) * sd) / 3) * <f64>(1 << FIXED_BITS)));
    store<i32>(table + 8, roundHalfUp((luma + (<f64>load<f32>(normals + 12) * sd) / 3) * <f64>(1 << FIXED_BITS)));
  }
  memory.copy(table, table - <usize>(pixels * 12), <usize>(wrap * 12));
}

/**
 * The grey of each of `pixels` RGB pixels by lookup in `table` (16 MB,
 * indexed R + 256 G + 65536 B: libvips' b-w of every colour,
 * image-file.ts greyOfColours). Each pixel is read as four bytes, the
 * fourth masked off: the caller leaves a spare byte after the image.
 */
export function greyOf(rgb: usize, grey: usize, pixels: i32, table: usize): void {
  for (let p = 0; p < pixels; p++, rgb += 3) store<u8>(grey + <usize>p, load<u8>(table + <usize>(load<u32>(rgb) & 0xffffff)));
}

/**
 * One pass of libvips' separable integer convolution on 8-bit RGB, as sharp's
 * Gaussian blur runs it (src/render/wasm/blur-mask.ts says which arm and
 * why): each output byte is
 *
 *   vector arm (exp > 0):  clamp((2^(exp - 1) + sum_k c_k p_k) >> exp, 0, 255)
 *   C arm (exp = 0):       clamp(floor((sum_k c_k p_k + scale / 2) / scale), 0, 255)
 *
 * with p_k the same channel `taps` samples apart (`step` bytes: 3 along a
 * row, a row's bytes down a column), samples past the image's edge taken
 * from the edge (libvips embeds with extend copy). The sums are exact in
 * int32 lanes; the C arm's division is float32's, exact here: a sum is below
 * 2^24 and a quotient within 1 / scale of an integer is never rounded onto it.
 */
// @ts-ignore: decorator
@inline function blurFinish(s0: v128, s1: v128, s2: v128, s3: v128, exp: i32, scale: f32): v128 {
  if (exp > 0) {
    s0 = i32x4.shr_s(s0, exp);
    s1 = i32x4.shr_s(s1, exp);
    s2 = i32x4.shr_s(s2, exp);
    s3 = i32x4.shr_s(s3, exp);
  } else {
    const d = f32x4.splat(scale);
    s0 = i32x4.trunc_sat_f32x4_s(f32x4.div(f32x4.convert_i32x4_s(s0), d));
    s1 = i32x4.trunc_sat_f32x4_s(f32x4.div(f32x4.convert_i32x4_s(s1), d));
    s2 = i32x4.trunc_sat_f32x4_s(f32x4.div(f32x4.convert_i32x4_s(s2), d));
    s3 = i32x4.trunc_sat_f32x4_s(f32x4.div(f32x4.convert_i32x4_s(s3), d));
  }
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(s0, s1), i16x8.narrow_i32x4_s(s2, s3));
}

/** 16 output bytes at `out` from the taps at `from`, `from + step`, ... (coefficients int32 at `coeffs`). */
// @ts-ignore: decorator
@inline function blurVector(from: usize, step: usize, out: usize, coeffs: usize, taps: i32, bias: i32, exp: i32, scale: f32): void {
  let s0 = i32x4.splat(bias);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  for (let k = 0; k < taps; k++, from += step) {
    const c = i16x8.splat(<i16>load<i32>(coeffs + (<usize>k << 2)));
    const v = v128.load(from);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    s0 = i32x4.add(s0, i32x4.extmul_low_i16x8_s(lo, c));
    s1 = i32x4.add(s1, i32x4.extmul_high_i16x8_s(lo, c));
    s2 = i32x4.add(s2, i32x4.extmul_low_i16x8_s(hi, c));
    s3 = i32x4.add(s3, i32x4.extmul_high_i16x8_s(hi, c));
  }
  v128.store(out, blurFinish(s0, s1, s2, s3, exp, scale));
}

/** One output byte from a scalar sum, the same arithmetic as blurFinish. */
// @ts-ignore: decorator
@inline function blurByte(sum: i32, exp: i32, scale: i32): u8 {
  const v = exp > 0 ? sum >> exp : sum / scale;
  return <u8>(v < 0 ? 0 : v > 255 ? 255 : v);
}

/**
 * The separable blur of an RGB image in place: along rows from `image`
 * into `scratch`, then down columns back into `image` (both width x height
 * x 3 bytes, with the 16 spare bytes of place()). `coeffs`: `taps` int32
 * coefficients (odd count, centred); exp > 0 picks the vector arm, exp = 0
 * the C arm with `scale`.
 */
export function blurRgb(image: usize, scratch: usize, width: i32, height: i32, coeffs: usize, taps: i32, exp: i32, scale: i32): void {
  const half = taps >> 1;
  const bias = exp > 0 ? 1 << (exp - 1) : scale >> 1;
  const fscale = <f32>scale;
  const rowBytes = width * 3;
  // Along rows: the bytes whose every tap is on the row 16 at a time (the last block may run into the
  // row's end and the next row's start, which the edge loop below and the next row then write over).
  const inner = rowBytes - 6 * half;
  for (let y = 0; y < height; y++) {
    const src = image + <usize>(y * rowBytes);
    const dst = scratch + <usize>(y * rowBytes);
    for (let b = 0; b < inner; b += 16) blurVector(src + <usize>b, 3, dst + <usize>(b + 3 * half), coeffs, taps, bias, exp, fscale);
    // The edge bytes: the first and last `half` pixels of the row (all of a row narrower than the mask).
    const edge = 3 * half < rowBytes - 3 * half ? 3 * half : rowBytes;
    for (let b = 0; b < rowBytes; b = b + 1 == edge ? max(edge, rowBytes - 3 * half) : b + 1) {
      const x = b / 3;
      const channel = b - 3 * x;
      let sum = bias;
      for (let k = 0; k < taps; k++) {
        let sx = x + k - half;
        sx = sx < 0 ? 0 : sx >= width ? width - 1 : sx;
        sum += load<i32>(coeffs + (<usize>k << 2)) * <i32>load<u8>(src + <usize>(sx * 3 + channel));
      }
      store<u8>(dst + <usize>b, blurByte(sum, exp, scale));
    }
  }
  // Down columns: a row's taps are whole rows, clamped at the top and bottom; 16 bytes at a time over the
  // row (the last block runs into the next row, written again when its turn comes, or the spare bytes).
  for (let y = 0; y < height; y++) {
    const dst = image + <usize>(y * rowBytes);
    if (y >= half && y < height - half) {
      const from = scratch + <usize>((y - half) * rowBytes);
      for (let b = 0; b < rowBytes; b += 16) blurVector(from + <usize>b, <usize>rowBytes, dst + <usize>b, coeffs, taps, bias, exp, fscale);
      continue;
    }
    for (let b = 0; b < rowBytes; b++) {
      let sum = bias;
      for (let k = 0; k < taps; k++) {
        let sy = y + k - half;
        sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
        sum += load<i32>(coeffs + (<usize>k << 2)) * <i32>load<u8>(scratch + <usize>(sy * rowBytes + b));
      }
      store<u8>(dst + <usize>b, blurByte(sum, exp, scale));
    }
  }
}

/** warp-image.ts NodeBand.stepDown: each of `nodes` fixed-point nodes one image row down its band (int32 adds, four at a time). */
export function stepNodes(nodeX: usize, nodeY: usize, stepX: usize, stepY: usize, nodes: i32): void {
  let n = 0;
  for (; n + 4 <= nodes; n += 4) {
    const at = <usize>n << 2;
    v128.store(nodeX + at, i32x4.add(v128.load(nodeX + at), v128.load(stepX + at)));
    v128.store(nodeY + at, i32x4.add(v128.load(nodeY + at), v128.load(stepY + at)));
  }
  for (; n < nodes; n++) {
    const at = <usize>n << 2;
    store<i32>(nodeX + at, load<i32>(nodeX + at) + load<i32>(stepX + at));
    store<i32>(nodeY + at, load<i32>(nodeY + at) + load<i32>(stepY + at));
  }
}
