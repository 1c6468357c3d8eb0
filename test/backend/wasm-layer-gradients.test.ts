/**
 * The gradients the WASM backend computes with its own kernels, for every
 * other op ecg-lab's layers use, against the cpu backend over random
 * shapes: a model trains on WASM only if all of them are right.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/core/rng.js';
import type { Rng } from '../../src/core/rng.js';
import { finiteDifferenceError, gradientError, readyBackends } from './gradient-check.js';
import type { GradCase } from './gradient-check.js';

const TOLERANCE = 1e-4;

function check(make: (rng: Rng) => GradCase, seed: number, cases = 6): void {
  const rng = createRng(seed);
  for (let i = 0; i < cases; i++) {
    const c = make(rng);
    const error = gradientError(c, seed * 100 + i);
    assert.ok(error < TOLERANCE, `${c.label}: relative gradient error ${error}`);
  }
}

const image = (rng: Rng) => [rng.int(1, 3), rng.int(2, 9), rng.int(2, 9), rng.int(1, 4)];

test.before(readyBackends);

test('max and average pooling, 2-D and 1-D', () => {
  check((rng) => {
    const [size, stride, p] = [rng.int(1, 3), rng.int(1, 3), rng.pick<'same' | 'valid'>(['same', 'valid'])];
    const kind = rng.pick(['max2d', 'avg2d', 'max1d', 'avg1d']);
    if (kind.endsWith('1d')) {
      const shape = [2, rng.int(size, 16), 3];
      const pool = kind === 'max1d' ? tf.maxPool : tf.avgPool;
      return { label: `${kind} [${shape}] k${size} s${stride} ${p}`, shapes: [shape], f: (x) => tf.squeeze(pool(tf.expandDims(x, 1) as tf.Tensor4D, [1, size], [1, stride], p), [1]) };
    }
    const shape = image(rng).map((d, i) => (i === 1 || i === 2 ? Math.max(d, size) : d));
    const pool = kind === 'max2d' ? tf.maxPool : tf.avgPool;
    return { label: `${kind} [${shape}] k${size} s${stride} ${p}`, shapes: [shape], f: (x) => pool(x as tf.Tensor4D, size, stride, p) };
  }, 1, 12);
});

test('batch normalisation (training: moments of the batch) and inference form', () => {
  check((rng) => {
    const shape = image(rng);
    const c = shape[3]!;
    return {
      label: `batchNorm [${shape}]`,
      shapes: [shape, [c], [c]],
      f: (x, gamma, beta) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3);
      },
    };
  }, 2);
});

test('resizeBilinear and resizeNearestNeighbor (UpSampling2D), against finite differences', () => {
  // Not against the cpu backend: its ResizeNearestNeighborGrad is wrong for batch > 1 and its
  // ResizeBilinearGrad swaps height and width (tfjs 4.22). Resizing is linear, so central
  // differences are exact up to rounding.
  const rng = createRng(3);
  for (let i = 0; i < 8; i++) {
    const shape = image(rng);
    const size: [number, number] = [rng.int(1, 12), rng.int(1, 12)];
    const corners = rng.chance(0.5);
    const nearest = rng.chance(0.5);
    const c: GradCase = {
      label: `${nearest ? 'nearest' : 'bilinear'} [${shape}] -> ${size} corners ${corners}`,
      shapes: [shape],
      f: (x: tf.Tensor) => (nearest ? tf.image.resizeNearestNeighbor : tf.image.resizeBilinear)(x as tf.Tensor4D, size, corners),
    };
    const error = finiteDifferenceError(c, 300 + i);
    assert.ok(error < 1e-3, `${c.label}: relative error against finite differences ${error}`);
  }
});

test('activations: relu, sigmoid, elu, tanh, leakyRelu, softmax, logSoftmax', () => {
  const activations: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    relu: tf.relu, sigmoid: tf.sigmoid, elu: tf.elu, tanh: tf.tanh,
    leakyRelu: (x) => tf.leakyRelu(x, 0.2), softmax: (x) => tf.softmax(x), logSoftmax: (x) => tf.logSoftmax(x),
  };
  check((rng) => {
    const name = rng.pick(Object.keys(activations));
    const shape = [rng.int(1, 4), rng.int(2, 8)];
    return { label: `${name} [${shape}]`, shapes: [shape], f: activations[name]! };
  }, 4, 14);
});

test('concat, slice, pad, transpose, tile, gather', () => {
  check((rng) => {
    const shape = [rng.int(2, 5), rng.int(2, 5), rng.int(1, 4)];
    const kind = rng.pick(['concat', 'slice', 'pad', 'transpose', 'tile', 'gather']);
    const axis = rng.int(0, 2);
    const ops: Record<string, GradCase> = {
      concat: { label: `concat axis ${axis}`, shapes: [shape, shape], f: (a, b) => tf.concat([a!, b!], axis) },
      slice: { label: `slice [${shape}]`, shapes: [shape], f: (x) => tf.slice(x, [1, 0, 0], [1, -1, shape[2]!]) },
      pad: { label: `pad [${shape}]`, shapes: [shape], f: (x) => tf.pad(x, [[1, 0], [0, 2], [1, 1]]) },
      transpose: { label: `transpose [${shape}]`, shapes: [shape], f: (x) => tf.transpose(x, [2, 0, 1]) },
      tile: { label: `tile [${shape}]`, shapes: [shape], f: (x) => tf.tile(x, [1, 2, 3]) },
      gather: { label: `gather axis ${axis}`, shapes: [shape], f: (x) => tf.gather(x, tf.tensor1d([0, 1, 0], 'int32'), axis) },
    };
    return ops[kind]!;
  }, 5, 12);
});

test('soft-argmax ops: cumsum, softmax-weighted positions, mean and sum reductions', () => {
  check((rng) => {
    const shape = [rng.int(1, 3), rng.int(2, 10), rng.int(1, 4)];
    const axis = rng.int(0, 2);
    const kind = rng.pick(['cumsum', 'softArgmax', 'mean', 'sum']);
    const [exclusive, reverse] = [rng.chance(0.5), rng.chance(0.5)];
    const ops: Record<string, GradCase> = {
      // The last axis, named positively: tfjs-core 4.22's Cumsum gradient transposes wrongly for any
      // other axis and fails for axis -1, on every backend.
      cumsum: { label: `cumsum last axis exclusive ${exclusive} reverse ${reverse}`, shapes: [shape], f: (x) => tf.cumsum(x, 2, exclusive, reverse) },
      softArgmax: {
        label: `softArgmax [${shape}]`,
        shapes: [shape],
        f: (x) => tf.sum(tf.mul(tf.softmax(tf.transpose(x, [0, 2, 1])), tf.range(0, shape[1]!, 1, 'float32')), -1),
      },
      mean: { label: `mean axis ${axis}`, shapes: [shape], f: (x) => tf.mean(x, axis) },
      sum: { label: `sum axes [0, 2]`, shapes: [shape], f: (x) => tf.sum(x, [0, 2], true) },
    };
    return ops[kind]!;
  }, 6, 12);
});

test('dense layers: fused matMul with bias and relu, plain matMul', () => {
  check((rng) => {
    const [m, k, n] = [rng.int(1, 6), rng.int(1, 6), rng.int(1, 6)];
    return {
      label: `matMul [${m},${k}]x[${k},${n}]`,
      shapes: [[m, k], [k, n], [n]],
      f: (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' }),
    };
  }, 7);
});

test.run();
