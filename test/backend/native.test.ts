/**
 * The native backend as the setup builds it: it loads through
 * selectBackend on the one tfjs-core that `@tensorflow/tfjs` gives, reports
 * TensorFlow's version, and tiny models of each kind train on it with the
 * same losses as on WASM, with tf.memory() flat over steps. Skips, saying
 * why, only where the native setup recorded a failure.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { capturingLogger } from '../../src/core/logger.js';
import { nativeSetupStatus, registerWasmGradientKernels, selectBackend } from '../../src/backend/index.js';
import { imageModel, signalModel, trainSteps } from './tiny-models.js';

const status = nativeSetupStatus('tensorflow');
const pinned = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { config: { tensorflow: string } }).config.tensorflow;
const STEPS = 4;

if (status && !status.ok) {
  console.log(`skipped: the native setup failed: ${status.reason} (fix: ${status.hint})`);
} else {
  test('auto loads the tensorflow backend, silently, on the tfjs-core every model imports', async () => {
    const logger = capturingLogger();
    const info = await selectBackend('auto', logger);
    assert.is(info.name, 'tensorflow');
    assert.is(info.tensorflowVersion, pinned);
    assert.is(tf.getBackend(), 'tensorflow');
    assert.match(logger.lines[0]?.message ?? '', new RegExp(`^backend: tensorflow \\(auto\\) \\[TensorFlow ${pinned.replace(/\./g, '\\.')}, CPU, oneDNN`));
    const require = createRequire(import.meta.url);
    const fromRoot = require.resolve('@tensorflow/tfjs-core');
    const fromNode = createRequire(require.resolve('@tensorflow/tfjs-node')).resolve('@tensorflow/tfjs-core');
    assert.is(fromNode, fromRoot, 'one copy of @tensorflow/tfjs-core');
  });

  test('the native Step kernel (the ReLU gradient) agrees with tfjs semantics and the cpu backend', async () => {
    await tf.setBackend('tensorflow');
    assert.equal(Array.from(tf.step(tf.tensor1d([NaN, -2, 0, 3])).dataSync()), [NaN, 0, 0, 1]);
    assert.equal(Array.from(tf.step(tf.tensor1d([-2, 0, 3]), 0.3).dataSync()).map((v) => Math.round(v * 10) / 10), [0.3, 0.3, 1]);
    const values = Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.3) * 3);
    const reluGrad = () => Array.from(tf.grad((x) => tf.relu(x).mul(tf.range(0, 64, 1, 'float32')).sum())(tf.tensor1d(values)).dataSync());
    const native = reluGrad();
    await tf.setBackend('cpu');
    const reference = reluGrad();
    await tf.setBackend('tensorflow');
    assert.equal(native, reference);
  });

  for (const [kind, build, shape] of [['2-D CNN', imageModel, [4, 12, 16, 1]], ['1-D CNN', signalModel, [4, 40, 2]]] as const) {
    test(`${kind}: same losses on tensorflow and wasm, tensors flat over steps`, async () => {
      registerWasmGradientKernels();
      await import('@tensorflow/tfjs-backend-wasm');
      await tf.setBackend('tensorflow');
      const native = trainSteps(build, shape, STEPS);
      await tf.setBackend('wasm');
      const wasm = trainSteps(build, shape, STEPS);
      await tf.setBackend('tensorflow');
      native.losses.forEach((loss, i) => assert.ok(Math.abs(loss - wasm.losses[i]!) < 1e-3 * Math.max(1, Math.abs(loss)), `step ${i}: ${loss} vs ${wasm.losses[i]}`));
      assert.ok(native.losses[STEPS - 1]! < native.losses[0]!, `loss falls: ${native.losses}`);
      for (const result of [native, wasm]) assert.equal(new Set(result.tensorsAfterEachStep.slice(1)).size, 1, `numTensors per step: ${result.tensorsAfterEachStep}`);
    });
  }
}

test.run();
