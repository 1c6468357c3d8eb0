/**
 * Gradient kernels the WASM backend of TensorFlow.js 4.22 lacks, for every
 * layer ecg-lab's models use (conv2d, conv1d, separable / transposed /
 * depthwise conv, gather). Everything else those models need (pooling,
 * batch norm, activations, softmax, concat / slice / pad / transpose /
 * tile, cumsum, reductions) the backend has, except the max-pooling
 * gradient, which it computes wrongly and is replaced. The gradient tests
 * in test/backend/ check each against the cpu backend (resize gradients
 * against finite differences: the cpu backend's are the wrong ones there).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
// The backend's own kernels must be registered before ours replace some of them.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
import { maxPoolGradConfig } from './max-pool-backprop.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export const WASM_GRADIENT_KERNELS: readonly KernelConfig[] = Object.freeze([
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
]);

/** Kernels the backend has but computes wrongly in 4.22 (see max-pool-backprop.ts); ecg-lab's replace them. */
export const WASM_KERNEL_FIXES: readonly KernelConfig[] = Object.freeze([maxPoolGradConfig]);

let registered = false;

/** Registers the missing kernels and replaces the wrong ones, once per process. */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of WASM_GRADIENT_KERNELS) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
  for (const config of WASM_KERNEL_FIXES) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
