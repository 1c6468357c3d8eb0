/**
 * UnsortedSegmentSum for the WASM backend (missing in 4.22); tf.gather's
 * gradient is made of it, so embedding-like lookups and index-based crops
 * could not train on WASM without it.
 *
 * Formula: with k = rank(segmentIds) and inner = prod(x.shape[k:]),
 *   out[s, r] = sum over i with segmentIds[i] = s of x[i, r],   0 <= s < numSegments
 * (ids outside [0, numSegments) are dropped, as TensorFlow does).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { outputInfo, wasmKernel } from '../kernel-support.js';

export const unsortedSegmentSumConfig = wasmKernel(tf.UnsortedSegmentSum, ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = rest.reduce((a, b) => a * b, 1);
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    for (let r = 0; r < inner; r++) out[segment * inner + r]! += values[i * inner + r]!;
  }
  return outputInfo(tf.tensor(out, [numSegments, ...rest], x.dtype), backend);
});
