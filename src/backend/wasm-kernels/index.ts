/**
 * Gradient kernels the WASM backend of TensorFlow.js 4.22 lacks, for every
 * layer ecg-lab's models use (conv2d, conv1d, separable / transposed /
 * depthwise conv, gather). Everything else those models need (pooling,
 * batch norm, resize, activations, softmax, concat / slice / pad /
 * transpose / tile, cumsum, reductions) the backend has; the gradient tests
 * in test/backend/ check each against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export const WASM_GRADIENT_KERNELS: readonly KernelConfig[] = Object.freeze([
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
]);

/** Registers the kernels once; the backend's own kernel of the same name, should a later version ship one, wins. */
export function registerWasmGradientKernels(): void {
  for (const config of WASM_GRADIENT_KERNELS) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
}
