import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier1d, type Classifier1dSpec } from '../../src/models/classifier1d.js';
import { classificationLoss, classify } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { assertDecreased, assertNoLeak, seededUniform, trainSteps, useCpuBackend } from './helpers.js';

const TINY: Classifier1dSpec = { length: 64, leads: 12, widths: [8, 8], kernelSize: 5, dropout: 0, classes: 11, seed: 3 };

test.before(useCpuBackend);

test('outputs logits [B, classes] and features [B, last width]', () => {
  const model = buildClassifier1d(TINY);
  assertNoLeak(() =>
    tf.tidy(() => {
      const { logits, features } = classify(model, tf.zeros([2, 64, 12]), { training: false });
      assert.equal(logits.shape, [2, 11]);
      assert.equal(features.shape, [2, 8]);
      return [];
    }),
  );
  model.dispose();
});

test('learns a rhythm-like label (fast vs slow oscillation) with decreasing loss and no leak', () => {
  const model = buildClassifier1d(TINY);
  const noise = seededUniform([8, 64, 12], 'c1d', -0.1, 0.1);
  const labels = new Float32Array(8 * 11);
  for (let b = 0; b < 8; b++) {
    const fast = b % 2 === 1;
    if (fast) labels[b * 11 + 9] = 1;
    for (let t = 0; t < 64; t++) {
      const v = Math.sin((2 * Math.PI * t) / (fast ? 8 : 32));
      for (let l = 0; l < 12; l++) noise[(b * 64 + t) * 12 + l] = (noise[(b * 64 + t) * 12 + l] as number) + v;
    }
  }
  const x = tf.tensor3d(noise, [8, 64, 12]);
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

test.run();
