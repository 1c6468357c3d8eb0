import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { createEarlyStopping, epochBatches, trainLoop } from '../../src/models/train-loop.js';
import { buildClassifier1d } from '../../src/models/classifier1d.js';
import { classificationLoss, classify } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { isEcgError } from '../../src/core/errors.js';
import { seededUniform, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

test('epoch batches: a seeded permutation of all examples, the same for the same seed and epoch', () => {
  const a = epochBatches(10, 4, 7, 0);
  assert.equal(a.map((b) => b.length), [4, 4, 2]);
  assert.equal(a.flat().sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(epochBatches(10, 4, 7, 0), a);
  assert.not.equal(epochBatches(10, 4, 7, 1), a);
  assert.not.equal(epochBatches(10, 4, 8, 0), a);
});

test('early stopping: stops after `patience` epochs without improvement; NaN never improves; 0 never stops', () => {
  const es = createEarlyStopping({ patience: 2, mode: 'max' });
  assert.equal(es.update(0.5), { improved: true, stop: false });
  assert.equal(es.update(0.6), { improved: true, stop: false });
  assert.equal(es.update(Number.NaN), { improved: false, stop: false });
  assert.equal(es.update(0.55), { improved: false, stop: true });
  assert.is(es.best, 0.6);
  assert.is(es.bestEpoch, 1);
  const never = createEarlyStopping({ patience: 0, mode: 'min' });
  for (let i = 0; i < 5; i++) assert.is(never.update(1).stop, false);
});

/** 12 records: label "TACHY" (index 9) where the signal oscillates fast. */
function dataset(): { x: Float32Array; y: Float32Array } {
  const x = seededUniform([12, 32, 12], 'loop', -0.1, 0.1);
  const y = new Float32Array(12 * 11);
  for (let r = 0; r < 12; r++) {
    const fast = r % 2 === 0;
    if (fast) y[r * 11 + 9] = 1;
    for (let t = 0; t < 32; t++) for (let l = 0; l < 12; l++) x[(r * 32 + t) * 12 + l] = (x[(r * 32 + t) * 12 + l] as number) + Math.sin((2 * Math.PI * t) / (fast ? 4 : 16));
  }
  return { x, y };
}

function batchOf(data: { x: Float32Array; y: Float32Array }, indices: readonly number[]) {
  const x = new Float32Array(indices.length * 32 * 12);
  const y = new Float32Array(indices.length * 11);
  indices.forEach((r, i) => {
    x.set(data.x.subarray(r * 32 * 12, (r + 1) * 32 * 12), i * 32 * 12);
    y.set(data.y.subarray(r * 11, (r + 1) * 11), i * 11);
  });
  return { x: tf.tensor3d(x, [indices.length, 32, 12]), y: tf.tensor2d(y, [indices.length, 11]) };
}

test('trainLoop: decreasing epoch losses, per-epoch callback, early stop, batch tensors disposed, no leak', async () => {
  const model = buildClassifier1d({ length: 32, leads: 12, widths: [8], kernelSize: 3, dropout: 0, classes: 11, seed: 1 });
  const data = dataset();
  const optimizer = tf.train.adam(1e-2);
  const seen: number[] = [];
  const run = (epochs: number, stopAt?: number) =>
    trainLoop({
      variables: trainableVariables(model),
      optimizer,
      epochs,
      examples: 12,
      batchSize: 4,
      seed: 'loop',
      batch: (indices) => batchOf(data, indices),
      loss: (b) => tf.tidy(() => classificationLoss(classify(model, b.x, { training: true }).logits, b.y)),
      onEpochEnd: ({ epoch, stepLosses }) => {
        seen.push(epoch);
        assert.is(stepLosses.length, 3);
        return { stop: epoch === stopAt };
      },
    });
  await run(1); // creates the optimizer's slots
  const tensors = tf.memory().numTensors;
  const result = await run(6);
  assert.is(tf.memory().numTensors, tensors, 'the loop leaked tensors');
  assert.is(result.epochsRun, 6);
  assert.is(result.stepLosses.length, 18);
  const first = result.epochLosses[0] as number;
  const last = result.epochLosses[5] as number;
  assert.ok(last < first * 0.9, `epoch losses ${result.epochLosses.join(', ')}`);
  seen.length = 0;
  const stopped = await run(10, 1);
  assert.equal(seen, [0, 1]);
  assert.ok(stopped.stoppedEarly);
  assert.is(stopped.epochsRun, 2);
  optimizer.dispose();
  model.dispose();
});

test('a non-finite loss stops training with a clear error', async () => {
  const v = tf.variable(tf.scalar(1));
  try {
    await trainLoop({
      variables: [v],
      optimizer: tf.train.sgd(0.1),
      epochs: 1,
      examples: 2,
      batchSize: 1,
      seed: 0,
      batch: () => ({}),
      loss: () => tf.tidy(() => tf.div(v, 0) as tf.Scalar),
    });
    assert.unreachable('should throw');
  } catch (error) {
    assert.ok(isEcgError(error, 'STAGE_FAILED'));
    assert.match((error as Error).message, /not finite/);
  }
  v.dispose();
});

test('micro-batches: the summed, share-weighted gradients give the whole batch\'s update, with no leak', async () => {
  const data = dataset();
  // A linear model (no batch norm, no dropout): the micro-batched gradient is then exactly the batch's.
  const weightsAfterOneEpoch = async (microBatchSize: number) => {
    const w = tf.variable(tf.tensor2d(seededUniform([32 * 12, 11], 'w', -0.05, 0.05), [32 * 12, 11]), true, `w${microBatchSize}`);
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    await trainLoop({
      variables: [w],
      optimizer,
      epochs: 1,
      examples: 12,
      batchSize: 6,
      microBatchSize,
      seed: 3,
      batch: (indices) => batchOf(data, indices),
      loss: ({ x, y }) => tf.losses.sigmoidCrossEntropy(y, tf.matMul(tf.reshape(x, [-1, 32 * 12]), w)) as tf.Scalar,
      onStep: (loss) => steps.push(loss),
    });
    assert.is(tf.memory().numTensors, before, 'no tensor left behind');
    optimizer.dispose();
    const values = w.dataSync().slice();
    w.dispose();
    return { values, steps };
  };
  const whole = await weightsAfterOneEpoch(0);
  const pieces = await weightsAfterOneEpoch(4);
  assert.is(whole.steps.length, 2);
  assert.is(pieces.steps.length, 2, 'one optimizer step per batch, not per piece');
  for (let s = 0; s < 2; s++) assert.ok(Math.abs((whole.steps[s] as number) - (pieces.steps[s] as number)) < 1e-5, `step ${s} loss`);
  let maxDiff = 0;
  for (let i = 0; i < whole.values.length; i++) maxDiff = Math.max(maxDiff, Math.abs((whole.values[i] as number) - (pieces.values[i] as number)));
  assert.ok(maxDiff < 1e-6, `weights differ by ${maxDiff}`);
  let moved = 0;
  const start = seededUniform([32 * 12, 11], 'w', -0.05, 0.05);
  for (let i = 0; i < start.length; i++) moved = Math.max(moved, Math.abs((start[i] as number) - (whole.values[i] as number)));
  assert.ok(moved > 1e-3, 'the step moved the weights');
});

test.run();
