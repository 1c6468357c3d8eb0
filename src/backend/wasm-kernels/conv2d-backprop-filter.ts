/**
 * Conv2DBackpropFilter for the WASM backend, which has none in 4.22, so no
 * conv2d / conv1d / separable or transposed conv could train on it.
 *
 * Formula (NHWC, stride s, padding top pt / left pl, dilation 1 as tfjs's
 * conv2d gradient requires):
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} X[b, oh*s + kh - pt, ow*s + kw - pl, ci] * dY[b, oh, ow, co]
 * which is itself a forward convolution with the roles swapped: the input
 * is X transposed to [CI, H, W, B] (channels B), the filter is dY
 * transposed to [OH, OW, B, CO], dilated by s, stride 1, padded (pt, pl)
 * before and so much after that the output is exactly KH x KW:
 *   conv(X^T, dY^T)[ci, kh, kw, co] = dW[kh, kw, ci, co].
 * That runs on the backend's XNNPACK convolution (one GEMM with
 * K = B*OH*OW), far faster than im2col + matMul in tfjs ops. Rows or
 * columns that no output reads (stride leaving a remainder) are sliced off
 * first, since padding cannot be negative.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs';
import { viaOps, wasmKernel } from '../kernel-support.js';

export const conv2DBackpropFilterConfig = wasmKernel(tf.Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  return viaOps(backend, [x, dy], (xT, dyT) => {
    const channelsFirst = dataFormat === 'NCHW';
    const x4 = (channelsFirst ? tf.transpose(xT, [0, 2, 3, 1]) : xT) as tf.Tensor4D;
    const dy4 = (channelsFirst ? tf.transpose(dyT, [0, 2, 3, 1]) : dyT) as tf.Tensor4D;
    return filterGradient(x4, dy4, filterShape, strides, pad, dimRoundingMode);
  });
});

/** dW of a conv2d (NHWC, dilation 1), as one forward convolution; see the file comment. */
export function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Conv2DBackpropFilterAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  const [, h, w] = x.shape;
  const after = (k: number, out: number, s: number, size: number, before: number) => k + (out - 1) * s - size - before;
  const bottom = after(kh, oh, sh, h, top);
  const right = after(kw, ow, sw, w, left);
  const cropped = bottom < 0 || right < 0 ? tf.slice(x, [0, 0, 0, 0], [-1, h + Math.min(bottom, 0), w + Math.min(right, 0), -1]) : x;
  const input = tf.transpose(cropped, [3, 1, 2, 0]) as tf.Tensor4D;
  const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0],
  ];
  const grad = tf.conv2d(input, filter, 1, padding, 'NHWC', [sh, sw]);
  return tf.transpose(grad, [1, 2, 0, 3]) as tf.Tensor4D;
}
