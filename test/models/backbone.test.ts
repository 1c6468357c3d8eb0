import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier2d, type Classifier2dSpec } from '../../src/models/classifier2d.js';
import { buildDigitizer, digitizerLoss } from '../../src/models/digitizer.js';
import { buildSharedHead, composeShared, savedPartOf, SharedPart } from '../../src/models/backbone.js';
import { outputOf } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { hierarchicalVariables, type HierarchicalParts } from '../../src/models/hierarchical.js';
import { buildClassifier1d } from '../../src/models/classifier1d.js';
import { buildCombiner } from '../../src/models/combiner.js';
import { seededUniform, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const C2D: Classifier2dSpec = { inputHeight: 16, inputWidth: 16, stemWidth: 4, widths: [4, 8], blocksPerStage: 1, expansion: 2, dropout: 0, classes: 11, seed: 1 };
const DIGITIZER = { inputHeight: 8, inputWidth: null, widths: [4, 4, 4], seed: 3 };

function sharedDigitizer(classifier2d: tf.LayersModel, trainBackbone: boolean): SharedPart {
  return composeShared(buildSharedHead('digitizer', DIGITIZER, C2D), classifier2d, { trainBackbone });
}

function crops(): { x: tf.Tensor4D; rows: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    x: tf.tensor4d(seededUniform([3, 8, 16, 1], 'crops'), [3, 8, 16, 1]),
    rows: tf.tensor2d(seededUniform([3, 16], 'rows', 1, 7), [3, 16]),
    mask: tf.ones([3, 16]) as tf.Tensor2D,
  };
}

const maxAbs = (grads: Record<string, tf.Tensor>) => Object.values(grads).map((g) => tf.max(tf.abs(g)).dataSync()[0] as number);

test('shared: the backbone weights in the digitizer are classifier2d\'s variables (no copy), and frozen leaves them out of its trainable ones', () => {
  const classifier2d = buildClassifier2d(C2D);
  const own = new Set(trainableVariables(classifier2d));
  const trained = sharedDigitizer(classifier2d, true);
  const frozen = sharedDigitizer(classifier2d, false);
  const inDigitizer = trainableVariables(trained).filter((v) => own.has(v));
  assert.ok(inDigitizer.length > 0, 'the digitizer lists classifier2d\'s variables');
  const head = new Set(trainableVariables(trained.head));
  assert.ok(trainableVariables(trained).every((v) => own.has(v) || head.has(v)), 'every digitizer variable is the head\'s or classifier2d\'s');
  assert.is(trainableVariables(frozen).filter((v) => own.has(v)).length, 0);
  assert.is(savedPartOf(trained), trained.head);
  trained.dispose();
  frozen.dispose();
  assert.ok(classifier2d.getWeights().length > 0, 'disposing the parts leaves classifier2d usable');
  classifier2d.dispose();
});

test('shared: the digitization loss alone has a non-zero gradient on the backbone, and one step changes classifier2d\'s output', () => {
  const classifier2d = buildClassifier2d(C2D);
  const digitizer = sharedDigitizer(classifier2d, true);
  const b = crops();
  const backbone = trainableVariables(classifier2d);
  const loss = () => digitizerLoss(outputOf(digitizer, b.x, { training: true }), b.rows, b.mask);
  const grads = tf.tidy(() => maxAbs(tf.variableGrads(loss, backbone).grads));
  assert.ok(grads.some((g) => g > 0), `no gradient on the backbone: ${grads.join(', ')}`);
  const page = tf.tensor4d(seededUniform([1, 16, 16, 1], 'page'), [1, 16, 16, 1]);
  const before = tf.tidy(() => outputOf(classifier2d, page, { training: false }).dataSync() as Float32Array);
  const optimizer = tf.train.sgd(0.5);
  optimizer.minimize(loss, false, trainableVariables(digitizer));
  const after = tf.tidy(() => outputOf(classifier2d, page, { training: false }).dataSync() as Float32Array);
  assert.ok(after.some((v, i) => v !== before[i]), 'classifier2d\'s logits moved with the digitizer\'s step');
  optimizer.dispose();
  tf.dispose([page, b.x, b.rows, b.mask]);
  digitizer.dispose();
  classifier2d.dispose();
});

test('separate: the digitizer\'s loss has no path to classifier2d\'s weights', () => {
  const classifier2d = buildClassifier2d(C2D);
  const digitizer = buildDigitizer({ ...DIGITIZER, widths: [4, 4] });
  const b = crops();
  assert.throws(
    () => tf.tidy(() => tf.variableGrads(() => digitizerLoss(outputOf(digitizer, b.x, { training: true }), b.rows, b.mask), trainableVariables(classifier2d))),
    /connection/,
  );
  tf.dispose([b.x, b.rows, b.mask]);
  digitizer.dispose();
  classifier2d.dispose();
});

test('shared: a training-mode call leaves the backbone\'s batch-norm statistics as classifier2d learnt them', () => {
  const classifier2d = buildClassifier2d(C2D);
  const digitizer = sharedDigitizer(classifier2d, false);
  const stats = () => classifier2d.getWeights().map((w) => Array.from(w.dataSync()));
  const before = stats();
  const b = crops();
  tf.tidy(() => outputOf(digitizer, b.x, { training: true }));
  assert.equal(stats(), before);
  // The head's own batch norm does learn its statistics.
  const headBefore = digitizer.head.getWeights().map((w) => Array.from(w.dataSync()));
  tf.tidy(() => outputOf(digitizer, b.x, { training: true }));
  assert.not.equal(digitizer.head.getWeights().map((w) => Array.from(w.dataSync())), headBefore);
  tf.dispose([b.x, b.rows, b.mask]);
  digitizer.dispose();
  classifier2d.dispose();
});

test('hierarchicalVariables lists the shared backbone once; composing and disposing a part leaks no tensor', () => {
  const before = tf.memory().numTensors;
  const classifier2d = buildClassifier2d(C2D);
  const parts: HierarchicalParts = {
    classifier2d,
    denoiser: null,
    digitizer: sharedDigitizer(classifier2d, true),
    classifier1d: buildClassifier1d({ length: 40, leads: 12, widths: [4], kernelSize: 3, dropout: 0, classes: 11, seed: 4 }),
    combiner: buildCombiner({ kind: 'per-class', classes: 11, seed: 5 }),
  };
  const all = hierarchicalVariables(parts);
  assert.is(new Set(all).size, all.length, 'a variable listed twice');
  const expected = trainableVariables(classifier2d).length + trainableVariables((parts.digitizer as SharedPart).head).length + trainableVariables(parts.classifier1d).length + 3;
  assert.is(all.length, expected);
  for (const m of [parts.digitizer, parts.classifier1d, parts.combiner, classifier2d]) m?.dispose();
  assert.is(tf.memory().numTensors, before, 'disposing the shared parts left tensors');
});

test('a shared part refuses more levels than the backbone has', () => {
  assert.throws(() => buildSharedHead('roi', { inputHeight: 32, inputWidth: 32, widths: [2, 2, 2, 2, 2], seed: 0 }, C2D), /levels/);
});

test.run();
