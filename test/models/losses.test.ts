/**
 * The classifiers' losses (train.loss, models/forward.ts) against values
 * worked out by hand on one record of three classes: logits z = [0, 2, -4],
 * labels y = [1, 0, 0]; softplus(x) = ln(1 + e^x), sigmoid(2) = 0.880797.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { ASYMMETRIC, classificationLoss, classificationLossOf, positiveWeights } from '../../src/models/forward.js';
import { assertNoLeak, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} != ${expected}`);

function lossOf(loss: Parameters<typeof classificationLoss>[2]): number {
  return tf.tidy(() => classificationLoss(tf.tensor2d([[0, 2, -4]]), tf.tensor2d([[1, 0, 0]]), loss).dataSync()[0] as number);
}

test('bce: mean of softplus(0), softplus(2), softplus(-4) = (0.693147 + 2.126928 + 0.018150) / 3', () => {
  near(lossOf(undefined), 0.946075, 'bce');
  near(lossOf({ kind: 'bce' }), 0.946075, 'bce named');
});

test('weighted-bce: the positive weighted 3 (prevalence 0.25), the negatives as in bce: (3 x 0.693147 + 2.126928 + 0.018150) / 3', () => {
  const loss = classificationLossOf('weighted-bce', [0.25, 0.5, 0.01]);
  assert.equal(Array.from((loss as { posWeight: Float32Array }).posWeight), [3, 1, 10]);
  near(lossOf(loss), 1.408173, 'weighted-bce');
});

test('positive weights are (1 - q) / q clipped to [0.1, 10], and 1 for a class never seen', () => {
  const w = positiveWeights([0.5, 0.95, 0.001, 0]);
  near(w[0] as number, 1, 'q 0.5');
  near(w[1] as number, 0.1, 'q 0.95 clipped up');
  near(w[2] as number, 10, 'q 0.001 clipped down');
  near(w[3] as number, 1, 'q 0');
});

test('asymmetric (gamma+ 0, gamma- 4, margin 0.05): ln 2 + p_m^4 (-ln(1 - p_m)) with p_m = 0.830797, and 0 for the easy negative below the margin', () => {
  assert.equal({ ...ASYMMETRIC }, { gammaPos: 0, gammaNeg: 4, margin: 0.05 });
  // (0.693147 + 0.476409 x 1.776657 + 0) / 3
  near(lossOf(classificationLossOf('asymmetric', [])), 0.513187, 'asymmetric');
  // gamma- = 0, margin 0: plain bce.
  near(lossOf({ kind: 'asymmetric', gammaPos: 0, gammaNeg: 0, margin: 0 }), 0.946075, 'asymmetric reduces to bce');
});

test('every loss has a finite gradient and leaks nothing', () => {
  for (const loss of [classificationLossOf('bce', []), classificationLossOf('weighted-bce', [0.2, 0.2, 0.2]), classificationLossOf('asymmetric', [])]) {
    assertNoLeak(() => {
      const z = tf.tensor2d([[0, 2, -4]]);
      const y = tf.tensor2d([[1, 0, 0]]);
      const grad = tf.grad((x: tf.Tensor) => classificationLoss(x, y, loss))(z);
      const values = Array.from(grad.dataSync());
      assert.ok(values.every(Number.isFinite), `${loss.kind}: ${values}`);
      // The positive's gradient pushes its logit up, the hard negative's down.
      assert.ok((values[0] as number) < 0 && (values[1] as number) > 0, `${loss.kind}: ${values}`);
      tf.dispose([z, y]);
      return grad;
    });
  }
});

test.run();
