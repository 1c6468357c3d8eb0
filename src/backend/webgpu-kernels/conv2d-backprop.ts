/**
 * The two gradients of a channels-last, undilated float32 Conv2D on WebGPU,
 * as implicit GEMMs (tiled-product.ts). With y = conv(x, w) (conv2d.ts):
 *
 *   dx[b, iy, ix, ci] = sum over ky, kx, co of dy[b, oy, ox, co] * w[ky, kx, ci, co]
 *                       where iy + pt - ky = oy*sh and ix + pl - kx = ox*sw, inside dy
 *   product: m = (b, iy, ix), n = ci, k = (ky, kx, co); A gathers dy (contiguous in co = k), B is w with ci and co swapped.
 *
 *   dw[ky, kx, ci, co] = sum over b, oy, ox of x[b, oy*sh - pt + ky, ox*sw - pl + kx, ci] * dy[b, oy, ox, co]
 *   product: m = (ky, kx, ci), n = co, k = (b, oy, ox); A is the transposed im2col of x (contiguous in ci = m), B is dy as [B*OH*OW, COUT].
 *
 * tfjs-backend-webgpu 4.22 computes dw with one thread per filter element,
 * each looping over every output pixel of the batch (on the benchmark CNN
 * at batch 64, 4,608 threads of 524,288 steps each), which is where its
 * training step spent its time. Here dw is split over K (split K, see
 * tiled-product.ts): about a thousand workgroups each sum a slice of the
 * batch's pixels into a partial filter, and a second program adds the
 * partial filters in a fixed order (so the result does not depend on
 * scheduling).
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, TensorInfo } from '@tensorflow/tfjs';
import { FlatProgram, int } from './program.js';
import type { WebgpuBackend } from './program.js';
import { convConstants, IM2COL, ownsConvolution, ProductProgram } from './conv2d.js';
import { planProduct, productShader } from './tiled-product.js';
import type { ProductPlan } from './tiled-product.js';

type Shape4 = [number, number, number, number];

/** Workgroups the filter gradient aims for: a few per compute unit on current GPUs (an H100 has 132). */
const FILTER_GRADIENT_WORKGROUPS = 1024;

class BackpropInputProgram extends ProductProgram {
  readonly variableNames = ['dy', 'W'];

  constructor(info: tf.backend_util.Conv2DInfo) {
    const plan = planProduct(info.batchSize * info.inHeight * info.inWidth, info.inChannels, info.filterHeight * info.filterWidth * info.outChannels);
    super(info, plan, info.inShape, 'ecgConv2DBackpropInput');
  }

  getUserCode(): string {
    return `${convConstants(this.info)}
${productShader(this.plan, {
      loadA: `
fn productA(m : i32, k : i32) -> f32 {
  let b = m / (IN_H * IN_W);
  let pixel = m % (IN_H * IN_W);
  let ty = pixel / IN_W + PT - k / (KW * COUT);
  let tx = pixel % IN_W + PL - (k / COUT) % KW;
  if (ty < 0 || tx < 0 || ty % SH != 0 || tx % SW != 0) { return 0.0; }
  let oy = ty / SH;
  let ox = tx / SW;
  if (oy >= OUT_H || ox >= OUT_W) { return 0.0; }
  return dy[((b * OUT_H + oy) * OUT_W + ox) * COUT + k % COUT];
}`,
      loadB: `
fn productB(k : i32, n : i32) -> f32 {
  return W[((k / COUT) * CIN + n) * COUT + k % COUT];
}`,
      store: `
fn productStore(m : i32, n : i32, split : i32, value : f32) {
  result[m * CIN + n] = select(value, uniforms.NAN, value != value);
}`,
      aContiguousInM: false,
    })}`;
  }
}

class BackpropFilterProgram extends ProductProgram {
  readonly variableNames = ['x', 'dy'];

  constructor(info: tf.backend_util.Conv2DInfo, plan: ProductPlan) {
    super(info, plan, plan.splits === 1 ? info.filterShape : [plan.splits, plan.m * plan.n], 'ecgConv2DBackpropFilter');
  }

  getUserCode(): string {
    return `${convConstants(this.info)}
${IM2COL}
${productShader(this.plan, {
      // A[m, k] = im2col(x)[k, m]: m = (ky, kx, ci) is im2col's column, k = (b, oy, ox) its row.
      loadA: 'fn productA(m : i32, k : i32) -> f32 { return im2col(k, m); }',
      loadB: 'fn productB(k : i32, n : i32) -> f32 { return dy[k * COUT + n]; }',
      store: `
fn productStore(m : i32, n : i32, split : i32, value : f32) {
  result[(split * PRODUCT_M + m) * COUT + n] = select(value, uniforms.NAN, value != value);
}`,
      aContiguousInM: true,
    })}`;
  }
}

/** Adds the split-K partial filters [splits, size] in order of split. */
class SumPartialsProgram extends FlatProgram {
  readonly variableNames = ['partials'];

  constructor(filterShape: readonly number[], private readonly splits: number) {
    super(filterShape, `ecgSumPartials_${splits}`);
  }

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    var sum = 0.0;
    for (var s = 0; s < ${int(this.splits)}; s++) { sum = sum + partials[s * uniforms.size + index]; }
    result[index] = sum;
  }
}`;
  }
}

interface BackpropInputArgs {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WebgpuBackend;
  attrs: Conv2DBackpropInputAttrs;
}

export function conv2dBackpropInput({ inputs, backend, attrs }: BackpropInputArgs): TensorInfo | undefined {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape as Shape4, inputs.filter.shape as Shape4, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, dataFormat);
  if (!ownsConvolution(info, [inputs.dy.dtype, inputs.filter.dtype])) return undefined;
  return backend.runWebGPUProgram(new BackpropInputProgram(info), [inputs.dy, inputs.filter], 'float32');
}

interface BackpropFilterArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WebgpuBackend;
  attrs: Conv2DBackpropFilterAttrs;
}

export function conv2dBackpropFilter({ inputs, backend, attrs }: BackpropFilterArgs): TensorInfo | undefined {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(inputs.x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, dataFormat);
  if (!ownsConvolution(info, [inputs.x.dtype, inputs.dy.dtype])) return undefined;
  const plan = planProduct(info.filterHeight * info.filterWidth * info.inChannels, info.outChannels,
    info.batchSize * info.outHeight * info.outWidth, FILTER_GRADIENT_WORKGROUPS);
  const product = backend.runWebGPUProgram(new BackpropFilterProgram(info, plan), [inputs.x, inputs.dy], 'float32');
  if (plan.splits === 1) return product;
  const summed = backend.runWebGPUProgram(new SumPartialsProgram(info.filterShape, plan.splits), [product], 'float32');
  backend.disposeData(product.dataId);
  return summed;
}
