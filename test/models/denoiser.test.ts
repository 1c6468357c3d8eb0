import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildDenoiser, denoiserLoss, type DenoiserSpec } from '../../src/models/denoiser.js';
import { outputOf } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { createRng } from '../../src/core/rng.js';
import { assertDecreased, assertNoLeak, trainSteps, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const SPEC: DenoiserSpec = { inputHeight: 8, inputWidth: null, widths: [4, 4], seed: 2 };

/** Clean crops: a dark trace row on white; noisy twins: plus a grey grid column pattern and speckle. */
function pairs(count: number, width: number): { noisy: Float32Array; clean: Float32Array } {
  const rng = createRng('denoiser-pairs');
  const clean = new Float32Array(count * 8 * width).fill(1);
  for (let b = 0; b < count; b++) {
    for (let c = 0; c < width; c++) clean[(b * 8 + 2 + ((b + c) % 4)) * width + c] = 0;
  }
  const noisy = clean.map((v, i) => Math.max(0, Math.min(1, v - (i % 4 === 0 ? 0.4 : 0) + rng.normal(0, 0.05))));
  return { noisy, clean };
}

test('the residual denoiser keeps shape for any width and learns (noisy, clean) pairs with no leak', () => {
  const model = buildDenoiser(SPEC);
  tf.tidy(() => assert.equal(outputOf(model, tf.zeros([1, 8, 12, 1]), { training: false }).shape, [1, 8, 12, 1]));
  const { noisy, clean } = pairs(4, 16);
  const x = tf.tensor4d(noisy, [4, 8, 16, 1]);
  const y = tf.tensor4d(clean, [4, 8, 16, 1]);
  const losses = trainSteps(() => tf.tidy(() => denoiserLoss(outputOf(model, x, { training: true }), y)), trainableVariables(model), 15);
  assertDecreased(losses, 0.7);
  assertNoLeak(() => tf.tidy(() => outputOf(model, x, { training: false })));
  tf.dispose([x, y]);
  model.dispose();
});

test('denoiser loss weighs ink: erasing the trace costs more than the same error on paper', () => {
  tf.tidy(() => {
    const clean = tf.tensor4d([1, 1, 0, 1], [1, 1, 4, 1]);
    const erased = tf.tensor4d([1, 1, 1, 1], [1, 1, 4, 1]);
    const smudged = tf.tensor4d([0, 1, 0, 1], [1, 1, 4, 1]);
    assert.ok((denoiserLoss(erased, clean).dataSync()[0] as number) > (denoiserLoss(smudged, clean).dataSync()[0] as number));
    assert.is(denoiserLoss(clean, clean).dataSync()[0], 0);
  });
});

test.run();
