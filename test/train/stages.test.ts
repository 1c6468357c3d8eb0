/**
 * The method's stages, for real, through the runner on tiny data: every
 * part trains with a falling loss, the cell logs the challenge figures, the
 * hierarchy arms (combine x finetune: on/on, off/off, on/off) re-use every
 * stage but the last, the end-to-end stage moves the digitizer's weights
 * and is scored with them, the combiner learns on the frozen parts, and
 * nothing leaks tensors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHALLENGE_CLASSES, LEADS } from '../../src/core/ecg.js';
import type { MetricPoint } from '../../src/tracking/run-store.js';
import { loadModel } from '../../src/models/index.js';
import { RunStore } from '../../src/tracking/run-store.js';
import { macroFMeasure } from '../../src/metrics/index.js';
import { readPredictions, readRecordSnr } from '../../src/report/stats/record-outputs.js';
import { cacheEntry, last, loadBackend, runExperiment, series, tinyExperiment, TINY_ARGS, type SweepResult } from './helpers.js';

let result: SweepResult;
let runs: string;

test.before(async () => {
  await loadBackend();
  const experiment = tinyExperiment('tiny-method', 'sweep:\n  zip:\n    - { model.combine: [true, false, true], model.finetune: [true, false, false] }\n');
  runs = experiment.runs;
  const tensorsBefore = tf.memory().numTensors;
  result = await runExperiment(experiment.path, runs, [...TINY_ARGS, 'train.combiner.epochs=20']);
  assert.is(tf.memory().numTensors, tensorsBefore, 'tensors leaked by the stages');
});

test('every cell finishes and reports test F1 per class, thresholds, SNR per lead (final and the digitizer stage\'s) and noise', () => {
  assert.is(result.sweep.status, 'finished', result.cells.map((c) => c.error ?? '').join('\n'));
  for (const metrics of result.metrics) {
    const macro = last(metrics, 'f1/macro');
    assert.ok(macro !== undefined && macro >= 0 && macro <= 1, `f1/macro ${macro}`);
    assert.ok(metrics.some((p) => p.name.startsWith('f1/') && p.name !== 'f1/macro' && p.name !== 'f1/constant_macro'), 'per-class F1');
    assert.ok(metrics.some((p) => p.name.startsWith('threshold/')), 'thresholds chosen on validation are logged');
    for (const lead of LEADS) assert.ok(last(metrics, `snr/${lead}`) !== undefined, `snr/${lead}`);
    for (const lead of LEADS) assert.ok(last(metrics, `digitizer/snr/${lead}`) !== undefined, `digitizer/snr/${lead}`);
    assert.ok(Number.isFinite(last(metrics, 'snr/mean')), 'snr/mean');
    assert.is(series(metrics, 'snr/mean').length, 1, 'snr/mean logged once, by the hierarchical stage');
    assert.is(last(metrics, 'noise'), 0);
  }
});

test('the digitizer stage keeps per-record, per-lead SNR of the scored splits as an artifact, matching its mean', () => {
  const csv = readFileSync(join(new RunStore(runs).artifactsDir(result.cells[0]!), 'digitizer', 'per-record-snr.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0]?.split(','), ['record', 'split', ...LEADS]);
  const test = csv.slice(1).map((line) => line.split(',')).filter((cells) => cells[1] === 'test');
  assert.ok(test.length > 0 && csv.slice(1).every((line) => !line.includes(',train,')), 'test and val records only');
  const values = test.flatMap((cells) => cells.slice(2).filter((v) => v !== '').map(Number));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const logged = last(result.metrics[0] ?? [], 'digitizer/snr/mean') as number;
  assert.ok(Math.abs(mean - logged) < 1e-3, `per-record mean ${mean} vs digitizer/snr/mean ${logged}`);
});

test('the scoring stages keep per-record predictions and SNR whose scores are the logged figures', async () => {
  for (const [i, cell] of result.cells.entries()) {
    const metrics = result.metrics[i] ?? [];
    const dir = new RunStore(runs).artifactsDir(cell);
    for (const [stage, prefix] of [['hierarchical', ''], ['classifier2d', 'classifier2d/'], ['classifier1d', 'classifier1d/']] as const) {
      const { rows, thresholds } = await readPredictions(join(dir, stage, 'predictions.csv'));
      assert.ok(rows.some((r) => r.split === 'val') && rows.some((r) => r.split === 'test') && rows.every((r) => r.split !== 'train'), `${stage}: validation and test records`);
      CHALLENGE_CLASSES.forEach((cls) => assert.ok(Math.abs(thresholds[cls] - (last(metrics, `${prefix}threshold/${cls}`) as number)) < 1e-6, `${stage}: threshold of ${cls}`));
      // Probabilities are stored to 6 decimals: a class sits on the side of its threshold the prediction says, to that precision.
      for (const r of rows) {
        CHALLENGE_CLASSES.forEach((cls, k) => {
          const p = r.probabilities[k] as number;
          assert.ok(r.predicted.includes(cls) ? p >= thresholds[cls] - 1e-6 : p <= thresholds[cls] + 1e-6, `${stage}: ${r.record} ${cls} p ${p} threshold ${thresholds[cls]}`);
        });
      }
      const test = rows.filter((r) => r.split === 'test' && r.labels.length > 0);
      const f1 = macroFMeasure(test.map((r) => r.labels), test.map((r) => r.predicted)).macro;
      assert.ok(Math.abs(f1 - (last(metrics, `${prefix}f1/macro`) as number)) < 1e-9, `${stage}: ${f1} vs ${prefix}f1/macro`);
    }
    const snr = (await readRecordSnr(join(dir, 'hierarchical', 'per-record-snr.csv'))).flatMap((r) => r.snr.filter(Number.isFinite));
    const mean = snr.reduce((sum, v) => sum + v, 0) / snr.length;
    assert.ok(Math.abs(mean - (last(metrics, 'snr/mean') as number)) < 1e-3, `hierarchical per-record SNR ${mean} vs snr/mean`);
  }
});

test('the digitizer stage writes an example page: its image and every lead traced in image pixels beside the reference', async () => {
  const dir = join(new RunStore(runs).artifactsDir(result.cells[0]!), 'digitizer');
  assert.ok(existsSync(join(dir, 'example.png')), 'example.png');
  const example = JSON.parse(readFileSync(join(dir, 'example.json'), 'utf8')) as {
    version: number;
    image: string;
    leads: { lead: string; points: ([number, number] | null)[]; reference: ([number, number] | null)[] }[];
  };
  assert.is(example.version, 1);
  assert.is(example.image, 'example.png');
  assert.equal(example.leads.map((l) => l.lead).sort(), [...LEADS].sort());
  const sharp = (await import('sharp')).default;
  const { width, height } = await sharp(join(dir, 'example.png')).metadata();
  for (const lead of example.leads) {
    const points = lead.points.filter((p): p is [number, number] => p !== null);
    assert.ok(points.length > 0 && lead.reference.some((p) => p !== null), lead.lead);
    assert.ok(points.every(([x, y]) => x >= -1 && x <= width! && y >= -1 && y <= height!), `${lead.lead}: points inside the image`);
  }
  // Lead II is drawn twice on a 3x4 page: two parts, split by null.
  assert.ok(example.leads.find((l) => l.lead === 'II')!.points.includes(null));
});

test('each trained part logs a loss per epoch that falls', () => {
  const metrics = result.metrics[0] ?? [];
  for (const stage of ['classifier2d', 'roi', 'denoise', 'digitizer', 'classifier1d']) {
    const losses = series(metrics, `${stage}/loss`);
    assert.ok(losses.length >= 2, `${stage}: ${losses.length} epochs logged`);
    assert.ok((losses.at(-1) as number) < (losses[0] as number), `${stage} loss did not fall: ${losses.join(', ')}`);
    assert.ok(series(metrics, `${stage}/val_loss`).length === losses.length, `${stage}/val_loss per epoch`);
  }
  assert.is(series(metrics, 'hierarchical/loss').length, 2);
  assert.ok(series(metrics, 'classifier2d/val_f1').length >= 2, 'validation F1 per epoch');
});

test('no trained stage grows the live tensor count from epoch to epoch', () => {
  const metrics = result.metrics[0] ?? [];
  for (const stage of ['classifier2d', 'roi', 'denoise', 'digitizer', 'classifier1d', 'combiner', 'hierarchical']) {
    const tensors = series(metrics, `${stage}/tensors`);
    assert.ok(tensors.length >= 2, `${stage}: ${tensors.length} epochs logged`);
    assert.ok(tensors.every((n) => n === tensors[0]), `${stage} tensors per epoch: ${tensors.join(', ')}`);
  }
});

test('the other arms re-use every stage but hierarchical', () => {
  const [on, ...others] = result.cells;
  for (const cell of others) {
    for (const [name, stage] of Object.entries(cell.stages)) {
      if (name === 'hierarchical') assert.is(stage.cached, false);
      else assert.is(stage.cached, true, `${name} was not re-used`);
      if (name !== 'hierarchical') assert.is(stage.key, on?.stages[name]?.key);
    }
  }
});

test('SNR is measured where digitization ends: the digitizer stage\'s figure without fine-tuning, the fine-tuned digitizer\'s with it', () => {
  const [tuned, off, combined] = result.metrics as [MetricPoint[], MetricPoint[], MetricPoint[]];
  for (const metrics of [off, combined]) {
    assert.is(last(metrics, 'snr/mean'), last(metrics, 'digitizer/snr/mean'));
    for (const lead of LEADS) assert.is(last(metrics, `snr/${lead}`), last(metrics, `digitizer/snr/${lead}`), lead);
  }
  assert.is(last(tuned, 'digitizer/snr/mean'), last(off, 'digitizer/snr/mean'), 'the same digitizer stage');
  assert.ok(last(tuned, 'snr/mean') !== last(tuned, 'digitizer/snr/mean'), 'the fine-tuned digitizer was not the one scored');
});

test('the combiner trains on the frozen parts (combine on, finetune off): its loss falls, its weights are logged per class, only it is saved', () => {
  const [tuned, off, combined] = result.metrics as [MetricPoint[], MetricPoint[], MetricPoint[]];
  const losses = series(combined, 'combiner/loss');
  assert.ok(losses.length >= 2 && (losses.at(-1) as number) < (losses[0] as number), `combiner/loss ${losses.join(', ')}`);
  assert.is(series(combined, 'hierarchical/loss').length, 0, 'no end-to-end epoch');
  for (const cls of CHALLENGE_CLASSES) {
    assert.ok(Number.isFinite(last(combined, `combiner/image_weight/${cls}`)), cls);
    assert.ok(Number.isFinite(last(combined, `combiner/signal_weight/${cls}`)), cls);
    // Fine-tuned after the combiner phase: logged at step 0 and again at step 1.
    assert.is(series(tuned, `combiner/signal_weight/${cls}`).length, 2, cls);
  }
  assert.ok(CHALLENGE_CLASSES.some((cls) => last(combined, `combiner/image_weight/${cls}`) !== 0.5), 'the combiner did not move');
  assert.is(series(off, 'combiner/loss').length, 0);
  const saved = (cell: number) => readdirSync(join(cacheEntry(runs, 'hierarchical', result.cells[cell]?.stages['hierarchical']?.key ?? ''), 'model')).sort();
  assert.equal(saved(2), ['combiner']);
  assert.equal(saved(0), ['classifier1d', 'classifier2d', 'combiner', 'denoiser', 'digitizer']);
});

test('end-to-end fine-tuning moves the digitizer weights', async () => {
  const cell = result.cells[0];
  const before = await loadModel(join(cacheEntry(runs, 'digitizer', cell?.stages['digitizer']?.key ?? ''), 'model', 'digitizer'));
  const after = await loadModel(join(cacheEntry(runs, 'hierarchical', cell?.stages['hierarchical']?.key ?? ''), 'model', 'digitizer'));
  const a = before.model.getWeights();
  const b = after.model.getWeights();
  const changed = a.filter((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, b[i] as tf.Tensor))).dataSync()[0] as number) > 0).length;
  before.model.dispose();
  after.model.dispose();
  assert.ok(changed >= before.model.weights.length / 2, `only ${changed} of ${a.length} digitizer weight tensors changed`);
});

test.run();
