/**
 * Gradient comparison against the pure-JavaScript cpu backend, the
 * independent implementation every WASM kernel is tested against: the same
 * function, the same seeded inputs, tf.grads on both backends.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../src/core/rng.js';
import type { Rng } from '../../src/core/rng.js';
import { registerWasmGradientKernels } from '../../src/backend/index.js';

export interface GradCase {
  readonly label: string;
  readonly shapes: readonly number[][];
  /** Differentiable in every input; returns any tensor (weighted into a scalar here). */
  readonly f: (...inputs: tf.Tensor[]) => tf.Tensor;
}

/** PROD silences the cpu backend's "install the node backend" banner (IS_TEST would too, but turns on a leak check that WASM's custom-gradient ops trip falsely). */
export async function readyBackends(): Promise<void> {
  tf.env().set('PROD', true);
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Inputs, and the weights that make the loss a random linear function of the output (so no gradient is trivially 1). */
function values(rng: Rng, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => rng.normal());
}

function gradsOn(backend: 'cpu' | 'wasm', c: GradCase, seed: number): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const rng = createRng(seed);
    const inputs = c.shapes.map((shape) => tf.tensor(values(rng, shape.reduce((a, b) => a * b, 1)), shape));
    const loss = (...xs: tf.Tensor[]) => {
      const y = c.f(...xs);
      return tf.sum(tf.mul(y, tf.tensor(values(createRng(seed + 1), y.size), y.shape)));
    };
    return tf.grads(loss)(inputs).map((g) => g.dataSync() as Float32Array);
  });
}

/** Max |wasm - cpu| over every input's gradient, relative to the largest cpu gradient entry (at least 1). */
export function gradientError(c: GradCase, seed: number): number {
  const expected = gradsOn('cpu', c, seed);
  const actual = gradsOn('wasm', c, seed);
  let worst = 0;
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (a.length !== e.length) throw new Error(`${c.label}: gradient ${i} has ${a.length} values on wasm, ${e.length} on cpu`);
    const scale = Math.max(1, ...e.map(Math.abs));
    for (let k = 0; k < e.length; k++) worst = Math.max(worst, Math.abs(a[k]! - e[k]!) / scale);
  });
  tf.setBackend('wasm');
  return worst;
}

/**
 * Max |wasm gradient - central difference| relative to the largest
 * gradient entry (at least 1), for ops linear in their input, where the
 * central difference is exact up to float32 rounding.
 */
export function finiteDifferenceError(c: GradCase, seed: number, step = 0.5): number {
  tf.setBackend('wasm');
  const analytic = gradsOn('wasm', c, seed)[0]!;
  const rng = createRng(seed);
  const x = values(rng, c.shapes[0]!.reduce((a, b) => a * b, 1));
  const lossAt = (v: Float32Array) =>
    tf.tidy(() => {
      const y = c.f(tf.tensor(v, c.shapes[0]!));
      return tf.sum(tf.mul(y, tf.tensor(values(createRng(seed + 1), y.size), y.shape))).dataSync()[0]!;
    });
  const scale = Math.max(1, ...analytic.map(Math.abs));
  let worst = 0;
  for (let k = 0; k < x.length; k++) {
    const up = x.slice();
    const down = x.slice();
    up[k]! += step;
    down[k]! -= step;
    const numeric = (lossAt(up) - lossAt(down)) / (2 * step);
    worst = Math.max(worst, Math.abs(numeric - analytic[k]!) / scale);
  }
  return worst;
}
