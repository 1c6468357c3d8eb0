import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier2d, type Classifier2dSpec } from '../../src/models/classifier2d.js';
import { classificationLoss, classify, predictProbabilities } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { isEcgError } from '../../src/core/errors.js';
import { assertDecreased, assertNoLeak, seededUniform, trainSteps, useCpuBackend } from './helpers.js';

const TINY: Classifier2dSpec = {
  inputHeight: 24,
  inputWidth: 32,
  stemWidth: 4,
  widths: [6, 8],
  blocksPerStage: 1,
  expansion: 2,
  dropout: 0,
  classes: 11,
  seed: 1,
};

test.before(useCpuBackend);

test('outputs logits [B, classes] and features [B, last width]', () => {
  const model = buildClassifier2d(TINY);
  assertNoLeak(() =>
    tf.tidy(() => {
      const { logits, features } = classify(model, tf.zeros([3, 24, 32, 1]), { training: false });
      assert.equal(logits.shape, [3, 11]);
      assert.equal(features.shape, [3, 8]);
      const probs = predictProbabilities(model, tf.ones([2, 24, 32, 1]));
      const values = probs.dataSync();
      assert.ok(values.every((p) => p > 0 && p < 1));
      return [];
    }),
  );
  model.dispose();
});

test('same spec, same weights; another seed, other weights', () => {
  const a = buildClassifier2d(TINY);
  const b = buildClassifier2d(TINY);
  const c = buildClassifier2d({ ...TINY, seed: 2 });
  const first = (m: tf.LayersModel) => Array.from((m.getWeights()[0] as tf.Tensor).dataSync());
  assert.equal(first(a), first(b));
  assert.not.equal(first(a), first(c));
  [a, b, c].forEach((m) => m.dispose());
});

test('learns labels tied to the image (bright top half -> class 0) with decreasing loss and no leak', () => {
  const model = buildClassifier2d(TINY);
  const images = seededUniform([8, 24, 32, 1], 'c2d-images', 0, 0.5);
  const labels = new Float32Array(8 * 11);
  for (let b = 0; b < 8; b++) {
    if (b % 2 === 0) continue;
    for (let i = 0; i < 12 * 32; i++) images[b * 24 * 32 + i] = 1;
    labels[b * 11] = 1;
  }
  const x = tf.tensor4d(images, [8, 24, 32, 1]);
  const y = tf.tensor2d(labels, [8, 11]);
  const losses = trainSteps(
    () => tf.tidy(() => classificationLoss(classify(model, x, { training: true }).logits, y)),
    trainableVariables(model),
    15,
  );
  assertDecreased(losses, 0.85);
  tf.dispose([x, y]);
  model.dispose();
});

test('a bad spec is MODEL_INVALID naming the key', () => {
  try {
    buildClassifier2d({ ...TINY, widths: [] });
    assert.unreachable('should throw');
  } catch (error) {
    assert.ok(isEcgError(error, 'MODEL_INVALID'));
    assert.match((error as Error).message, /widths/);
  }
});

test.run();
