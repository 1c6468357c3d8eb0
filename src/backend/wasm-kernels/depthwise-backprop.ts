/**
 * The two depthwise-convolution gradients the WASM backend lacks in 4.22.
 * Depthwise convs are cheap (no sum over input channels), so a direct loop
 * over typed arrays, innermost over contiguous channels, is fast enough and
 * exact for every stride, dilation and padding.
 *
 * Forward (NHWC, channel multiplier M, stride s, dilation d, padding pt/pl):
 *   Y[b, oh, ow, c*M + m] = sum_{kh, kw} X[b, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, c] * W[kh, kw, c, m]
 * so, with i = oh*sh + kh*dh - pt and j = ow*sw + kw*dw - pl inside X:
 *   dX[b, i, j, c]    = sum_{oh, ow, kh, kw, m} dY[b, oh, ow, c*M + m] * W[kh, kw, c, m]
 *   dW[kh, kw, c, m]  = sum_{b, oh, ow}          dY[b, oh, ow, c*M + m] * X[b, i, j, c]
 */
import * as tf from '@tensorflow/tfjs';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelBackend,
  TensorInfo,
} from '@tensorflow/tfjs';
import { outputInfo, wasmKernel } from '../kernel-support.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function floats(backend: KernelBackend, info: TensorInfo): Float32Array {
  return backend.readSync(info.dataId) as Float32Array;
}

/** Calls visit(xOffset, dyOffset, wOffset) for every (b, oh, ow, kh, kw) whose input pixel lies inside X. */
function forEachTap(conv: ConvInfo, visit: (xAt: number, dyAt: number, wAt: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = conv;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = conv;
  const { top, left } = conv.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let kh = 0; kh < filterHeight; kh++) {
        const i = oh * strideHeight + kh * dilationHeight - top;
        if (i < 0 || i >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const dyAt = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          for (let kw = 0; kw < filterWidth; kw++) {
            const j = ow * strideWidth + kw * dilationWidth - left;
            if (j < 0 || j >= inWidth) continue;
            visit(((b * inHeight + i) * inWidth + j) * inChannels, dyAt, (kh * filterWidth + kw) * outChannels);
          }
        }
      }
    }
  }
}

export const depthwiseBackpropInputConfig = wasmKernel(tf.DepthwiseConv2dNativeBackpropInput, ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const conv = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true);
  const dyValues = floats(backend, dy);
  const w = floats(backend, filter);
  const dx = new Float32Array(inputShape.reduce((a, b) => a * b, 1));
  const channels = conv.inChannels;
  const multiplier = conv.outChannels / channels;
  forEachTap(conv, (xAt, dyAt, wAt) => {
    for (let c = 0, o = 0; c < channels; c++) {
      let sum = 0;
      for (let m = 0; m < multiplier; m++, o++) sum += dyValues[dyAt + o]! * w[wAt + o]!;
      dx[xAt + c]! += sum;
    }
  });
  return outputInfo(tf.tensor(dx, inputShape, 'float32'), backend);
});

export const depthwiseBackpropFilterConfig = wasmKernel(tf.DepthwiseConv2dNativeBackpropFilter, ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const conv = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
  const xValues = floats(backend, x);
  const dyValues = floats(backend, dy);
  const dw = new Float32Array(filterShape.reduce((a, b) => a * b, 1));
  const channels = conv.inChannels;
  const multiplier = conv.outChannels / channels;
  forEachTap(conv, (xAt, dyAt, wAt) => {
    for (let c = 0, o = 0; c < channels; c++) {
      const xv = xValues[xAt + c]!;
      for (let m = 0; m < multiplier; m++, o++) dw[wAt + o]! += dyValues[dyAt + o]! * xv;
    }
  });
  return outputInfo(tf.tensor(dw, filterShape, 'float32'), backend);
});
