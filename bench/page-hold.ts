/**
 * What the digitization stages keep in memory for every page (issue 21):
 * they stream pixels and traces from disk, so what grows with the data set is
 * the per-page state they hold for the whole stage. The roi stage holds each
 * page's reference with its layout (readPageRefs); the denoise and digitizer
 * stages hold the page references (readRenderedPages), the ROI placements
 * (the roi stage's boxes.json) and the crop sets (buildCropSets: a slim page,
 * placements and offsets into the crop file). Renders `--pages` synthetic
 * pages at the quickstart's 100 DPI into a temporary folder, builds each
 * structure as the stages do (nominal boxes in place of the ROI model's: the
 * same shape), and prints the V8 heap each adds per page, measured after a
 * full garbage collection.
 *
 *   node --expose-gc --import tsx bench/page-hold.ts [--pages 300]
 *
 * It prints figures; it never fails on them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import convict from 'convict';
import { SCHEMA, type Config } from '../src/config/schema/index.js';
import { silentProgress } from '../src/core/progress.js';
import { generateRecord, syntheticOptions } from '../src/data/synthetic/generator.js';
import { readGroundTruth, readRenderedPages, renderPagesToDir } from '../src/render/pages.js';
import { buildCropSets } from '../src/train/stages/crop-set.js';
import { layoutOf, nominalPagePlacements } from '../src/train/stages/page-truth.js';
import type { StageContext } from '../src/train/stage.js';
import type { PageRef } from '../src/train/stages/stage-inputs.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (the heap is measured after a full collection)');
const { values } = parseArgs({ options: { pages: { type: 'string', default: '300' } } });
const count = Number(values.pages);

const defaults = convict(JSON.parse(JSON.stringify(SCHEMA, (key, value) => (key === 'format' ? undefined : value))) as convict.Schema<Config>, { args: [], env: {} }).getProperties();
const config: Config = { ...defaults, render: { ...defaults.render, dpi: 100 }, digitizer: { ...defaults.digitizer, cropHeight: 48, columnsPerS: 100 } };
const dir = mkdtempSync(join(tmpdir(), 'page-hold-'));
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

try {
  const synthetic = syntheticOptions(config.data, 1);
  const jobs = Array.from({ length: count }, (_, i) => ({ split: 'train' as const, record: generateRecord(i, synthetic) }));
  await renderPagesToDir(join(dir, 'render'), jobs, config.render, { seed: 1 });

  const h0 = heap();
  const layouts: PageRef[] = [];
  for (const ref of await readRenderedPages(join(dir, 'render'))) layouts.push({ ...ref, gt: layoutOf(await readGroundTruth(ref)) });
  const h1 = heap();
  const refs = await readRenderedPages(join(dir, 'render'));
  const h2 = heap();
  const boxes = { pages: Object.fromEntries(layouts.map((p) => [p.record, nominalPagePlacements(p.gt)])) };
  const h3 = heap();
  const ctx = { config, outDir: dir, progress: silentProgress, signal: new AbortController().signal } as unknown as StageContext;
  const sets = await buildCropSets(ctx, 'page-hold', refs, boxes, false);
  const h4 = heap();
  sets.remove();
  const kb = (bytes: number) => (bytes / count / 1024).toFixed(1);
  console.log(`${count} pages at 100 DPI, V8 heap after a full GC, KB a page:`);
  console.log('| roi stage: reference + layout | references | ROI placements | crop sets | denoise / digitizer stage: references + placements + crop sets |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  console.log(`| ${kb(h1 - h0)} | ${kb(h2 - h1)} | ${kb(h3 - h2)} | ${kb(h4 - h3)} | ${kb(h4 - h1)} |`);
  // Keep the structures alive until the last measurement.
  if (sets.sets.length !== count || layouts.length !== count || refs.length !== count || Object.keys(boxes.pages).length !== count) throw new Error('the structures lost pages');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
