/**
 * The render stage writes clean twins only when digitizer.denoise is on, and
 * only of the pages the denoise stage (their one reader) trains and validates
 * on: the two settings have different render cache keys, a page without its
 * twin has no twin file and null in the manifest, the other files are the
 * same bytes, and cutting clean-twin crops from pages without twins fails
 * naming the page and the setting.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type Experiment } from '../../src/config/compose.js';
import type { Config } from '../../src/config/schema/index.js';
import { EcgError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { readGroundTruth, readRenderedPages, type RenderManifest } from '../../src/render/pages.js';
import { stageKey } from '../../src/train/cache.js';
import type { StageContext } from '../../src/train/stage.js';
import { buildCropSets } from '../../src/train/stages/crop-set.js';
import { renderStage } from '../../src/train/stages/render.js';
import { nominalPagePlacements } from '../../src/train/stages/page-truth.js';
import { syntheticRecord } from '../render/fixtures.js';
import { writeDataset } from '../../src/data/dataset-store.js';

const CONFIGS = join(import.meta.dirname, '..', '..', 'configs');
const experiment: Experiment = { path: 'test', name: 'test', defaults: { model: 'small' }, values: {}, sweep: undefined, stages: [] };
const configOf = (denoise: boolean): Config =>
  compose({ experiment, configsDir: CONFIGS, overrides: { 'render.dpi': 50, 'render.noise': 0.5, 'digitizer.denoise': denoise, 'digitizer.cropHeight': 32 } }).config;

const root = mkdtempSync(join(tmpdir(), 'ecg-render-twins-'));
const dataDir = join(root, 'data');
let dataManifest: unknown;

test.before(async () => {
  const records = ['rec-0', 'rec-1', 'rec-2'].map((name) => syntheticRecord(name));
  dataManifest = await writeDataset(dataDir, { source: 'synthetic', fsHz: records[0]!.fsHz, acuteMiResolved: false, records, splits: ['train', 'val', 'test'] });
});

test.after(() => rmSync(root, { recursive: true, force: true }));

function contextOf(config: Config, outDir: string, inputs: StageContext['inputs']): StageContext {
  return {
    config,
    outDir,
    inputs,
    logger: silentLogger,
    progress: silentProgress,
    metrics: { log: () => undefined },
    artifacts: { add: async () => undefined },
    tags: { set: () => undefined },
    signal: new AbortController().signal,
    backend: {},
  };
}

async function runRender(denoise: boolean): Promise<{ dir: string; manifest: RenderManifest }> {
  const dir = join(root, `render-${denoise}`);
  const manifest = await renderStage.run(contextOf(configOf(denoise), dir, { data: { stage: 'data', key: 'd', dir: dataDir, manifest: dataManifest } }));
  return { dir, manifest };
}

test('digitizer.denoise is in the render stage\'s cache key', () => {
  const inputs = { data: 'd' };
  assert.is.not(stageKey(renderStage, configOf(true), inputs), stageKey(renderStage, configOf(false), inputs));
});

test('the render stage writes the clean twins of train and val pages with digitizer.denoise, none without; the other files are the same bytes', async () => {
  const on = await runRender(true);
  const off = await runRender(false);
  assert.equal(on.manifest.pages.map((p) => [p.split, p.clean]), [['train', 'rec-0-clean.png'], ['val', 'rec-1-clean.png'], ['test', null]]);
  assert.ok(off.manifest.pages.every((p) => p.clean === null));
  assert.equal(readdirSync(off.dir).filter((name) => name.includes('-clean')), []);
  assert.equal(readdirSync(on.dir).filter((name) => name.includes('-clean')).sort(), ['rec-0-clean.png', 'rec-1-clean.png']);
  for (const page of off.manifest.pages) {
    for (const file of [page.image, page.mask]) assert.ok(readFileSync(join(off.dir, file)).equals(readFileSync(join(on.dir, file))), file);
  }
});

test('cutting clean-twin crops from pages rendered without twins fails, naming the page and digitizer.denoise', async () => {
  const off = await runRender(false);
  const pages = await Promise.all((await readRenderedPages(off)).map(async (p) => ({ ...p, gt: await readGroundTruth(p) })));
  const boxes = { pages: Object.fromEntries(pages.map((p) => [p.record, { ...nominalPagePlacements(p.gt), deskewDeg: 0 }])) };
  const ctx = contextOf(configOf(true), join(root, 'denoise'), {});
  mkdirSync(ctx.outDir);
  const error = await buildCropSets(ctx, 'denoise', pages, boxes, true).then(() => undefined, (e: unknown) => e);
  assert.instance(error, EcgError, String(error));
  assert.match((error as Error).message, /page rec-\d.*digitizer\.denoise/);
  const withoutClean = await buildCropSets(ctx, 'digitizer', pages, boxes, false);
  assert.is(withoutClean.sets.length, 3, 'crops without twins are cut as before');
  withoutClean.remove();
});

test.run();
