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
  const pixelLanes = v128(0, 16, 16, 16, 1, 16, 16, 16, 2, 16, 16, 16, 16, 16, 16, 16);
  for (let x = 0; x < width; x++, row += 3, shade += 4, noise += 12) {
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
