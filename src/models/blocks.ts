/**
 * Layer blocks shared by the models, built with the tfjs-layers functional
 * API so that every model is a plain LayersModel: serialisable by io.ts and
 * trainable by train-loop.ts. Every kernel initialiser takes its seed from a
 * generator derived from the spec's seed, so the same spec builds the same
 * weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { EcgError } from '../core/errors.js';
import { modelMessages } from '../core/messages.js';

export type Sym = tf.SymbolicTensor;

/**
 * Batch-norm moving-average momentum. Keras's 0.99 averages over ~100 steps;
 * the stages here train for a few hundred steps in all (and the tests for a
 * few dozen), so 0.9 lets inference-mode statistics catch up with the weights.
 */
export const BN_MOMENTUM = 0.9;

/** The seed for the next initialiser: tf initialisers take a 31-bit seed. */
export function nextSeed(rng: Rng): number {
  return rng.int(0, 2 ** 31 - 2);
}

export function heNormal(rng: Rng): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: nextSeed(rng) });
}

export function glorotUniform(rng: Rng): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.glorotUniform({ seed: nextSeed(rng) });
}

/** Applies a layer to one symbolic input; the layers API types its result loosely. */
export function applyLayer(layer: tf.layers.Layer, input: Sym | Sym[]): Sym {
  return layer.apply(input) as Sym;
}

/** conv (no bias) -> batch norm -> activation: the unit of every 2-D model here. */
export function convBnAct2d(
  x: Sym,
  filters: number,
  rng: Rng,
  options: { kernelSize?: number; strides?: number; activation?: 'relu' | 'swish' | 'linear'; name?: string } = {},
): Sym {
  const { kernelSize = 3, strides = 1, activation = 'relu', name } = options;
  // `name` goes to the block's last layer, so a model can point at the block's output (models/backbone.ts).
  const named = name === undefined ? {} : { name };
  let y = applyLayer(
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: heNormal(rng) }),
    x,
  );
  y = applyLayer(tf.layers.batchNormalization({ axis: -1, momentum: BN_MOMENTUM, ...(activation === 'linear' ? named : {}) }), y);
  return activation === 'linear' ? y : applyLayer(tf.layers.activation({ activation, ...named }), y);
}

export function convBnAct1d(
  x: Sym,
  filters: number,
  kernelSize: number,
  rng: Rng,
  activation: 'relu' | 'linear' = 'relu',
): Sym {
  let y = applyLayer(
    tf.layers.conv1d({ filters, kernelSize, padding: 'same', useBias: false, kernelInitializer: heNormal(rng) }),
    x,
  );
  y = applyLayer(tf.layers.batchNormalization({ axis: -1, momentum: BN_MOMENTUM }), y);
  return activation === 'linear' ? y : applyLayer(tf.layers.activation({ activation }), y);
}

/** A dense head producing logits (sigmoid is applied by the loss or by predict helpers). */
export function denseLogits(x: Sym, units: number, rng: Rng, name: string): Sym {
  return applyLayer(tf.layers.dense({ units, kernelInitializer: glorotUniform(rng), name }), x);
}

/** Spec validation at the edge: one message shape for every model. */
export function requirePositiveInt(model: string, key: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new EcgError('MODEL_INVALID', modelMessages.specInvalid(model, key, value, 'expected an integer >= 1'));
  }
}

export function requireWidths(model: string, key: string, widths: readonly number[]): void {
  if (widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new EcgError('MODEL_INVALID', modelMessages.specInvalid(model, key, widths, 'expected a non-empty list of integers >= 1'));
  }
}

export function requireFraction(model: string, key: string, value: number): void {
  if (!(value >= 0 && value < 1)) {
    throw new EcgError('MODEL_INVALID', modelMessages.specInvalid(model, key, value, 'expected a number in [0, 1)'));
  }
}
