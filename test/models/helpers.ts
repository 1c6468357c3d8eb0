/**
 * Shared by the model tests: the pure-JS cpu backend (the reference backend,
 * and the one available before the native backend lands), a seeded tensor
 * maker, and a few-steps training helper that asserts nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/core/rng.js';

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function seededUniform(shape: number[], seed: string, lo = 0, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(lo, hi));
}

/** Run `steps` Adam steps of `loss` over `variables`; return the losses; asserts no tensor is left behind. */
export function trainSteps(loss: () => tf.Scalar, variables: tf.Variable[], steps: number, learningRate = 1e-2): number[] {
  const optimizer = tf.train.adam(learningRate);
  // The first step creates the optimizer's slot variables; count tensors after it.
  const losses: number[] = [];
  const first = optimizer.minimize(loss, true, variables);
  losses.push(first?.dataSync()[0] ?? Number.NaN);
  first?.dispose();
  const before = tf.memory().numTensors;
  for (let i = 1; i < steps; i++) {
    const cost = optimizer.minimize(loss, true, variables);
    losses.push(cost?.dataSync()[0] ?? Number.NaN);
    cost?.dispose();
  }
  assert.is(tf.memory().numTensors, before, 'a training step leaked tensors');
  optimizer.dispose();
  return losses;
}

export function assertDecreased(losses: readonly number[], factor = 0.9): void {
  const first = losses[0] as number;
  const last = losses[losses.length - 1] as number;
  assert.ok(Number.isFinite(first) && Number.isFinite(last), `losses not finite: ${losses.join(', ')}`);
  assert.ok(last < first * factor, `loss did not decrease enough: ${first} -> ${last} (${losses.map((l) => l.toFixed(4)).join(', ')})`);
}

/** Asserts `fn` leaves the number of live tensors unchanged (its result disposed by the caller via `keep`). */
export function assertNoLeak(fn: () => tf.TensorContainer): void {
  const before = tf.memory().numTensors;
  const out = fn();
  tf.dispose(out);
  assert.is(tf.memory().numTensors, before, 'inference leaked tensors');
}
