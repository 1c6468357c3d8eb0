/**
 * tfjs-backend-webgpu's kernels that ecg-lab's CNNs train on (conv2d and
 * its two gradients, fused conv2d + bias + ReLU, maxPool and its gradient)
 * against the cpu backend over random shapes, strides and paddings
 * (seeded, so a failure replays). They run only where Dawn finds an adapter
 * (`npm run setup:webgpu` on a machine with a GPU and a Vulkan driver);
 * elsewhere every test is skipped, and one line says why. When ecg-lab's
 * own WebGPU kernels replace these, this file is their test.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { createRng } from '../../src/core/rng.js';
import type { Rng } from '../../src/core/rng.js';
import { selectBackend } from '../../src/backend/index.js';
import { isEcgLabKernel, replaces, WEBGPU_KERNEL_NAMES, webgpuKernelSet } from '../../src/backend/webgpu-kernels/index.js';
import { gradientErrorOn, outputErrorOn } from './gradient-check.js';
import type { GradCase } from './gradient-check.js';

/**
 * Relative to the largest cpu value (at least 1). Looser than WASM's 1e-4:
 * the GPU sums in another order, in tiles, with fused multiply-adds; a
 * wrong index or a missed border is off by O(1) and still fails.
 */
const TOLERANCE = 1e-3;
const CASES_PER_KERNEL = 12;

tf.env().set('PROD', true);

/** Why webgpu cannot run here (package missing, no adapter), or undefined when it loaded. */
async function webgpuUnavailable(): Promise<string | undefined> {
  try {
    await selectBackend('webgpu', silentLogger);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

const unavailable = await webgpuUnavailable();
if (unavailable !== undefined) console.log(`webgpu kernel tests skipped: ${unavailable}`);
const gpuTest = unavailable === undefined ? test : test.skip;

/**
 * Channel counts on both sides of 4: tfjs-backend-webgpu switches to its
 * vec4 programs when channels divide by 4, and to its matMul-based
 * convolution (conv2d_mm) for larger ones.
 */
const CHANNELS = [1, 3, 4, 8, 16];

function convCase(rng: Rng): GradCase {
  const [kh, kw] = [rng.int(1, 4), rng.int(1, 4)];
  const stride: [number, number] = [rng.int(1, 2), rng.int(1, 2)];
  const pad = rng.pick<'same' | 'valid'>(['same', 'valid']);
  const [cin, cout] = [rng.pick(CHANNELS), rng.pick(CHANNELS)];
  const [h, w] = [rng.int(kh, 24), rng.int(kw, 24)];
  const batch = rng.int(1, 3);
  return {
    label: `conv2d x[${batch},${h},${w},${cin}] f[${kh},${kw},${cin},${cout}] s${stride} ${pad}`,
    shapes: [[batch, h, w, cin], [kh, kw, cin, cout]],
    f: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad),
  };
}

function fusedConvCase(rng: Rng): GradCase {
  const [cin, cout] = [rng.pick(CHANNELS), rng.pick(CHANNELS)];
  const [h, w] = [rng.int(3, 20), rng.int(3, 20)];
  return {
    label: `fused conv2d + bias + relu x[2,${h},${w},${cin}] f[3,3,${cin},${cout}] same`,
    shapes: [[2, h, w, cin], [3, 3, cin, cout], [cout]],
    f: (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation: 'relu' }),
  };
}

function maxPoolCase(rng: Rng): GradCase {
  const size = rng.int(2, 3);
  const stride = rng.int(1, size);
  const pad = rng.pick<'same' | 'valid'>(['same', 'valid']);
  const [h, w, c] = [rng.int(size, 20), rng.int(size, 20), rng.pick(CHANNELS)];
  return {
    label: `maxPool x[2,${h},${w},${c}] ${size}x${size} s${stride} ${pad}`,
    shapes: [[2, h, w, c]],
    f: (x) => tf.maxPool(x as tf.Tensor4D, size, stride, pad),
  };
}

/** The benchmark CNN's layers at their real sizes (bench/train-step.ts), where the tiled programs run. */
const BENCHMARK_LAYERS: readonly GradCase[] = [
  { label: 'conv2d x[2,128,256,1] f[3,3,1,16] same', shapes: [[2, 128, 256, 1], [3, 3, 1, 16]], f: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') },
  { label: 'conv2d x[2,64,128,16] f[3,3,16,32] same', shapes: [[2, 64, 128, 16], [3, 3, 16, 32]], f: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') },
  { label: 'conv2d x[2,32,64,32] f[3,3,32,64] same', shapes: [[2, 32, 64, 32], [3, 3, 32, 64]], f: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') },
  { label: 'maxPool x[2,128,256,16] 2x2', shapes: [[2, 128, 256, 16]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
];

async function checkOutputs(make: (rng: Rng) => GradCase, seed: number): Promise<void> {
  const rng = createRng(seed);
  for (let i = 0; i < CASES_PER_KERNEL; i++) {
    const c = make(rng);
    const error = await outputErrorOn('webgpu', c, seed * 100 + i);
    assert.ok(error < TOLERANCE, `${c.label}: relative output error ${error}`);
  }
}

async function checkGradients(make: (rng: Rng) => GradCase, seed: number): Promise<void> {
  const rng = createRng(seed);
  for (let i = 0; i < CASES_PER_KERNEL; i++) {
    const c = make(rng);
    const error = await gradientErrorOn('webgpu', c, seed * 100 + i);
    assert.ok(error < TOLERANCE, `${c.label}: relative gradient error ${error}`);
  }
}

gpuTest('Conv2D: random shapes, strides and paddings', () => checkOutputs(convCase, 1));

gpuTest('Conv2DBackpropInput and Conv2DBackpropFilter: random shapes, strides and paddings', () => checkGradients(convCase, 2));

gpuTest('FusedConv2D with bias and relu, and its gradients', async () => {
  await checkOutputs(fusedConvCase, 3);
  await checkGradients(fusedConvCase, 4);
});

gpuTest('MaxPool and MaxPoolGrad: random sizes, strides and paddings', async () => {
  await checkOutputs(maxPoolCase, 5);
  await checkGradients(maxPoolCase, 6);
});

gpuTest('the benchmark CNN layers at full size: outputs and gradients', async () => {
  for (const [i, c] of BENCHMARK_LAYERS.entries()) {
    const output = await outputErrorOn('webgpu', c, 700 + i);
    assert.ok(output < TOLERANCE, `${c.label}: relative output error ${output}`);
    const gradient = await gradientErrorOn('webgpu', c, 800 + i);
    assert.ok(gradient < TOLERANCE, `${c.label}: relative gradient error ${gradient}`);
  }
});

gpuTest(`the kernels under test are set ${webgpuKernelSet()} (ECG_LAB_WEBGPU_KERNELS=tfjs tests tfjs-backend-webgpu's)`, () => {
  for (const name of WEBGPU_KERNEL_NAMES) assert.is(isEcgLabKernel(name), replaces(webgpuKernelSet(), name), name);
});

gpuTest('no tensor leaks on webgpu across a gradient comparison', async () => {
  tf.setBackend('webgpu');
  const before = tf.memory().numTensors;
  await gradientErrorOn('webgpu', convCase(createRng(9)), 900);
  tf.setBackend('webgpu');
  assert.is(tf.memory().numTensors, before);
});

test.run();
