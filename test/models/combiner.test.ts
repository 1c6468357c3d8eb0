/**
 * The combiner learns which branch to trust (models/combiner.ts): trained on
 * fixed logits where one branch says the label and the other is noise, its
 * weights move to the informative branch, per class, whichever branch that is.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildCombiner, combinerLoss, combinerWeights } from '../../src/models/combiner.js';
import { trainLoop } from '../../src/models/train-loop.js';
import { trainableVariables } from '../../src/models/variables.js';
import { createRng } from '../../src/core/rng.js';
import { useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const CLASSES = 11;
const RECORDS = 256;

/** Labels at 30 % prevalence; the informative logits are +-3 plus unit noise, the noise branch N(0, 3^2) independent of the labels. */
function logits(seed: string): { labels: Float32Array; informative: Float32Array; noise: Float32Array } {
  const rng = createRng(seed);
  const n = RECORDS * CLASSES;
  const labels = Float32Array.from({ length: n }, () => (rng.uniform(0, 1) < 0.3 ? 1 : 0));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.uniform(0, 1))) * Math.cos(2 * Math.PI * rng.uniform(0, 1));
  const informative = labels.map((y) => 3 * (2 * y - 1) + gauss());
  const noise = Float32Array.from({ length: n }, () => 3 * gauss());
  return { labels, informative, noise };
}

async function trainOn(image: Float32Array, signal: Float32Array, labels: Float32Array, kind: 'per-class' | 'dense') {
  const combiner = buildCombiner({ kind, classes: CLASSES, seed: 0 });
  const optimizer = tf.train.adam(0.05);
  const rows = (data: Float32Array, indices: readonly number[]) =>
    tf.tensor2d(Float32Array.from(indices.flatMap((i) => Array.from(data.subarray(i * CLASSES, (i + 1) * CLASSES)))), [indices.length, CLASSES]);
  const before = await combinerWeights(combiner);
  const tensors: number[] = [];
  await trainLoop({
    variables: trainableVariables(combiner),
    optimizer,
    epochs: 30,
    examples: RECORDS,
    batchSize: 64,
    seed: 0,
    batch: (indices) => ({ image: rows(image, indices), signal: rows(signal, indices), labels: rows(labels, indices) }),
    disposeBatch: (b) => tf.dispose([b.image, b.signal, b.labels]),
    loss: (b) => combinerLoss(combiner, b.image as tf.Tensor2D, b.signal as tf.Tensor2D, b.labels as tf.Tensor2D),
    onEpochEnd: () => void tensors.push(tf.memory().numTensors),
  });
  optimizer.dispose();
  const after = await combinerWeights(combiner);
  combiner.dispose();
  return { before, after, tensors };
}

test('per-class: the image branch is noise, every class moves its weight to the signal branch', async () => {
  const { labels, informative, noise } = logits('image-noise');
  const { before, after } = await trainOn(noise, informative, labels, 'per-class');
  assert.equal(Array.from(before.image), new Array(CLASSES).fill(0.5), 'starts at the mean of the two');
  for (let k = 0; k < CLASSES; k++) {
    const image = after.image[k] as number;
    const signal = after.signal[k] as number;
    assert.ok(Math.abs(image) < 0.15, `class ${k}: image weight ${image} did not fall towards 0`);
    assert.ok(signal > 0.5 && signal > 4 * Math.abs(image), `class ${k}: signal ${signal} vs image ${image}`);
  }
});

test('per-class: the signal branch is noise, the weight moves to the image branch', async () => {
  const { labels, informative, noise } = logits('signal-noise');
  const { after } = await trainOn(informative, noise, labels, 'per-class');
  for (let k = 0; k < CLASSES; k++) {
    assert.ok((after.image[k] as number) > 4 * Math.abs(after.signal[k] as number), `class ${k}: image ${after.image[k]} vs signal ${after.signal[k]}`);
  }
});

test('dense: the diagonal weight of the informative branch dominates; training leaks nothing', async () => {
  const { labels, informative, noise } = logits('dense');
  const { after, tensors } = await trainOn(noise, informative, labels, 'dense');
  const mean = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length;
  assert.ok(mean(after.signal) > 3 * mean(after.image), `signal ${mean(after.signal)} vs image ${mean(after.image)}`);
  assert.ok(tensors.every((n) => n === tensors[0]), `live tensors per epoch: ${tensors.join(', ')}`);
});

test.run();
