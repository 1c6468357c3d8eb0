/**
 * The small U-Net (Ronneberger et al., MICCAI 2015) that the ROI model, the
 * denoiser and the digitizer share: an encoder of `widths.length - 1`
 * downsampling levels (two 3x3 conv-BN-ReLU, then 2x2 max pooling), a
 * bottleneck, and a decoder that upsamples (nearest neighbour, then convs)
 * and concatenates the encoder's feature map of the same scale. Skip
 * connections keep pixel-exact positions (what a trace row or a box edge
 * needs) while the bottleneck sees enough context to tell a trace from grid
 * lines and text. The output is a linear `outChannels` map at input
 * resolution; each model adds its own head (sigmoid, residual, softmax).
 *
 * A null `inputWidth` makes the network accept any width divisible by
 * 2^(levels) at run time (the digitizer's crops are as wide as their lead
 * is long).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { EcgError } from '../core/errors.js';
import { modelMessages } from '../core/messages.js';
import { applyLayer, convBnAct2d, glorotUniform, requirePositiveInt, requireWidths, type Sym } from './blocks.js';

export interface UNetSpec {
  readonly inputHeight: number;
  /** null: any width divisible by 2^(widths.length - 1). */
  readonly inputWidth: number | null;
  /** Channels per level, top to bottleneck; widths.length - 1 poolings. */
  readonly widths: readonly number[];
}

/** The factor both spatial sizes must be divisible by. */
export function unetStride(widths: readonly number[]): number {
  return 2 ** (widths.length - 1);
}

export function validateUNet(model: string, spec: UNetSpec): void {
  requirePositiveInt(model, 'inputHeight', spec.inputHeight);
  if (spec.inputWidth !== null) requirePositiveInt(model, 'inputWidth', spec.inputWidth);
  requireWidths(model, 'widths', spec.widths);
  const stride = unetStride(spec.widths);
  for (const [key, size] of [
    ['inputHeight', spec.inputHeight],
    ['inputWidth', spec.inputWidth],
  ] as const) {
    if (size !== null && size % stride !== 0) {
      throw new EcgError(
        'MODEL_INVALID',
        modelMessages.specInvalid(model, key, size, `must be divisible by ${stride} (2 to the number of poolings, widths.length - 1)`),
      );
    }
  }
}

/** Two 3x3 conv-BN-ReLU at one scale: a U-Net level. */
export function doubleConv(x: Sym, width: number, rng: Rng): Sym {
  return convBnAct2d(convBnAct2d(x, width, rng), width, rng);
}

/** The U-Net body from `input` ([B, H, W, C]) to a linear [B, H, W, outChannels] map. */
export function unetBody(input: Sym, widths: readonly number[], outChannels: number, rng: Rng): Sym {
  const skips: Sym[] = [];
  let x = input;
  for (const width of widths.slice(0, -1)) {
    x = doubleConv(x, width, rng);
    skips.push(x);
    x = applyLayer(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }), x);
  }
  x = doubleConv(x, widths[widths.length - 1] as number, rng);
  for (let level = skips.length - 1; level >= 0; level--) {
    x = applyLayer(tf.layers.upSampling2d({ size: [2, 2] }), x);
    x = applyLayer(tf.layers.concatenate({ axis: -1 }), [x, skips[level] as Sym]);
    x = doubleConv(x, widths[level] as number, rng);
  }
  return applyLayer(
    tf.layers.conv2d({ filters: outChannels, kernelSize: 1, padding: 'same', kernelInitializer: glorotUniform(rng) }),
    x,
  );
}

export function unetInput(spec: UNetSpec, name: string): Sym {
  return tf.input({ shape: [spec.inputHeight, spec.inputWidth, 1] as number[], name });
}
