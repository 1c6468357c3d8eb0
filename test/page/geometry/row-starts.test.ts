/**
 * Each trace row's start (t = 0) from the image (row-starts.ts) against the
 * ground truth: the x of the row's first drawn sample (the panel at t = 0,
 * its x[0]) on undistorted varied pages (noise 0: the rectified page is the
 * image). At 100 DPI a pixel is a sample, so the claim is to a fraction of
 * a pixel where the column bars are found.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPageGeometry, rowStarts, type PageGeometry, type RowStart } from '../../../src/page/geometry/index.js';
import type { PageGroundTruth } from '../../../src/render/index.js';
import { testPage } from './pages.js';

function startsOf(found: PageGeometry): RowStart[] {
  const { grid } = found;
  return rowStarts(found.layout, found.mask, found.rectified.ink, { pxPerMmX: grid.pxPerMmX, pxPerMmY: grid.pxPerMmY, pxPerS: 25 * grid.pxPerMmX, fromGrid: grid.found });
}

/** Found minus true start of every row, the candidate nearest the truth. */
function errorsPx(gt: PageGroundTruth, starts: readonly RowStart[]): number[] {
  return starts.map((start, row) => {
    const lead = gt.leads.find((l) => l.row === row && l.startS === 0);
    if (!lead) throw new Error(`no panel at t = 0 in row ${row}`);
    const truth = lead.x[0] as number;
    return start.startsX.map((x) => x - truth).reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a));
  });
}

test('3x4 pages with a grid: every row from the column bars, within 0.2 px (10 varied looks: pulse left with and without its foot, right, none)', async () => {
  for (const seed of [40, 41, 45, 47, 49, 51, 52, 54, 55, 59]) {
    const { channels, gt } = await testPage({ noise: 0, variety: { strength: 1, layouts: ['3x4'] } }, seed);
    const found = findPageGeometry(channels);
    assert.ok(found.grid.found, `seed ${seed}: grid`);
    const starts = startsOf(found);
    assert.is(starts.length, 4, `seed ${seed}: rows`);
    for (const s of starts) assert.ok(s.source === 'separators' || s.source === 'page-separators', `seed ${seed}: ${s.source}`);
    for (const e of errorsPx(gt, starts)) assert.ok(Math.abs(e) < 0.2, `seed ${seed}: ${e.toFixed(3)} px`);
  }
});

test('3x4 pages without a grid: the bars also give px per second, within 0.1 %, and the starts within 0.4 px', async () => {
  for (const seed of [42, 53, 56, 58]) {
    const { channels, gt } = await testPage({ noise: 0, variety: { strength: 1, layouts: ['3x4'] } }, seed);
    const found = findPageGeometry(channels);
    assert.not.ok(found.grid.found, `seed ${seed}: no grid`);
    const starts = startsOf(found);
    for (const s of starts) assert.ok(s.pxPerS !== undefined && Math.abs(s.pxPerS / gt.pxPerS - 1) < 1e-3, `seed ${seed}: ${s.pxPerS} px/s against ${gt.pxPerS}`);
    for (const e of errorsPx(gt, starts)) assert.ok(Math.abs(e) < 0.4, `seed ${seed}: ${e.toFixed(3)} px`);
  }
});

test('12x1 (no column bars): a footed left pulse gives the start among its two candidates within 0.5 px; a right pulse leaves the ink start, within 0.5 px', async () => {
  for (const [seed, look, source] of [[61, { pulseAbuts: 0 }, 'pulse'], [62, { pulseRight: 1 }, 'ink']] as const) {
    const { channels, gt } = await testPage({ noise: 0, variety: { strength: 1, layouts: ['12x1'], gridStyles: ['red'], pulseOff: 0, pulseRight: 0, ...look } }, seed);
    const starts = startsOf(findPageGeometry(channels));
    assert.is(starts.length, 12);
    for (const s of starts) assert.is(s.source, source, `seed ${seed}`);
    for (const e of errorsPx(gt, starts)) assert.ok(Math.abs(e) < 0.5, `seed ${seed}: ${e.toFixed(3)} px`);
  }
});

test('a blank page: no rows, no starts', async () => {
  const { channels } = await testPage({ noise: 0 }, 44);
  const blank = { grey: { ...channels.grey, data: new Float32Array(channels.grey.data.length).fill(1) }, ink: { ...channels.ink, data: new Float32Array(channels.ink.data.length).fill(1) } };
  assert.equal(startsOf(findPageGeometry(blank)), []);
});

test.run();
