/**
 * Broken inputs are clear errors of their cell, and the sweep goes on: a
 * cached checkpoint whose weights are cut short, and a page image that is
 * not an image.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheEntry, runExperiment, tinyExperiment, TINY_ARGS } from './helpers.js';

test('a corrupt classifier2d checkpoint fails the hierarchy cell with CHECKPOINT_CORRUPT; the image-only cell finishes', async () => {
  const { path, runs } = tinyExperiment('tiny-checkpoint', 'sweep:\n  model.hierarchy: [true, false]\n');
  const first = await runExperiment(path, runs, [...TINY_ARGS, 'model.hierarchy=false']);
  assert.is(first.sweep.status, 'finished', first.cells[0]?.error);
  const key = first.cells[0]?.stages['classifier2d']?.key ?? '';
  const weights = join(cacheEntry(runs, 'classifier2d', key), 'model', 'classifier2d', 'weights.bin');
  writeFileSync(weights, Buffer.from([1, 2, 3]));

  const second = await runExperiment(path, runs, TINY_ARGS);
  const [on, off] = second.cells;
  assert.is(second.sweep.status, 'failed');
  assert.is(on?.status, 'failed');
  assert.is(on?.stages['hierarchical']?.status, 'failed');
  assert.match(on?.error ?? '', 'weights.bin');
  assert.is(off?.status, 'finished', off?.error);
});

test('a page that is not an image fails its cell with the file named; the other noise level finishes', async () => {
  const { path, runs } = tinyExperiment('tiny-image', 'stages: [classifier2d]\nsweep:\n  render.noise: [0, 0.25]\n');
  const first = await runExperiment(path, runs, [...TINY_ARGS, 'render.noise=0']);
  assert.is(first.sweep.status, 'finished', first.cells[0]?.error);
  const renderDir = cacheEntry(runs, 'render', first.cells[0]?.stages['render']?.key ?? '');
  const page = readdirSync(renderDir).find((f) => /^[^-]+\.(png|jpg)$/.test(f) || (f.endsWith('.png') && !f.includes('-clean') && !f.includes('-mask')));
  assert.ok(page, 'a page image in the render output');
  writeFileSync(join(renderDir, page as string), 'not an image');

  // A new classifier2d (not its cache entry) has to read the cached pages again.
  const second = await runExperiment(path, runs, [...TINY_ARGS, 'train.classifier2d.epochs=2']);
  const [clean, noisy] = second.cells;
  assert.is(clean?.status, 'failed');
  assert.match(clean?.error ?? '', page as string);
  assert.is(noisy?.status, 'finished', noisy?.error);
});

test.run();
