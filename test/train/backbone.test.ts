/**
 * model.backbone = shared through the runner on tiny data: the stage graph
 * (roi and digitizer read classifier2d, and only then), cache keys (a
 * separate config keeps the key it had before the switch), one tiny cell
 * trained in the paper's order and fine-tuned end to end (the backbone
 * moves, the live tensor count stays flat per epoch), and the trained cell
 * loaded for `digitize` and `classify` with one backbone for both.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { loadModel, SharedPart, trainableVariables } from '../../src/models/index.js';
import { RunStore } from '../../src/tracking/run-store.js';
import { readRenderedPages } from '../../src/render/pages.js';
import { stageKey } from '../../src/train/cache.js';
import { resolveStages } from '../../src/train/graph.js';
import { planSweep } from '../../src/train/plan.js';
import { METHOD_STAGES } from '../../src/train/stages/index.js';
import { loadTrainedCell, resolveCellRef } from '../../src/inference/load-cell.js';
import { inferImage } from '../../src/inference/infer-image.js';
import type { Config } from '../../src/config/schema/index.js';
import type { Stage } from '../../src/train/stage.js';
import { ROOT } from '../helpers/cli.js';
import { cacheEntry, last, loadBackend, runExperiment, series, tinyExperiment, TINY_ARGS, type SweepResult } from './helpers.js';

test.before(async () => {
  await loadBackend();
});

const experiment = tinyExperiment('tiny-backbone', '');
const configOf = (backbone: string, ...more: string[]): Config =>
  (planSweep(experiment.path, [...TINY_ARGS, `model.backbone=${backbone}`, ...more], join(ROOT, 'configs')).cells[0] as { config: Config }).config;

/** Every stage's key for `config`, in graph order. */
function keysOf(config: Config, stages: readonly Stage[] = resolveStages(METHOD_STAGES, [], [config])): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const stage of stages) keys[stage.name] = stageKey(stage, config, keys);
  return keys;
}

test('separate keeps every key the stages had before model.backbone existed; shared changes roi, digitizer and what reads them', () => {
  const separate = configOf('separate');
  const shared = configOf('shared');
  // The stages as they were: no readsWhen.
  const before = resolveStages(METHOD_STAGES, []).map((s) => ({ ...s, readsWhen: undefined }) as Stage);
  assert.equal(keysOf(separate), keysOf(separate, before));
  const a = keysOf(separate);
  const b = keysOf(shared);
  for (const name of ['data', 'render', 'classifier2d']) assert.is(b[name], a[name], `${name} shared by both arms`);
  // The denoiser reads the roi stage's boxes, which the shared ROI model finds.
  for (const name of ['roi', 'denoise', 'digitizer', 'classifier1d', 'hierarchical']) assert.is.not(b[name], a[name], `${name} differs`);
  // digitizer.roi = false: no ROI model, so nothing of the backbone in the roi stage, nor in the denoiser.
  const [noRoiShared, noRoiSeparate] = [keysOf(configOf('shared', 'digitizer.roi=false')), keysOf(configOf('separate', 'digitizer.roi=false'))];
  for (const name of ['roi', 'denoise']) assert.is(noRoiShared[name], noRoiSeparate[name], name);
  assert.is.not(noRoiShared.digitizer, noRoiSeparate.digitizer);
});

test('the graph: the digitizer reads classifier2d only with a shared backbone', () => {
  const names = (config: Config) => resolveStages(METHOD_STAGES, ['digitizer'], [config]).map((s) => s.name);
  assert.equal(names(configOf('separate')), ['data', 'render', 'roi', 'denoise', 'digitizer']);
  const shared = names(configOf('shared'));
  assert.ok(shared.includes('classifier2d') && shared.indexOf('classifier2d') < shared.indexOf('roi'), shared.join(' '));
});

let result: SweepResult;

test('one shared-backbone cell trains in the paper\'s order, fine-tunes the backbone end to end, and leaks nothing', async () => {
  const tensorsBefore = tf.memory().numTensors;
  result = await runExperiment(experiment.path, experiment.runs, [...TINY_ARGS, 'model.backbone=shared']);
  assert.is(tf.memory().numTensors, tensorsBefore, 'tensors leaked by the stages');
  assert.is(result.sweep.status, 'finished', result.cells.map((c) => c.error ?? '').join('\n'));
  const [cell] = result.cells;
  const metrics = result.metrics[0] ?? [];
  const key = (stage: string) => cell?.stages[stage]?.key ?? '';
  for (const stage of ['roi', 'digitizer']) {
    const entry = JSON.parse(readFileSync(join(cacheEntry(experiment.runs, stage, key(stage)), 'entry.json'), 'utf8')) as { inputs: Record<string, string>; manifest: { backbone?: string } };
    assert.is(entry.inputs.classifier2d, key('classifier2d'), `${stage} reads classifier2d`);
    assert.is(entry.manifest.backbone, 'shared');
  }
  for (const stage of ['roi', 'digitizer', 'hierarchical']) {
    const tensors = series(metrics, `${stage}/tensors`);
    assert.ok(tensors.length >= 2 && tensors.every((n) => n === tensors[0]), `${stage} tensors per epoch: ${tensors.join(', ')}`);
    const losses = series(metrics, `${stage}/loss`);
    assert.ok(losses.every(Number.isFinite), `${stage}/loss ${losses.join(', ')}`);
  }
  assert.ok(Number.isFinite(last(metrics, 'snr/mean')), 'snr/mean');
  assert.is(cell?.tags['model.backbone'], 'shared');
  // The end-to-end stage moved the backbone: its stem differs from the classifier2d stage's.
  const artifacts = new RunStore(experiment.runs).artifactsDir(cell!);
  const stem = async (dir: string) => {
    const { model } = await loadModel(dir);
    const stemConv = model.layers.find((l) => l.getClassName() === 'Conv2D');
    const values = stemConv!.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };
  assert.not.equal(await stem(join(artifacts, 'hierarchical', 'classifier2d')), await stem(join(artifacts, 'classifier2d', 'classifier2d')));
});

test('digitize and classify load the shared cell: the digitizer sits on the classifier\'s own backbone, and a page goes through both', async () => {
  const [cell] = result.cells;
  const store = new RunStore(experiment.runs);
  const ref = await resolveCellRef(store.cellDir(cell!.experiment, cell!.sweepId, cell!.cellId), experiment.runs, process.cwd());
  const loaded = await loadTrainedCell(ref, { digitize: true, classify: true, logger: silentLogger });
  try {
    const digitizer = loaded.digitization?.digitizer;
    assert.ok(digitizer instanceof SharedPart, 'a shared-backbone digitizer');
    assert.ok(loaded.roi instanceof SharedPart, 'a shared-backbone ROI model');
    assert.is(loaded.classification?.kind, 'hierarchical');
    const parts = loaded.classification?.kind === 'hierarchical' ? loaded.classification.parts : undefined;
    assert.is(parts?.digitizer, digitizer, 'one digitizer for both commands');
    const backbone = new Set(trainableVariables(parts!.classifier2d));
    // Frozen at inference (not listed as trainable), so look through all its weights: the backbone's are the classifier's variables.
    const inDigitizer = digitizer.weights.map((w) => w.read()).filter((v) => backbone.has(v as tf.Variable));
    assert.ok(inDigitizer.length > 0, 'the digitizer\'s backbone variables are the classifier\'s');
    const render = cacheEntry(experiment.runs, 'render', cell?.stages.render?.key ?? '');
    const [page] = await readRenderedPages(render, 'test');
    const before = tf.memory().numTensors;
    const out = await inferImage(loaded, page!.imagePath, { logger: silentLogger });
    assert.is(tf.memory().numTensors, before, 'inference leaked tensors');
    assert.is(out.classification?.model, 'hierarchical');
    assert.ok(Object.values(out.classification!.probabilities).every(Number.isFinite), 'probabilities');
    assert.ok(out.signals?.every((lead) => lead.every(Number.isFinite)), 'signals');
  } finally {
    loaded.dispose();
  }
});

test.run();
