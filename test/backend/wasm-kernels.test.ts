/**
 * Every gradient kernel ecg-lab registers on WASM, against the cpu backend,
 * over random shapes, strides, dilations and paddings (seeded, so a failure
 * replays).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/core/rng.js';
import type { Rng } from '../../src/core/rng.js';
import { gradientError, readyBackends } from './gradient-check.js';
import type { GradCase } from './gradient-check.js';

const TOLERANCE = 1e-4;
const CASES_PER_KERNEL = 12;

type Pad = 'same' | 'valid';

/**
 * 'same' or 'valid', as Keras-style layers use. Numeric paddings are left
 * out: the WASM backend's own forward Conv2D (tfjs 4.22) writes out of
 * bounds for some of them (e.g. pad 0 with a 4x1 filter), before any
 * gradient runs.
 */
function pad(rng: Rng): Pad {
  return rng.pick<Pad>(['same', 'valid']);
}

function check(make: (rng: Rng) => GradCase, seed: number): void {
  const rng = createRng(seed);
  for (let i = 0; i < CASES_PER_KERNEL; i++) {
    const c = make(rng);
    const error = gradientError(c, seed * 100 + i);
    assert.ok(error < TOLERANCE, `${c.label}: relative gradient error ${error}`);
  }
}

test.before(readyBackends);

test('Conv2DBackpropFilter: conv2d over random shapes, strides and paddings', () => {
  check((rng) => {
    const [kh, kw, stride] = [rng.int(1, 4), rng.int(1, 4), [rng.int(1, 3), rng.int(1, 3)] as [number, number]];
    const p = pad(rng);
    const h = rng.int(kh, 11);
    const w = rng.int(kw, 11);
    return {
      label: `conv2d x[2,${h},${w},3] f[${kh},${kw},3,4] s${stride} ${p}`,
      shapes: [[2, h, w, 3], [kh, kw, 3, 4]],
      f: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, p),
    };
  }, 1);
});

test('Conv2DBackpropFilter: conv1d (conv2d underneath)', () => {
  check((rng) => {
    const [k, stride, p] = [rng.int(1, 5), rng.int(1, 3), rng.pick<'same' | 'valid'>(['same', 'valid'])];
    const len = rng.int(k, 20);
    return {
      label: `conv1d x[3,${len},2] f[${k},2,5] s${stride} ${p}`,
      shapes: [[3, len, 2], [k, 2, 5]],
      f: (x, f) => tf.conv1d(x as tf.Tensor3D, f as tf.Tensor3D, stride, p),
    };
  }, 2);
});

test('Conv2DBackpropFilter and the backend Conv2DBackpropInput: conv2dTranspose', () => {
  check((rng) => {
    const [k, stride, p] = [rng.int(1, 4), rng.int(1, 3), rng.pick<'same' | 'valid'>(['same', 'valid'])];
    const [h, w] = [rng.int(2, 6), rng.int(2, 6)];
    const out: [number, number, number, number] = p === 'same' ? [2, h * stride, w * stride, 3] : [2, (h - 1) * stride + k, (w - 1) * stride + k, 3];
    return {
      label: `conv2dTranspose dy[2,${h},${w},4] f[${k},${k},3,4] s${stride} ${p}`,
      shapes: [[2, h, w, 4], [k, k, 3, 4]],
      f: (x, f) => tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, out, stride, p),
    };
  }, 3);
});

test('DepthwiseConv2dNativeBackpropInput / BackpropFilter: depthwise conv with multipliers and strides (tfjs has no gradient for dilated depthwise)', () => {
  check((rng) => {
    const [k, m, stride] = [rng.int(1, 3), rng.int(1, 3), rng.int(1, 3)];
    const dilation = 1;
    const span = (k - 1) * dilation + 1;
    const [h, w] = [rng.int(span, 9), rng.int(span, 9)];
    const p = rng.pick<'same' | 'valid'>(['same', 'valid']);
    return {
      label: `depthwise x[2,${h},${w},3] f[${k},${k},3,${m}] s${stride} d${dilation} ${p}`,
      shapes: [[2, h, w, 3], [k, k, 3, m]],
      f: (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, p, 'NHWC', dilation),
    };
  }, 4);
});

test('Conv2DBackpropFilter + depthwise: fused conv2d with bias and relu, separable conv', () => {
  check((rng) => {
    const fused = rng.chance(0.5);
    const [h, w] = [rng.int(3, 8), rng.int(3, 8)];
    return fused
      ? {
          label: `fused conv2d [2,${h},${w},3]`,
          shapes: [[2, h, w, 3], [3, 3, 3, 4], [4]],
          f: (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation: 'relu' }),
        }
      : {
          label: `separableConv2d [2,${h},${w},3]`,
          shapes: [[2, h, w, 3], [3, 3, 3, 2], [1, 1, 6, 4]],
          f: (x, d, p) => tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same'),
        };
  }, 5);
});

test('UnsortedSegmentSum: gather along random axes with repeated indices', () => {
  check((rng) => {
    const shape = [rng.int(2, 5), rng.int(2, 5), rng.int(1, 4)];
    const axis = rng.int(0, 2);
    const indices = Array.from({ length: rng.int(1, 6) }, () => rng.int(0, shape[axis]! - 1));
    return {
      label: `gather [${shape}] axis ${axis} [${indices}]`,
      shapes: [shape],
      f: (x) => tf.gather(x, tf.tensor1d(indices, 'int32'), axis),
    };
  }, 6);
});

test.run();
