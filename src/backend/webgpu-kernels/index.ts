/**
 * ecg-lab's WebGPU kernels, registered over tfjs-backend-webgpu's own for
 * what ecg-lab's CNNs train on and tfjs does slowly (its filter gradient is
 * one serial loop per filter element; see conv2d-backprop.ts): Conv2D,
 * FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter (tiled implicit
 * GEMMs, tiled-product.ts) and MaxPoolGrad (one pass). Each falls back to
 * tfjs's kernel for what it does not cover (dilations, NCHW, PReLU, other
 * dtypes). test/backend/webgpu.test.ts checks every one against the cpu
 * backend. ECG_LAB_WEBGPU_KERNELS=tfjs leaves tfjs's kernels in place,
 * =gradients replaces only the gradients (MaxPoolGrad and both Conv2D
 * gradients) and keeps tfjs's forward convolutions: bench/train-step.ts
 * compares the three.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { conv2d } from './conv2d.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv2d-backprop.js';
import { maxPoolGrad } from './max-pool-backprop.js';

type OwnKernel = (args: never) => TensorInfo | undefined;

const OWN_KERNELS: ReadonlyArray<readonly [string, OwnKernel, 'forward' | 'gradient']> = [
  [tf.Conv2D, conv2d, 'forward'],
  [tf.FusedConv2D, conv2d, 'forward'],
  [tf.Conv2DBackpropInput, conv2dBackpropInput, 'gradient'],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilter, 'gradient'],
  [tf.MaxPoolGrad, maxPoolGrad, 'gradient'],
];

/** The kernel names ecg-lab replaces on webgpu. */
export const WEBGPU_KERNEL_NAMES: readonly string[] = Object.freeze(OWN_KERNELS.map(([name]) => name));

export const WEBGPU_KERNEL_SETS = ['ecg-lab', 'gradients', 'tfjs'] as const;
export type WebgpuKernelSet = (typeof WEBGPU_KERNEL_SETS)[number];

/** Which kernels `backend=webgpu` uses: ECG_LAB_WEBGPU_KERNELS, ecg-lab's when unset or unknown. */
export function webgpuKernelSet(env: NodeJS.ProcessEnv = process.env): WebgpuKernelSet {
  const asked = env['ECG_LAB_WEBGPU_KERNELS'];
  return (WEBGPU_KERNEL_SETS as readonly string[]).includes(asked ?? '') ? (asked as WebgpuKernelSet) : 'ecg-lab';
}

/** Whether a kernel set replaces this kernel of tfjs's. */
export function replaces(set: WebgpuKernelSet, name: string): boolean {
  const kind = OWN_KERNELS.find(([n]) => n === name)?.[2];
  return kind !== undefined && (set === 'ecg-lab' || (set === 'gradients' && kind === 'gradient'));
}

let registered = false;
const ownFuncs = new WeakSet<KernelFunc>();

/** Whether the kernel registered for webgpu under this name is ecg-lab's. */
export function isEcgLabKernel(name: string): boolean {
  const kernel = tf.getKernel(name, 'webgpu');
  return kernel !== undefined && ownFuncs.has(kernel.kernelFunc);
}

/** Replaces tfjs-backend-webgpu's kernels with ecg-lab's (those of `set`), once per process, after the backend registered its own. */
export function registerWebgpuKernels(set: WebgpuKernelSet): void {
  if (registered) return;
  registered = true;
  for (const [name, own] of OWN_KERNELS) {
    if (!replaces(set, name)) continue;
    const theirs = tf.getKernel(name, 'webgpu');
    if (theirs === undefined) throw new Error(`tfjs-backend-webgpu has no ${name} kernel to fall back on`);
    const kernelFunc = ((args: Parameters<KernelFunc>[0]) => own(args as never) ?? theirs.kernelFunc(args)) as KernelFunc;
    ownFuncs.add(kernelFunc);
    tf.unregisterKernel(name, 'webgpu');
    const config: KernelConfig = { ...theirs, kernelFunc };
    tf.registerKernel(config);
  }
}
