/**
 * A replacement for the WASM backend's own MaxPoolGrad, which tfjs 4.22
 * gets wrong for batch > 1 and larger images (found by the gradient tests
 * against the cpu backend, confirmed by finite differences). A direct loop
 * over typed arrays, linear in the size of dy times the window.
 */
import * as tf from '@tensorflow/tfjs';
import type { MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { outputInfo, wasmKernel } from '../kernel-support.js';

type Shape4 = [number, number, number, number];

/**
 * MaxPoolGrad. Forward: Y[b, oh, ow, c] = max over the window of X at
 * (oh*sh - pt + i, ow*sw - pl + j), i < fh, j < fw, inside X. Gradient: all
 * of dY[b, oh, ow, c] goes to the window's arg max (the first maximum in
 * row-major order, as TensorFlow picks it).
 */
export const maxPoolGradConfig = wasmKernel(tf.MaxPoolGrad, ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const x = backend.readSync(input.dataId) as Float32Array;
  const g = backend.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(x.length);
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  for (let b = 0, o = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let c = 0; c < ch; c++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < filterHeight; i++) {
            const r = oh * strideHeight - top + i;
            if (r < 0 || r >= inHeight) continue;
            for (let j = 0; j < filterWidth; j++) {
              const s = ow * strideWidth - left + j;
              if (s < 0 || s >= inWidth) continue;
              const k = ((b * inHeight + r) * inWidth + s) * ch + c;
              if (x[k]! > best) {
                best = x[k]!;
                at = k;
              }
            }
          }
          if (at >= 0) dx[at]! += g[o]!;
        }
      }
    }
  }
  return outputInfo(tf.tensor(dx, input.shape, 'float32'), backend);
});
