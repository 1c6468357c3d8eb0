/**
 * Unlabelled real records (../shared/data/ptb-xl-unlabelled): the stages
 * that need no labels run and score SNR; a classification stage refuses
 * with a message naming the stage and what to run instead, instead of
 * training on all-negative targets and scoring NaN.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { SHARED_DATA, sharedDataOrSkip } from '../data/shared-data.js';
import { last, runExperiment, tinyExperiment, TINY_ARGS } from './helpers.js';
import { loadLocalRuns } from '../../src/report/index.js';
import { silentLogger } from '../../src/core/logger.js';

const data = sharedDataOrSkip('needs-labels');
const body = (stages: string) =>
  `data:\n  source: wfdb-folder\n  path: ${join(SHARED_DATA, 'ptb-xl-unlabelled')}\n  records: 16\nstages: [${stages}]\n`;

test('the digitization stages run on unlabelled records and report SNR, which compare shows as the run\'s snr/mean', async () => {
  if (!data) return;
  const experiment = tinyExperiment('unlabelled-digitizer', body('digitizer'));
  const result = await runExperiment(experiment.path, experiment.runs, [...TINY_ARGS, 'data.records=16']);
  assert.is(result.sweep.status, 'finished', result.cells.map((c) => c.error ?? '').join('\n'));
  const snr = last(result.metrics[0] ?? [], 'digitizer/snr/mean') as number;
  assert.ok(Number.isFinite(snr), 'digitizer/snr/mean');
  const set = await loadLocalRuns(experiment.runs, ['unlabelled-digitizer'], silentLogger);
  assert.is(set.cells[0]?.metrics['snr/mean'], snr, 'without a hierarchical stage the digitizer\'s SNR is the final one');
});

test('a classification stage on unlabelled records refuses, naming the stage and the stages to run instead', async () => {
  if (!data) return;
  const experiment = tinyExperiment('unlabelled-classifier', body('classifier2d'));
  const result = await runExperiment(experiment.path, experiment.runs, [...TINY_ARGS, 'data.records=16']);
  const cell = result.cells[0];
  assert.is(cell?.status, 'failed');
  for (const part of ['classifier2d needs labelled records', 'stages: [digitizer]']) assert.ok(cell?.error?.includes(part), `${cell?.error} lacks "${part}"`);
});

test.run();
