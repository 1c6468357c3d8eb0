/**
 * Conv2D and FusedConv2D (+ bias, + activation) on WebGPU as an implicit
 * GEMM (tiled-product.ts), for channels-last float32 without dilation:
 *
 *   y[b, oy, ox, co] = act(bias[co] + sum over ky, kx, ci of
 *                      x[b, oy*sh - pt + ky, ox*sw - pl + kx, ci] * w[ky, kx, ci, co])
 *
 * with x read as 0 outside the image. As a product: m = (b, oy, ox),
 * n = co, k = (ky, kx, ci); A is the im2col matrix of x (contiguous in k:
 * ci is x's innermost axis), B is the filter as [KH*KW*CIN, COUT].
 * Anything else (dilations, NCHW, PReLU, other dtypes) goes to
 * tfjs-backend-webgpu's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DAttrs, FusedConv2DAttrs, TensorInfo } from '@tensorflow/tfjs';
import { float, int, spreadDispatch } from './program.js';
import type { WebgpuBackend, WebgpuProgram } from './program.js';
import { planKey, planProduct, productShader } from './tiled-product.js';
import type { ProductPlan } from './tiled-product.js';

type Shape4 = [number, number, number, number];

/** Activations computed in the store; tfjs's names. */
const ACTIVATIONS: Readonly<Record<string, (alpha: number) => string>> = {
  linear: () => 'v',
  relu: () => 'max(v, 0.0)',
  relu6: () => 'clamp(v, 0.0, 6.0)',
  elu: () => 'select(exp(v) - 1.0, v, v >= 0.0)',
  sigmoid: () => '1.0 / (1.0 + exp(-v))',
  leakyrelu: (alpha) => `select(${float(alpha)} * v, v, v >= 0.0)`,
};

/** Whether ecg-lab's kernels handle this convolution (else tfjs's do). */
export function ownsConvolution(info: tf.backend_util.Conv2DInfo, dtypes: readonly string[]): boolean {
  return info.dataFormat === 'channelsLast' && info.dilationHeight === 1 && info.dilationWidth === 1 && dtypes.every((d) => d === 'float32');
}

/** The constants every convolution shader shares (the shapes of x, dy and the filter, strides, pads). */
export function convConstants(info: tf.backend_util.Conv2DInfo): string {
  return [
    ['BATCH', info.batchSize], ['IN_H', info.inHeight], ['IN_W', info.inWidth], ['CIN', info.inChannels],
    ['OUT_H', info.outHeight], ['OUT_W', info.outWidth], ['COUT', info.outChannels],
    ['KH', info.filterHeight], ['KW', info.filterWidth], ['SH', info.strideHeight], ['SW', info.strideWidth],
    ['PT', info.padInfo.top], ['PL', info.padInfo.left],
  ].map(([name, value]) => `const ${name} = ${int(value as number)};`).join('\n');
}

export function convKey(info: tf.backend_util.Conv2DInfo): string {
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left].join('_');
}

/** x at (b, iy, ix, ci) for the im2col element (m, k) of the forward product and the filter gradient. */
export const IM2COL = `
fn im2col(m : i32, k : i32) -> f32 {
  let b = m / (OUT_H * OUT_W);
  let pixel = m % (OUT_H * OUT_W);
  let iy = (pixel / OUT_W) * SH - PT + k / (KW * CIN);
  let ix = (pixel % OUT_W) * SW - PL + (k / CIN) % KW;
  if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W) { return 0.0; }
  return x[((b * IN_H + iy) * IN_W + ix) * CIN + k % CIN];
}`;

/** A convolution as a tiled product (tiled-product.ts): the program fields every one of them shares. */
export abstract class ProductProgram implements WebgpuProgram {
  abstract readonly variableNames: readonly string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout = { x: [0], y: [1], z: [2] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  readonly uniforms = '';

  /** `key` names the kernel and whatever else it bakes into its code beyond the geometry and the plan. */
  constructor(protected readonly info: tf.backend_util.Conv2DInfo, protected readonly plan: ProductPlan, outputShape: readonly number[], key: string) {
    this.outputShape = outputShape.slice();
    this.workgroupSize = plan.workgroupSize;
    this.dispatch = spreadDispatch(plan.workgroups);
    this.shaderKey = `${key}_${convKey(info)}_${planKey(plan)}`;
  }

  abstract getUserCode(): string;
}

class Conv2DProgram extends ProductProgram {
  readonly variableNames: string[];

  constructor(info: tf.backend_util.Conv2DInfo, private readonly hasBias: boolean, private readonly activation: string, private readonly alpha: number) {
    const plan = planProduct(info.batchSize * info.outHeight * info.outWidth, info.outChannels, info.filterHeight * info.filterWidth * info.inChannels);
    super(info, plan, info.outShape, `ecgConv2D_${hasBias}_${activation}_${alpha}`);
    this.variableNames = hasBias ? ['x', 'W', 'bias'] : ['x', 'W'];
  }

  getUserCode(): string {
    const act = ACTIVATIONS[this.activation];
    if (act === undefined) throw new RangeError(`activation ${this.activation}`);
    // uniforms.NAN is read so that the uniform buffer stays in the 'auto' layout (program.ts).
    const store = `
fn productStore(m : i32, n : i32, split : i32, value : f32) {
  var v = value${this.hasBias ? ' + bias[n]' : ''};
  v = ${act(this.alpha)};
  result[m * COUT + n] = select(v, uniforms.NAN, v != v);
}`;
    return `${convConstants(this.info)}
${IM2COL}
${productShader(this.plan, {
      loadA: 'fn productA(m : i32, k : i32) -> f32 { return im2col(m, k); }',
      loadB: 'fn productB(k : i32, n : i32) -> f32 { return W[k * COUT + n]; }',
      store,
      aContiguousInM: false,
    })}`;
  }
}

interface ConvArgs {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: WebgpuBackend;
  attrs: Conv2DAttrs & Partial<Pick<FusedConv2DAttrs, 'activation' | 'leakyreluAlpha'>>;
}

/** The convolution's geometry from a kernel's attributes, as tfjs computes it. */
function forwardInfo({ inputs, attrs }: ConvArgs): tf.backend_util.Conv2DInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  return tf.backend_util.computeConv2DInfo(inputs.x.shape as Shape4, inputs.filter.shape as Shape4, attrs.strides, attrs.dilations,
    attrs.pad, attrs.dimRoundingMode, false, dataFormat);
}

/** Runs the convolution, or returns undefined where tfjs's kernel should (see the file header). */
export function conv2d(args: ConvArgs): TensorInfo | undefined {
  const { inputs, backend, attrs } = args;
  const activation = attrs.activation ?? 'linear';
  const info = forwardInfo(args);
  const dtypes = [inputs.x.dtype, inputs.filter.dtype, ...(inputs.bias ? [inputs.bias.dtype] : [])];
  if (!ownsConvolution(info, dtypes) || !(activation in ACTIVATIONS) || inputs.preluActivationWeights !== undefined) return undefined;
  if (inputs.bias !== undefined && inputs.bias.shape.reduce((a, b) => a * b, 1) !== info.outChannels) return undefined;
  const program = new Conv2DProgram(info, inputs.bias !== undefined, activation, attrs.leakyreluAlpha ?? 0.2);
  const tensors = inputs.bias !== undefined ? [inputs.x, inputs.filter, inputs.bias] : [inputs.x, inputs.filter];
  return backend.runWebGPUProgram(program, tensors, 'float32');
}
