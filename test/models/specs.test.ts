import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { compose, type Experiment } from '../../src/config/compose.js';
import { isEcgError } from '../../src/core/errors.js';
import {
  buildClassifier1d,
  buildClassifier2d,
  buildCombiner,
  buildDenoiser,
  buildDigitizer,
  buildRoi,
  classify,
  cropColumns,
  modelSpecs,
  outputOf,
} from '../../src/models/index.js';
import { useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const CONFIGS = join(import.meta.dirname, '..', '..', 'configs');

function composed(option: string, overrides: Record<string, unknown> = {}) {
  const experiment: Experiment = { path: 'test', name: 'test', defaults: { model: option }, values: {}, sweep: undefined, stages: [] };
  return compose({ experiment, configsDir: CONFIGS, overrides }).config;
}

for (const option of ['default', 'small']) {
  test(`configs/model/${option}.yaml builds every part at its real size, and each runs one input`, () => {
    const config = composed(option);
    const specs = modelSpecs(config, { seed: config.seed.train, signalDurationS: config.data.durationS });
    const c2d = buildClassifier2d(specs.classifier2d);
    const c1d = buildClassifier1d(specs.classifier1d);
    const roi = buildRoi(specs.roi);
    const denoiser = buildDenoiser(specs.denoiser);
    const digitizer = buildDigitizer(specs.digitizer);
    const combiner = buildCombiner(specs.combiner);
    const columns = cropColumns(2.5, config.digitizer.columnsPerS, specs);
    tf.tidy(() => {
      const page = tf.zeros([1, specs.classifier2d.inputHeight, specs.classifier2d.inputWidth, 1]);
      assert.equal(classify(c2d, page, { training: false }).logits.shape, [1, 11]);
      assert.equal(classify(c1d, tf.zeros([1, specs.classifier1d.length, 12]), { training: false }).logits.shape, [1, 11]);
      assert.equal(outputOf(roi, tf.zeros([1, specs.roi.inputHeight, specs.roi.inputWidth, 1]), { training: false }).shape[3], 1);
      const crop = tf.zeros([1, config.digitizer.cropHeight, columns, 1]);
      assert.equal(outputOf(digitizer, outputOf(denoiser, crop, { training: false }), { training: false }).shape, crop.shape);
    });
    [c2d, c1d, roi, denoiser, digitizer, combiner].forEach((m) => m.dispose());
  });
}

test('image-only switches the hierarchy off and keeps the default sizes', () => {
  const config = composed('image-only');
  assert.is(config.model.hierarchy, false);
  assert.equal(config.model.classifier2d.widths, [16, 24, 40, 80]);
});

test('crop widths round up to the U-Nets\' stride', () => {
  const specs = { denoiser: { inputHeight: 8, inputWidth: null, widths: [4, 4], seed: 0 }, digitizer: { inputHeight: 8, inputWidth: null, widths: [4, 4, 4], seed: 0 } };
  assert.is(cropColumns(2.5, 10, specs), 28);
  assert.is(cropColumns(10, 10, specs), 100);
  assert.is(cropColumns(0.01, 10, specs), 4);
});

test('a crop height the U-Net cannot pool is MODEL_INVALID naming the key and the stride', () => {
  // The config refuses such a height first (config/checks.ts); the model keeps its own guard for specs built elsewhere.
  const valid = composed('default');
  const config = { ...valid, digitizer: { ...valid.digitizer, cropHeight: 30 } };
  const specs = modelSpecs(config, { seed: 0, signalDurationS: 10 });
  try {
    buildDigitizer(specs.digitizer);
    assert.unreachable('should throw');
  } catch (error) {
    assert.ok(isEcgError(error, 'MODEL_INVALID'));
    assert.match((error as Error).message, /inputHeight = 30 .*divisible by 4/);
  }
});

test.run();
