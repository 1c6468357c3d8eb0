/**
 * Broken inputs: a cached checkpoint whose weights were cut short after the
 * entry was written is found by the cache's check, moved aside and trained
 * again; a page image that the renderer itself left broken (its entry
 * records it as it is) is a clear error of its cell, and the sweep goes on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheEntry } from '../../src/train/cache.js';
import { cacheEntry, runExperiment, tinyExperiment, TINY_ARGS } from './helpers.js';

test('a classifier2d checkpoint cut short in the cache is moved aside and trained again; both cells finish', async () => {
  const { path, runs } = tinyExperiment('tiny-checkpoint', 'sweep:\n  model.hierarchy: [true, false]\n');
  const first = await runExperiment(path, runs, [...TINY_ARGS, 'model.hierarchy=false']);
  assert.is(first.sweep.status, 'finished', first.cells[0]?.error);
  const key = first.cells[0]?.stages['classifier2d']?.key ?? '';
  const weights = join(cacheEntry(runs, 'classifier2d', key), 'model', 'classifier2d', 'weights.bin');
  writeFileSync(weights, Buffer.from([1, 2, 3]));

  const second = await runExperiment(path, runs, TINY_ARGS);
  const [on, off] = second.cells;
  assert.is(second.sweep.status, 'finished', on?.error ?? off?.error);
  assert.is(on?.stages['classifier2d']?.key, key);
  assert.is(on?.stages['classifier2d']?.cached, false, 'trained again, not loaded from the damaged entry');
  assert.is(off?.stages['classifier2d']?.cached, true, 'the second cell uses the rebuilt entry');
  assert.is(readdirSync(join(runs, '.cache', 'classifier2d')).filter((n) => n.startsWith(`${key}.corrupt-`)).length, 1, 'the damaged entry moved aside');
});

test('a page that is not an image fails its cell with the file named; the other noise level finishes', async () => {
  const { path, runs } = tinyExperiment('tiny-image', 'stages: [classifier2d]\nsweep:\n  render.noise: [0, 0.25]\n');
  const first = await runExperiment(path, runs, [...TINY_ARGS, 'render.noise=0']);
  assert.is(first.sweep.status, 'finished', first.cells[0]?.error);
  const renderDir = cacheEntry(runs, 'render', first.cells[0]?.stages['render']?.key ?? '');
  const page = readdirSync(renderDir).find((f) => /^[^-]+\.(png|jpg)$/.test(f) || (f.endsWith('.png') && !f.includes('-clean') && !f.includes('-mask')));
  assert.ok(page, 'a page image in the render output');
  // As if the renderer had written it so: the entry records the broken file, so the cache's check passes it on.
  const broken = 'not an image';
  writeFileSync(join(renderDir, page as string), broken);
  const entryFile = join(renderDir, 'entry.json');
  const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as CacheEntry;
  const files = { ...entry.files, [page as string]: { size: broken.length, sha256: createHash('sha256').update(broken).digest('hex') } };
  writeFileSync(entryFile, JSON.stringify({ ...entry, files }));

  // A new classifier2d (not its cache entry) has to read the cached pages again.
  const second = await runExperiment(path, runs, [...TINY_ARGS, 'train.classifier2d.epochs=2']);
  const [clean, noisy] = second.cells;
  assert.is(clean?.status, 'failed');
  assert.match(clean?.error ?? '', page as string);
  assert.is(noisy?.status, 'finished', noisy?.error);
});

test.run();
