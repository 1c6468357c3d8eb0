/**
 * Step 3 (issue 18): the layout read from the traces, and each lead's panel
 * against the ground truth's (render/scoring/geometry-truth.ts: IoU of the panel
 * mapped back to the image with the ground truth's panelBox).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPageGeometry } from '../../../src/page/geometry/index.js';
import { geometryErrors } from '../../../src/render/scoring/geometry-truth.js';
import type { RenderConfigInput } from '../../../src/render/index.js';
import { testPage } from './pages.js';

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

const CLEAN: readonly [RenderConfigInput, string][] = [
  [{ layout: '3x4', rhythmLead: 'none' }, '3x4'],
  [{ layout: '3x4', rhythmLead: 'II' }, '3x4+1'],
  [{ layout: '3x4+3' }, '3x4+3'],
  [{ layout: '6x2' }, '6x2'],
  [{ layout: '12x1', gridColour: 'grey' }, '12x1'],
];

test('every layout on a clean page: told apart, panels at IoU over 0.9, every lead found', async () => {
  for (const [i, [config, layout]] of CLEAN.entries()) {
    const { channels, gt } = await testPage({ noise: 0, ...config }, 20 + i);
    const found = findPageGeometry(channels);
    const errors = geometryErrors(gt, found);
    assert.is(errors.layoutFound, layout);
    assert.is(found.leads.length, gt.leads.length, layout);
    const iou = mean(errors.leads.map((l) => l.boxIou));
    assert.ok(iou > 0.9, `${layout}: mean panel IoU ${iou}`);
  }
});

test('a photographed page (render.noise 0.5, varied look): layout right, panels at IoU over 0.75', async () => {
  for (const seed of [7051, 7057]) {
    const { channels, gt } = await testPage({ noise: 0.5, variety: { strength: 1 } }, seed);
    const errors = geometryErrors(gt, findPageGeometry(channels));
    assert.is(errors.layoutFound, errors.layoutTrue, `seed ${seed}`);
    const iou = mean(errors.leads.map((l) => l.boxIou));
    assert.ok(iou > 0.75, `seed ${seed}: mean panel IoU ${iou}`);
  }
});

test('a page with no traces has no layout and no leads', async () => {
  const { channels } = await testPage({ noise: 0 }, 30);
  const blank = { grey: { ...channels.grey, data: new Float32Array(channels.grey.data.length).fill(1) }, ink: { ...channels.ink, data: new Float32Array(channels.ink.data.length).fill(1) } };
  const found = findPageGeometry(blank);
  assert.is(found.layout.layout, null);
  assert.is(found.leads.length, 0);
});

test.run();
