/**
 * The stages keep per page only its layout and read traces page by page
 * (issue 21): a page's layout is its ground truth without the traces, and
 * every box the stages take from it (nominal placements, ROI targets, the
 * deskewed boxes) is the same as from the whole ground truth; crop sets
 * built from page references or layouts (ground truth read while cutting,
 * targets in the crop file) hold the same crops, pixels and targets as crop
 * sets built from whole pages, keep no layout, and give back the same
 * deskewed ground truth.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type Experiment } from '../../src/config/compose.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { readGroundTruth, readRenderedPages, renderPagesToDir, type RenderManifest } from '../../src/render/pages.js';
import type { StageContext } from '../../src/train/stage.js';
import { buildCropSets, type BoxesFile } from '../../src/train/stages/crop-set.js';
import { rotationRectification } from '../../src/page/perspective.js';
import { placementsRectification } from '../../src/page/lead-placement.js';
import { rectifyGroundTruth, hasTraces, layoutOf, nominalPagePlacements, roiTargetBoxes } from '../../src/train/stages/page-truth.js';
import { readPageRefs, withTruth, type Page } from '../../src/train/stages/stage-inputs.js';
import { syntheticRecord } from '../render/fixtures.js';

const CONFIGS = join(import.meta.dirname, '..', '..', 'configs');
const experiment: Experiment = { path: 'test', name: 'test', defaults: { model: 'small' }, values: {}, sweep: undefined, stages: [] };
const config = compose({ experiment, configsDir: CONFIGS, overrides: { 'render.dpi': 50, 'render.noise': 0.5, 'digitizer.cropHeight': 32 } }).config;

const root = mkdtempSync(join(tmpdir(), 'ecg-streamed-'));
const renderDir = join(root, 'render');
let ctx: StageContext;

test.before(async () => {
  const jobs = (['train', 'val', 'test'] as const).map((split, i) => ({ split, record: syntheticRecord(`rec-${i}`) }));
  const manifest: RenderManifest = await renderPagesToDir(renderDir, jobs, config.render, { seed: 5 });
  ctx = {
    config,
    outDir: root,
    inputs: { render: { stage: 'render', key: 'k', dir: renderDir, manifest } },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
  } as unknown as StageContext;
});

test.after(() => rmSync(root, { recursive: true, force: true }));

/** Every page with its whole ground truth, read straight from the render output: what the layouts are checked against. */
async function wholePages(): Promise<Page[]> {
  const refs = await readRenderedPages(ctx.inputs.render!);
  return Promise.all(refs.map(async (ref) => ({ ...ref, gt: await readGroundTruth(ref) })));
}

test('a layout is the ground truth without traces, and gives the same boxes, turned back or not', async () => {
  const pages = await wholePages();
  const refs = await readPageRefs(ctx, 't');
  assert.is(refs.length, 3);
  pages.forEach((page, i) => {
    const ref = refs[i]!;
    assert.is(ref.record, page.record);
    assert.ok(hasTraces(page.gt) && !hasTraces(ref.gt));
    assert.ok(ref.gt.leads.every((lead) => !('x' in lead) && !('mv' in lead)));
    assert.equal(ref.gt, layoutOf(page.gt));
    assert.equal(nominalPagePlacements(ref.gt), nominalPagePlacements(page.gt));
    assert.equal(roiTargetBoxes(ref.gt), roiTargetBoxes(page.gt));
    const turned = rotationRectification(2.5, page.gt.width, page.gt.height);
    assert.equal(rectifyGroundTruth(ref.gt, turned), layoutOf(rectifyGroundTruth(page.gt, turned)));
    assert.ok(JSON.stringify(ref.gt).length * 5 < JSON.stringify(page.gt).length, 'the layout is a small part of the ground truth');
  });
  assert.equal((await withTruth(refs[0]!)).gt, pages[0]!.gt);
});

test('crop sets from page references or layouts hold the crops, pixels and targets of crop sets from whole pages, and keep no layout', async () => {
  const pages = await wholePages();
  const refs = await readPageRefs(ctx, 't');
  const bare = await readRenderedPages(ctx.inputs.render!);
  // One page turned back and one in perspective, to check that the targets and the ground truth given back are the rectified ones.
  const rectified = (i: number) => (i === 1 ? { deskewDeg: 1.5 } : i === 2 ? { deskewDeg: 1.2, rectification: { s: 0.021, k: 1.5e-5, t: -0.018, l: -1e-5 } } : { deskewDeg: 0 });
  const boxes: BoxesFile = { pages: Object.fromEntries(pages.map((p, i) => [p.record, { ...nominalPagePlacements(p.gt), ...rectified(i) }])) };
  const whole = await buildCropSets(ctx, 't', pages, boxes, true);
  const fromLayouts = await buildCropSets(ctx, 't', refs, boxes, true);
  const streamed = await buildCropSets(ctx, 't', bare, boxes, true);
  try {
    assert.is(streamed.sets.length, whole.sets.length);
    for (const [k, set] of [...streamed.sets.entries(), ...fromLayouts.sets.entries()]) {
      const other = whole.sets[k]!;
      const page = pages[k]!;
      assert.equal(set.page.gt, { record: page.gt.record, fsHz: page.gt.fsHz, recordLength: page.gt.recordLength }, 'a set keeps of the ground truth only what digitizing and scoring the page need');
      assert.equal(other.page.gt, set.page.gt);
      assert.is(set.page.imagePath, page.imagePath);
      const truth = (await set.truth()).gt;
      assert.equal(truth, rectifyGroundTruth(page.gt, placementsRectification(boxes.pages[page.record]!)));
      assert.equal((await set.withTruth()).page.gt, truth);
      assert.is(set.crops.length, other.crops.length);
      set.crops.forEach((crop, i) => {
        const expected = other.crops[i]!;
        assert.equal({ ...crop }, { ...expected }, `page ${k} crop ${i}`);
        assert.equal(set.targets(i), other.targets(i), `page ${k} crop ${i} targets`);
        assert.ok(other.targets(i).mask.some((m) => m > 0), 'the crop has targets');
        assert.equal(set.pixels(i), other.pixels(i));
        assert.equal(set.clean(i), other.clean(i));
      });
    }
    const replaced = streamed.sets[0]!.pixels(0).map((v) => 1 - v);
    streamed.sets[0]!.replacePixels(0, replaced);
    assert.equal(streamed.sets[0]!.pixels(0), replaced);
    assert.equal(streamed.sets[0]!.targets(0), whole.sets[0]!.targets(0), 'replacing pixels leaves the targets');
  } finally {
    whole.remove();
    fromLayouts.remove();
    streamed.remove();
  }
  assert.equal(readdirSync(root).filter((name) => name.startsWith('.')), [], 'crop files removed');
});

test.run();
