/**
 * One tiled matrix product, C[m, n] = sum over k of A[m, k] B[k, n], that
 * every convolution kernel here instantiates with its own index maps (an
 * implicit GEMM: A and B are never built, each kernel supplies WGSL
 * functions that read an element of them straight from its tensors):
 *
 *   kernel                  A[m, k]              B[k, n]            M x N x K
 *   Conv2D                  x, im2col            filter             (b, oy, ox) x cout x (ky, kx, cin)
 *   Conv2DBackpropInput     dy, col2im gather    filter, ci <-> co  (b, iy, ix) x cin x (ky, kx, cout)
 *   Conv2DBackpropFilter    x, im2col (T)        dy                 (ky, kx, cin) x cout x (b, oy, ox)
 *
 * A workgroup computes a BM x BN tile of C, looping over K in steps of
 * BK: the threads copy a BM x BK slice of A and a BK x BN slice of B into
 * workgroup memory, synchronise, and each multiplies them into its TM x TN
 * accumulators. A thread's rows are ty, ty + WY, ... and its columns tx,
 * tx + WX, ... (strided, not blocked): neighbouring threads read
 * neighbouring words of workgroup memory (no bank conflicts) and write
 * neighbouring columns of C (coalesced).
 *
 * Split K: the filter gradient has a tiny M x N (a 3x3x16 -> 32 filter is
 * 144 x 32) and a huge K (every output pixel of the batch), so one
 * workgroup per tile would leave the GPU idle for a long serial loop. The
 * product is then cut into `splits` slices of K, each workgroup sums one
 * slice of one tile, and the store function writes partial sums that a
 * second program adds (conv2d-backprop.ts).
 *
 * Control flow around the barriers is uniform (the K loop runs the same,
 * constant number of steps in every workgroup; out-of-range elements load
 * as 0 and are not stored), as WGSL requires of workgroupBarrier.
 */
import { int } from './program.js';

/** Rows of C per workgroup, and per thread; the workgroup is (BN / TN) x (BM / TM) threads. */
const BM = 64;
const TM = 4;
const TN = 4;
/** K per step: one step loads BM x BK + BK x BN values. */
const BK = 16;

export interface ProductPlan {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Columns of C per workgroup: 16, 32 or 64, the smallest that holds N (or 64). */
  readonly bn: number;
  readonly tilesM: number;
  readonly tilesN: number;
  /** Slices of K summed by separate workgroups (1: the store writes C itself). */
  readonly splits: number;
  /** K per slice, a multiple of BK. */
  readonly kChunk: number;
  readonly workgroupSize: [number, number, number];
  readonly workgroups: number;
}

/**
 * The tiling of an M x N x K product. `targetWorkgroups` > 0 asks for
 * split K: enough slices that tiles x splits reaches it (each slice at
 * least `minStepsPerSplit` steps of BK, so the partial sums stay few).
 */
export function planProduct(m: number, n: number, k: number, targetWorkgroups = 0, minStepsPerSplit = 8): ProductPlan {
  const bn = n <= 16 ? 16 : n <= 32 ? 32 : 64;
  const tilesM = Math.ceil(m / BM);
  const tilesN = Math.ceil(n / bn);
  const steps = Math.max(1, Math.ceil(k / BK));
  let splits = 1;
  if (targetWorkgroups > 0) {
    const wanted = Math.ceil(targetWorkgroups / (tilesM * tilesN));
    splits = Math.max(1, Math.min(wanted, Math.floor(steps / minStepsPerSplit)));
  }
  const kChunk = Math.ceil(steps / splits) * BK;
  splits = Math.ceil((steps * BK) / kChunk);
  return {
    m, n, k, bn, tilesM, tilesN, splits, kChunk,
    workgroupSize: [bn / TN, BM / TM, 1],
    workgroups: tilesM * tilesN * splits,
  };
}

export interface ProductCode {
  /** WGSL `fn productA(m: i32, k: i32) -> f32`, called only for m < M, k < K. */
  readonly loadA: string;
  /** WGSL `fn productB(k: i32, n: i32) -> f32`, called only for k < K, n < N. */
  readonly loadB: string;
  /** WGSL `fn productStore(m: i32, n: i32, split: i32, value: f32)`, called once per element of C and slice. */
  readonly store: string;
  /** Whether neighbouring threads should read neighbouring m (true) or k (false) of A: the direction A is contiguous in memory. */
  readonly aContiguousInM: boolean;
}

/** The WGSL of `fn main()` for a plan and a kernel's index maps. */
export function productShader(plan: ProductPlan, code: ProductCode): string {
  const { bn } = plan;
  const wx = bn / TN;
  const wy = BM / TM;
  const threads = wx * wy;
  const aIndex = code.aContiguousInM ? 'let mm = i % BM; let kk = i / BM;' : 'let kk = i % BK; let mm = i / BK;';
  return `
const BM = ${BM};
const BN = ${bn};
const BK = ${BK};
const TM = ${TM};
const TN = ${TN};
const WX = ${wx};
const WY = ${wy};
const THREADS = ${threads};
const A_LOADS = ${(BM * BK) / threads};
const B_LOADS = ${(BK * bn) / threads};
const PRODUCT_M = ${int(plan.m)};
const PRODUCT_N = ${int(plan.n)};
const PRODUCT_K = ${int(plan.k)};
const TILES_M = ${int(plan.tilesM)};
const TILES_N = ${int(plan.tilesN)};
const SPLITS = ${int(plan.splits)};
const K_CHUNK = ${int(plan.kChunk)};
const K_STEPS = ${int(plan.kChunk / BK)};

var<workgroup> tileA : array<f32, ${BM * BK}>;
var<workgroup> tileB : array<f32, ${BK * bn}>;

${code.loadA}
${code.loadB}
${code.store}

fn main() {
  let group = i32(workgroupId.x + numWorkgroups.x * (workgroupId.y + numWorkgroups.y * workgroupId.z));
  let tileN = group % TILES_N;
  let rest = group / TILES_N;
  let tileM = rest % TILES_M;
  let split = rest / TILES_M;
  let m0 = tileM * BM;
  let n0 = tileN * BN;
  let kBegin = split * K_CHUNK;
  let kEnd = min(PRODUCT_K, kBegin + K_CHUNK);
  let tx = i32(localId.x);
  let ty = i32(localId.y);
  let thread = ty * WX + tx;
  var acc : array<f32, ${TM * TN}>;
  for (var i = 0; i < TM * TN; i++) { acc[i] = 0.0; }

  for (var step = 0; step < K_STEPS; step++) {
    let k0 = kBegin + step * BK;
    for (var r = 0; r < A_LOADS; r++) {
      let i = thread + r * THREADS;
      ${aIndex}
      let m = m0 + mm;
      let k = k0 + kk;
      var a = 0.0;
      if (m < PRODUCT_M && k < kEnd) { a = productA(m, k); }
      tileA[kk * BM + mm] = a;
    }
    for (var r = 0; r < B_LOADS; r++) {
      let i = thread + r * THREADS;
      let nn = i % BN;
      let kk = i / BN;
      let n = n0 + nn;
      let k = k0 + kk;
      var b = 0.0;
      if (n < PRODUCT_N && k < kEnd) { b = productB(k, n); }
      tileB[kk * BN + nn] = b;
    }
    workgroupBarrier();
    for (var kk = 0; kk < BK; kk++) {
      var a : array<f32, TM>;
      var b : array<f32, TN>;
      for (var i = 0; i < TM; i++) { a[i] = tileA[kk * BM + ty + i * WY]; }
      for (var j = 0; j < TN; j++) { b[j] = tileB[kk * BN + tx + j * WX]; }
      for (var i = 0; i < TM; i++) {
        for (var j = 0; j < TN; j++) { acc[i * TN + j] = fma(a[i], b[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }

  if (split < SPLITS) {
    for (var i = 0; i < TM; i++) {
      let m = m0 + ty + i * WY;
      for (var j = 0; j < TN; j++) {
        let n = n0 + tx + j * WX;
        if (m < PRODUCT_M && n < PRODUCT_N) { productStore(m, n, split, acc[i * TN + j]); }
      }
    }
  }
}
`;
}

/** The shader-key part of a plan: every constant productShader bakes in. */
export function planKey(plan: ProductPlan): string {
  return `${plan.m}x${plan.n}x${plan.k}_bn${plan.bn}_s${plan.splits}_c${plan.kChunk}`;
}
