import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier2d } from '../../src/models/classifier2d.js';
import { buildClassifier1d } from '../../src/models/classifier1d.js';
import { buildDenoiser } from '../../src/models/denoiser.js';
import { buildDigitizer } from '../../src/models/digitizer.js';
import { buildCombiner } from '../../src/models/combiner.js';
import {
  type CropRequest,
  type HierarchicalBatch,
  hierarchicalForward,
  hierarchicalLoss,
  hierarchicalProbabilities,
  type HierarchicalParts,
  hierarchicalVariables,
  type SignalGeometry,
} from '../../src/models/hierarchical.js';
import { assembleLeads } from '../../src/models/leads/assemble-leads.js';
import { trainLoop } from '../../src/models/train-loop.js';
import { outputOf } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { assertDecreased, assertNoLeak, seededUniform, trainSteps, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const GEOMETRY: SignalGeometry = { cropHeight: 8, fsHz: 4, length: 40 };

function tinyParts(withDenoiser: boolean): HierarchicalParts {
  return {
    classifier2d: buildClassifier2d({
      inputHeight: 16,
      inputWidth: 16,
      stemWidth: 4,
      widths: [4],
      blocksPerStage: 1,
      expansion: 2,
      dropout: 0,
      classes: 11,
      seed: 1,
    }),
    denoiser: withDenoiser ? buildDenoiser({ inputHeight: 8, inputWidth: null, widths: [2, 2], seed: 2 }) : null,
    digitizer: buildDigitizer({ inputHeight: 8, inputWidth: null, widths: [4, 4], seed: 3 }),
    classifier1d: buildClassifier1d({ length: 40, leads: 12, widths: [4], kernelSize: 3, dropout: 0, classes: 11, seed: 4 }),
    combiner: buildCombiner({ kind: 'per-class', classes: 11, seed: 5 }),
  };
}

function disposeParts(parts: HierarchicalParts): void {
  for (const m of [parts.classifier2d, parts.denoiser, parts.digitizer, parts.classifier1d, parts.combiner]) m?.dispose();
}

/** A 3x4 page: leads [I aVR V1 V4 / II aVL V2 V5 / III aVF V3 V6] 2.5 s each, then the lead II rhythm strip (10 s). */
const LAYOUT_3X4 = [
  [0, 3, 6, 9],
  [1, 4, 7, 10],
  [2, 5, 8, 11],
];

function pageCrops(example: number): CropRequest[] {
  const crops: CropRequest[] = [];
  LAYOUT_3X4.forEach((leads, row) =>
    leads.forEach((lead, column) =>
      crops.push({
        example,
        lead,
        startS: 2.5 * column,
        durationS: 2.5,
        box: { y1: row * 0.25, y2: row * 0.25 + 0.25, x1: column * 0.25, x2: column * 0.25 + 0.25 },
        columns: 8,
        baselineRow: 4,
        pxPerMv: 2,
        targetRows: new Float32Array(8).fill(4),
        targetMask: new Float32Array(8).fill(1),
      }),
    ),
  );
  crops.push({ example, lead: 1, startS: 0, durationS: 10, box: { y1: 0.75, y2: 1, x1: 0, x2: 1 }, columns: 16, baselineRow: 4, pxPerMv: 2 });
  return crops;
}

function batch(): HierarchicalBatch {
  const labels = new Float32Array(2 * 11);
  labels[0] = 1;
  labels[11 + 3] = 1;
  return {
    lowRes: tf.tensor4d(seededUniform([2, 16, 16, 1], 'lowres'), [2, 16, 16, 1]),
    page: tf.tensor4d(seededUniform([2, 32, 48, 1], 'page'), [2, 32, 48, 1]),
    crops: [...pageCrops(0), ...pageCrops(1)],
    labels: tf.tensor2d(labels, [2, 11]),
  };
}

function disposeBatch(b: HierarchicalBatch): void {
  tf.dispose([b.lowRes, b.page, b.labels as tf.Tensor]);
}

test('one end-to-end step: the classification loss reaches the digitizer and denoiser weights; nothing leaks', () => {
  const parts = tinyParts(true);
  const b = batch();
  const snapshot = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
  const digitizerBefore = snapshot(parts.digitizer);
  const denoiserBefore = snapshot(parts.denoiser as tf.LayersModel);
  // Classification only (digitizerWeight 0): any change in the digitizer came through the signals.
  const losses = trainSteps(() => hierarchicalLoss(parts, b, GEOMETRY, { digitizerWeight: 0 }), hierarchicalVariables(parts), 2);
  assert.ok(losses.every(Number.isFinite));
  const changed = (before: number[][], m: tf.LayersModel) =>
    snapshot(m).filter((w, i) => w.some((v, j) => v !== (before[i] as number[])[j])).length;
  const trainableCount = parts.digitizer.trainableWeights.length;
  assert.ok(changed(digitizerBefore, parts.digitizer) >= trainableCount, 'every trainable digitizer weight moved');
  assert.ok(changed(denoiserBefore, parts.denoiser as tf.LayersModel) > 0, 'denoiser weights moved');
  const grads = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => hierarchicalLoss(parts, b, GEOMETRY, { digitizerWeight: 0 }), trainableVariables(parts.digitizer));
    return Object.values(grads).map((g) => tf.max(tf.abs(g)).dataSync()[0] as number);
  });
  assert.ok(grads.every((g) => g > 0), `zero gradient in the digitizer: ${grads.join(', ')}`);
  disposeBatch(b);
  disposeParts(parts);
});

test('without a combiner the output is the image classifier\'s, and the signal branch\'s own loss still reaches the digitizer', () => {
  const parts = { ...tinyParts(false), combiner: null };
  const b = batch();
  const [same, grads] = tf.tidy(() => {
    const out = hierarchicalForward(parts, b, GEOMETRY, { training: false });
    const equal = tf.max(tf.abs(tf.sub(out.logits, out.imageLogits))).dataSync()[0] === 0;
    const { grads } = tf.variableGrads(() => hierarchicalLoss(parts, b, GEOMETRY, { digitizerWeight: 0, auxWeight: 0.5 }), trainableVariables(parts.digitizer));
    return [equal, Object.values(grads).map((g) => tf.max(tf.abs(g)).dataSync()[0] as number)] as const;
  });
  assert.ok(same, 'output logits are the image logits');
  assert.ok(grads.some((g) => g > 0), 'no gradient reached the digitizer');
  // auxWeight 0 and no combiner: the image loss alone, and no path from it to the digitizer (tfjs refuses the gradient).
  assert.throws(() => tf.tidy(() => tf.variableGrads(() => hierarchicalLoss(parts, b, GEOMETRY, { digitizerWeight: 0, auxWeight: 0 }), trainableVariables(parts.digitizer))), /connection/);
  disposeBatch(b);
  disposeParts(parts);
});

test('end-to-end fine-tuning decreases the loss (with the digitizer term); inference does not leak', () => {
  const parts = tinyParts(false);
  const b = batch();
  const losses = trainSteps(() => hierarchicalLoss(parts, b, GEOMETRY, { digitizerWeight: 0.5 }), hierarchicalVariables(parts), 8);
  assertDecreased(losses, 0.9);
  assertNoLeak(() => {
    const probs = hierarchicalProbabilities(parts, b, GEOMETRY);
    assert.equal(probs.shape, [2, 11]);
    return probs;
  });
  disposeBatch(b);
  disposeParts(parts);
});

test('assembleLeads places crops on the record grid, averages overlaps and leaves gaps at 0', () => {
  const out = tf.tidy(() => {
    const short = tf.tensor2d([[1, 1], [3, 3]]);
    const long = tf.tensor2d([[5, 5, 5, 5]]);
    return assembleLeads(
      [
        // lead 0 over 0-1 s and lead 1 over 1-2 s; lead 0 again over the whole 2 s (a rhythm strip).
        { series: short, placements: [{ example: 0, lead: 0, startS: 0, durationS: 1 }, { example: 0, lead: 1, startS: 1, durationS: 1 }] },
        { series: long, placements: [{ example: 0, lead: 0, startS: 0, durationS: 2 }] },
      ],
      { examples: 1, leads: 2, fsHz: 2, length: 4 },
    ).arraySync();
  });
  // [B, T, leads]: lead 0 = mean(1, 5) on 0-1 s then 5; lead 1 = 0 then 3.
  assert.equal(out, [
    [
      [3, 0],
      [3, 0],
      [5, 3],
      [5, 3],
    ],
  ]);
});

test('the per-class combiner starts as the mean of the two logits; the dense one has the right shape', () => {
  const perClass = buildCombiner({ kind: 'per-class', classes: 3, seed: 0 });
  const dense = buildCombiner({ kind: 'dense', classes: 3, seed: 0 });
  tf.tidy(() => {
    const a = tf.tensor2d([[2, 0, -4]]);
    const b = tf.tensor2d([[0, 2, 2]]);
    assert.equal(outputOf(perClass, [a, b], { training: false }).arraySync(), [[1, 1, -1]]);
    assert.equal(outputOf(dense, [a, b], { training: false }).shape, [1, 3]);
  });
  assert.is(perClass.trainableWeights.length, 3);
  perClass.dispose();
  dense.dispose();
});

test('trainLoop drives the end-to-end fine-tuning with batches built per step and disposed after it', async () => {
  const parts = tinyParts(false);
  const optimizer = tf.train.adam(1e-2);
  const result = await trainLoop<HierarchicalBatch>({
    variables: hierarchicalVariables(parts),
    optimizer,
    epochs: 2,
    examples: 2,
    batchSize: 2,
    seed: 0,
    batch: () => batch(),
    disposeBatch: disposeBatch,
    loss: (b) => hierarchicalLoss(parts, b, GEOMETRY),
  });
  assert.is(result.epochLosses.length, 2);
  const tensors = tf.memory().numTensors;
  await trainLoop<HierarchicalBatch>({
    variables: hierarchicalVariables(parts),
    optimizer,
    epochs: 1,
    examples: 2,
    batchSize: 2,
    seed: 0,
    batch: () => batch(),
    disposeBatch: disposeBatch,
    loss: (b) => hierarchicalLoss(parts, b, GEOMETRY),
  });
  assert.is(tf.memory().numTensors, tensors, 'end-to-end training through trainLoop leaked tensors');
  optimizer.dispose();
  disposeParts(parts);
});

test.run();
