/**
 * Pages of many looks through the digitization stages (issue 18): with
 * render.variety.strength = 1 every page may have its own layout, paper,
 * DPI and panel position, and the stages that cut crops take each page's
 * from its ground truth (nominal boxes; the ROI model's boxes matched to the
 * page's own layout grid). A tiny run through the digitizer stage must
 * finish and score every page, of whatever layout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEADS } from '../../src/core/ecg.js';
import { readGroundTruth, readRenderedPages } from '../../src/render/pages.js';
import { RunStore } from '../../src/tracking/run-store.js';
import { BOXES_FILE } from '../../src/train/stages/roi.js';
import type { BoxesFile } from '../../src/train/stages/crop-set.js';
import type { PagePlacements } from '../../src/page/lead-placement.js';
import { cacheEntry, last, runExperiment, tinyExperiment, TINY_ARGS } from './helpers.js';

test('a tiny run at render.variety.strength = 1 trains roi, denoise and digitizer on pages of mixed layouts and scores them', async () => {
  const experiment = tinyExperiment('tiny-variety', 'stages: [digitizer]\nrender:\n  variety:\n    strength: 1\n');
  const started = Date.now();
  const result = await runExperiment(experiment.path, experiment.runs, TINY_ARGS);
  console.log(`tiny variety run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const cell = result.cells[0]!;
  assert.is(result.sweep.status, 'finished', cell.error ?? '');

  const pages = await readRenderedPages(cacheEntry(experiment.runs, 'render', cell.stages.render?.key ?? ''));
  const truths = await Promise.all(pages.map(readGroundTruth));
  const layouts = new Set(truths.map((gt) => gt.render.layout));
  const sizes = new Set(truths.map((gt) => `${gt.width}x${gt.height}`));
  console.log(`layouts ${[...layouts].join(', ')}; ${sizes.size} page sizes`);
  assert.ok(layouts.size >= 2, `pages of one layout only: ${[...layouts]}`);
  assert.ok(sizes.size >= 2, 'pages of one size only');

  // The roi stage's placements follow each page's own lead count and size.
  const file = JSON.parse(readFileSync(join(cacheEntry(experiment.runs, 'roi', cell.stages.roi?.key ?? ''), BOXES_FILE), 'utf8')) as BoxesFile;
  const boxes = Object.values(file.pages) as PagePlacements[];
  assert.is(boxes.length, truths.length, 'a placement per page');
  const byRecord = new Map(truths.map((gt) => [gt.record, gt]));
  for (const placed of boxes) {
    const gt = byRecord.get(placed.record)!;
    assert.equal([placed.leads.length, placed.width, placed.height], [gt.leads.length, gt.width, gt.height], `${placed.record} (${gt.render.layout})`);
  }

  const metrics = result.metrics[0]!;
  for (const lead of LEADS) assert.ok(Number.isFinite(last(metrics, `digitizer/snr/${lead}`)), `digitizer/snr/${lead}`);
  const csv = readFileSync(join(new RunStore(experiment.runs).artifactsDir(cell), 'digitizer', 'per-record-snr.csv'), 'utf8').trim().split('\n');
  const scored = new Set(csv.slice(1).map((line) => line.split(',')[0]));
  const scoredLayouts = new Set(truths.filter((gt) => scored.has(gt.record)).map((gt) => gt.render.layout));
  console.log(`digitizer/snr/mean ${last(metrics, 'digitizer/snr/mean')?.toFixed(2)} dB over ${scored.size} records of layouts ${[...scoredLayouts].join(', ')}`);
  assert.ok(scored.size > 0, 'records scored');
});

test.run();
