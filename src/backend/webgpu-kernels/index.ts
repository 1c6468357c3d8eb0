/**
 * ecg-lab's WebGPU kernels, registered over tfjs-backend-webgpu's own for
 * what ecg-lab's CNNs train on and tfjs does slowly (its filter gradient is
 * one serial loop per filter element; see conv2d-backprop.ts): Conv2D,
 * FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter (tiled implicit
 * GEMMs, tiled-product.ts) and MaxPoolGrad (one pass). Each falls back to
 * tfjs's kernel for what it does not cover (dilations, NCHW, PReLU, other
 * dtypes). test/backend/webgpu.test.ts checks every one against the cpu
 * backend. ECG_LAB_WEBGPU_KERNELS=tfjs leaves tfjs's kernels in place (to
 * compare the two; bench/train-step.ts does).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { conv2d } from './conv2d.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv2d-backprop.js';
import { maxPoolGrad } from './max-pool-backprop.js';

type OwnKernel = (args: never) => TensorInfo | undefined;

const OWN_KERNELS: ReadonlyArray<readonly [string, OwnKernel]> = [
  [tf.Conv2D, conv2d],
  [tf.FusedConv2D, conv2d],
  [tf.Conv2DBackpropInput, conv2dBackpropInput],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilter],
  [tf.MaxPoolGrad, maxPoolGrad],
];

/** The kernel names ecg-lab replaces on webgpu. */
export const WEBGPU_KERNEL_NAMES: readonly string[] = Object.freeze(OWN_KERNELS.map(([name]) => name));

export type WebgpuKernelSet = 'ecg-lab' | 'tfjs';

/** Which kernels `backend=webgpu` uses: ecg-lab's unless ECG_LAB_WEBGPU_KERNELS=tfjs. */
export function webgpuKernelSet(env: NodeJS.ProcessEnv = process.env): WebgpuKernelSet {
  return env.ECG_LAB_WEBGPU_KERNELS === 'tfjs' ? 'tfjs' : 'ecg-lab';
}

let registered = false;
const ownFuncs = new WeakSet<KernelFunc>();

/** Whether the kernel registered for webgpu under this name is ecg-lab's. */
export function isEcgLabKernel(name: string): boolean {
  const kernel = tf.getKernel(name, 'webgpu');
  return kernel !== undefined && ownFuncs.has(kernel.kernelFunc);
}

/** Replaces tfjs-backend-webgpu's kernels with ecg-lab's, once per process (after the backend registered its own). */
export function registerWebgpuKernels(): void {
  if (registered) return;
  registered = true;
  for (const [name, own] of OWN_KERNELS) {
    const theirs = tf.getKernel(name, 'webgpu');
    if (theirs === undefined) throw new Error(`tfjs-backend-webgpu has no ${name} kernel to fall back on`);
    const kernelFunc = ((args: Parameters<KernelFunc>[0]) => own(args as never) ?? theirs.kernelFunc(args)) as KernelFunc;
    ownFuncs.add(kernelFunc);
    tf.unregisterKernel(name, 'webgpu');
    const config: KernelConfig = { ...theirs, kernelFunc };
    tf.registerKernel(config);
  }
}
