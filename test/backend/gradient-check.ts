/**
 * Gradient comparison against the pure-JavaScript cpu backend, the
 * independent implementation every WASM (and WebGPU) kernel is tested
 * against: the same function, the same seeded inputs, tf.grads on both
 * backends.
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

/** The gradients of the case's random linear loss on one backend, as tensors on that backend. */
function gradTensors(backend: string, c: GradCase, seed: number): tf.Tensor[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const rng = createRng(seed);
    const inputs = c.shapes.map((shape) => tf.tensor(values(rng, shape.reduce((a, b) => a * b, 1)), shape));
    const loss = (...xs: tf.Tensor[]) => {
      const y = c.f(...xs);
      return tf.sum(tf.mul(y, tf.tensor(values(createRng(seed + 1), y.size), y.shape)));
    };
    return tf.grads(loss)(inputs);
  });
}

/** The case's output on one backend, as a tensor on that backend. */
function outputTensor(backend: string, c: GradCase, seed: number): tf.Tensor {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const rng = createRng(seed);
    return c.f(...c.shapes.map((shape) => tf.tensor(values(rng, shape.reduce((a, b) => a * b, 1)), shape)));
  });
}

function gradsOn(backend: 'cpu' | 'wasm', c: GradCase, seed: number): Float32Array[] {
  const grads = gradTensors(backend, c, seed);
  const read = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose(grads);
  return read;
}

/** Reads tensors back asynchronously (the only way on webgpu in Node: its dataSync needs OffscreenCanvas) and disposes them. */
async function readAndDispose(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  const read = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  return read;
}

/** Max |actual - expected| over every array, relative to the largest expected entry (at least 1). */
function relativeError(label: string, expected: Float32Array[], actual: Float32Array[], backend: string): number {
  let worst = 0;
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (a.length !== e.length) throw new Error(`${label}: array ${i} has ${a.length} values on ${backend}, ${e.length} on cpu`);
    let scale = 1;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    for (let k = 0; k < e.length; k++) worst = Math.max(worst, Math.abs(a[k]! - e[k]!) / scale);
  });
  return worst;
}

/** Max |wasm - cpu| over every input's gradient, relative to the largest cpu gradient entry (at least 1). */
export function gradientError(c: GradCase, seed: number): number {
  const worst = relativeError(c.label, gradsOn('cpu', c, seed), gradsOn('wasm', c, seed), 'wasm');
  tf.setBackend('wasm');
  return worst;
}

/** gradientError for any backend registered and initialised (webgpu), read back asynchronously. */
export async function gradientErrorOn(backend: string, c: GradCase, seed: number): Promise<number> {
  const expected = await readAndDispose(gradTensors('cpu', c, seed));
  const actual = await readAndDispose(gradTensors(backend, c, seed));
  return relativeError(c.label, expected, actual, backend);
}

/** The same for the case's output (the forward kernel). */
export async function outputErrorOn(backend: string, c: GradCase, seed: number): Promise<number> {
  const expected = await readAndDispose([outputTensor('cpu', c, seed)]);
  const actual = await readAndDispose([outputTensor(backend, c, seed)]);
  return relativeError(c.label, expected, actual, backend);
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
