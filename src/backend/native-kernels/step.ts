/**
 * Step for the native backend. tfjs's ReLU gradient is dy * step(x) (also
 * inside the fused conv + bias + ReLU gradient), and tfjs-node computes
 * step with six full-size ops (isNaN, greater, onesLike, fill, two selects),
 * which made it the costliest kernel of a training step (about 40% of the
 * benchmark CNN's step). For the alpha = 0 that ReLU uses:
 *   step(x) = sign(relu(x))   (1 for x > 0, 0 for x <= 0, NaN for NaN)
 * two TensorFlow ops, about ten times faster. Other alphas keep tfjs-node's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { viaOps } from '../kernel-support.js';
import type { KernelArgs } from '../kernel-support.js';

export function nativeStepConfig(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const alpha = (args.attrs['alpha'] as number | undefined) ?? 0;
    if (alpha !== 0 || x.dtype !== 'float32') return original.kernelFunc(args as never) as TensorInfo;
    return viaOps(args.backend, [x], (t) => tf.sign(tf.relu(t)));
  };
  return { kernelName: tf.Step, backendName: 'tensorflow', kernelFunc: kernelFunc as unknown as KernelFunc };
}

let registered = false;

/** Replaces tfjs-node's Step once it is loaded (its kernels register on require). */
export function registerNativeKernels(): void {
  const original = tf.getKernel(tf.Step, 'tensorflow');
  if (registered || !original) return;
  registered = true;
  tf.unregisterKernel(tf.Step, 'tensorflow');
  tf.registerKernel(nativeStepConfig(original));
}
