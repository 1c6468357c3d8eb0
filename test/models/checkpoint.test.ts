import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClassifier1d, type Classifier1dSpec } from '../../src/models/classifier1d.js';
import { buildCombiner } from '../../src/models/combiner.js';
import { buildDigitizer } from '../../src/models/digitizer.js';
import { loadModel, loadWeightsInto, MODEL_FILE, saveModel, WEIGHTS_FILE } from '../../src/models/checkpoint.js';
import { classify, outputOf } from '../../src/models/forward.js';
import { isEcgError } from '../../src/core/errors.js';
import { seededUniform, useCpuBackend } from './helpers.js';

const SPEC: Classifier1dSpec = { length: 32, leads: 12, widths: [4, 4], kernelSize: 3, dropout: 0.1, classes: 11, seed: 9 };
let dir = '';

test.before(async () => {
  await useCpuBackend();
  dir = await mkdtemp(join(tmpdir(), 'ecg-lab-io-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const input = () => tf.tensor3d(seededUniform([2, 32, 12], 'io-input'), [2, 32, 12]);

test('save then load: same predictions, metadata back, files in the TensorFlow.js layout, no leak', async () => {
  const model = buildClassifier1d(SPEC);
  const x = input();
  const before = tf.tidy(() => classify(model, x, { training: false }).logits.arraySync());
  const out = join(dir, 'c1d');
  await saveModel(model, out, { spec: SPEC, epoch: 3 });
  const json = JSON.parse(await readFile(join(out, MODEL_FILE), 'utf8'));
  assert.equal(json.weightsManifest[0].paths, [WEIGHTS_FILE]);
  assert.is(json.format, 'layers-model');
  const tensors = tf.memory().numTensors;
  const loaded = await loadModel(out);
  assert.equal(loaded.metadata.spec, SPEC);
  assert.is(loaded.metadata.epoch, 3);
  const after = tf.tidy(() => classify(loaded.model, x, { training: false }).logits.arraySync());
  assert.equal(after, before);
  loaded.model.dispose();
  assert.is(tf.memory().numTensors, tensors, 'load + dispose leaked tensors');
  model.dispose();
  x.dispose();
});

test('loadWeightsInto restores weights into a freshly built model of the same spec', async () => {
  const trained = buildClassifier1d({ ...SPEC, seed: 10 });
  const out = join(dir, 'weights-into');
  await saveModel(trained, out);
  const fresh = buildClassifier1d(SPEC);
  await loadWeightsInto(fresh, out);
  const x = input();
  tf.tidy(() =>
    assert.equal(classify(fresh, x, { training: false }).logits.arraySync(), classify(trained, x, { training: false }).logits.arraySync()),
  );
  const other = buildClassifier1d({ ...SPEC, widths: [4] });
  try {
    await loadWeightsInto(other, out);
    assert.unreachable('a different spec must not load');
  } catch (error) {
    assert.ok(isEcgError(error, 'CHECKPOINT_CORRUPT'));
  }
  [trained, fresh, other].forEach((m) => m.dispose());
  x.dispose();
});

test('models with the custom combiner layer and free-width inputs round-trip', async () => {
  const combiner = buildCombiner({ kind: 'per-class', classes: 11, seed: 0 });
  await saveModel(combiner, join(dir, 'combiner'));
  const loaded = await loadModel(join(dir, 'combiner'));
  tf.tidy(() => {
    const a = tf.ones([1, 11]);
    assert.equal(outputOf(loaded.model, [a, a], { training: false }).arraySync(), outputOf(combiner, [a, a], { training: false }).arraySync());
  });
  const digitizer = buildDigitizer({ inputHeight: 8, inputWidth: null, widths: [2, 2], seed: 0 });
  await saveModel(digitizer, join(dir, 'digitizer'));
  const d = await loadModel(join(dir, 'digitizer'));
  tf.tidy(() => assert.equal(outputOf(d.model, tf.zeros([1, 8, 6, 1]), { training: false }).shape, [1, 8, 6, 1]));
  [combiner, loaded.model, digitizer, d.model].forEach((m) => m.dispose());
});

async function expectCorrupt(path: string, pattern: RegExp): Promise<void> {
  try {
    (await loadModel(path)).model.dispose();
    assert.unreachable('should throw CHECKPOINT_CORRUPT');
  } catch (error) {
    assert.ok(isEcgError(error, 'CHECKPOINT_CORRUPT'), `got ${String(error)}`);
    assert.match((error as Error).message, pattern);
  }
}

test('missing, truncated or garbled checkpoints are CHECKPOINT_CORRUPT naming the file', async () => {
  await expectCorrupt(join(dir, 'nowhere'), /nowhere\/model\.json/);
  const model = buildClassifier1d(SPEC);
  const out = join(dir, 'corrupt');
  await saveModel(model, out);
  model.dispose();
  await truncate(join(out, WEIGHTS_FILE), 100);
  await expectCorrupt(out, /corrupt\/weights\.bin have 100 bytes/);
  await rm(join(out, WEIGHTS_FILE));
  await expectCorrupt(out, /corrupt\/weights\.bin/);
  await writeFile(join(out, MODEL_FILE), '{"modelTopology": {"class_name": "Model"');
  await expectCorrupt(out, /corrupt\/model\.json is unreadable: not JSON/);
  await writeFile(join(out, MODEL_FILE), JSON.stringify({ modelTopology: { class_name: 'Nonsense', config: {} }, weightsManifest: [] }));
  await writeFile(join(out, WEIGHTS_FILE), '');
  await expectCorrupt(out, /corrupt\/model\.json does not describe a loadable model/);
});

test.run();
