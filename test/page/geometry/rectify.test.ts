/**
 * Step 2 (issue 18): the page's rotation and perspective undone. Residual
 * angle and the rectify residual (render/scoring/geometry-truth.ts) against
 * the ground truth, the skew left in the rectified image, and the point maps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateSkewDeg } from '../../../src/page/deskew.js';
import { detectGrid, rectifyPage } from '../../../src/page/geometry/index.js';
import { estimateRectification, hasPerspective, rectificationOf, rotationRectification, toImage, toRectified } from '../../../src/page/perspective.js';
import { rectifyResidualPx, trueScaleOf } from '../../../src/render/scoring/geometry-truth.js';
import { ONLY, testPage } from './pages.js';

test('a rotated page rectified: residual angle under 0.1 deg by the ground truth and by a second skew search', async () => {
  for (const seed of [11, 12]) {
    const { channels, gt } = await testPage({ noise: 1, distort: { ...ONLY, rotationDeg: 5, sensorNoise: 6 } }, seed);
    const truth = trueScaleOf(gt);
    const rectified = rectifyPage(channels, detectGrid(channels).rectification);
    assert.ok(Math.abs(rectified.angleDeg - truth.angleDeg) < 0.1, `residual ${rectified.angleDeg - truth.angleDeg}`);
    assert.ok(Math.abs(estimateSkewDeg(rectified.grey)) < 0.1, `skew left ${estimateSkewDeg(rectified.grey)}`);
    // A lead's first drawn sample and its last lie on one row once rectified, up to their mV difference.
    const lead = gt.leads.find((l) => l.rhythm) ?? gt.leads[0]!;
    const last = lead.x.length - 1;
    const pxPerMv = gt.pxPerMv * gt.transform.zoom;
    const [, y0] = rectified.toRectified(lead.x[0]!, lead.y[0]! + (lead.mv[0] ?? 0) * pxPerMv);
    const [, y1] = rectified.toRectified(lead.x[last]!, lead.y[last]! + (lead.mv[last] ?? 0) * pxPerMv);
    assert.ok(Math.abs(y1 - y0) < 2, `0 mV rows ${y0} and ${y1}`);
  }
});

test('a page in perspective: the rectified page is an axis-aligned scaling of the page to 0.3 px, where turning it back leaves 0.75 px or more', async () => {
  for (const seed of [21, 23, 24]) {
    const { channels, gt } = await testPage({ noise: 1, distort: { ...ONLY, rotationDeg: 3, perspective: 0.035, sensorNoise: 6 } }, seed);
    const found = estimateRectification(channels.grey);
    assert.ok(hasPerspective(found), `seed ${seed}: a perspective found`);
    const left = rectifyResidualPx(gt, (x, y) => toRectified(found, x, y));
    const turned = rotationRectification(estimateSkewDeg(channels.grey), gt.width, gt.height);
    const rotationOnly = rectifyResidualPx(gt, (x, y) => toRectified(turned, x, y));
    assert.ok(left.x < 0.3 && left.y < 0.3, `seed ${seed}: residual x ${left.x.toFixed(2)} y ${left.y.toFixed(2)} px`);
    assert.ok(Math.max(rotationOnly.x, rotationOnly.y) > 0.75, `seed ${seed}: rotation alone leaves x ${rotationOnly.x.toFixed(2)} y ${rotationOnly.y.toFixed(2)} px`);
  }
});

test('an upright page without perspective is left as it is', async () => {
  const { channels } = await testPage({ noise: 1, distort: { ...ONLY, sensorNoise: 6 } }, 31);
  const found = estimateRectification(channels.grey);
  assert.ok(Math.abs(found.angleDeg) < 0.05, `angle ${found.angleDeg}`);
  for (const [x, y] of [[0, 0], [1099, 0], [0, 849], [1099, 849]] as const) {
    const [u, v] = toRectified(found, x, y);
    assert.ok(Math.abs(u - x) < 0.5 && Math.abs(v - y) < 0.5, `corner (${x}, ${y}) moves to (${u}, ${v})`);
  }
});

test('a rotation alone turns the page about its centre by the renderer\'s convention (c + R(-a)(q - c))', () => {
  const r = rotationRectification(3.3, 1100, 850);
  const a = (3.3 * Math.PI) / 180;
  const [cx, cy] = [549.5, 424.5];
  for (const [x, y] of [[0, 0], [700, 300], [1099, 849]] as const) {
    const [u, v] = toRectified(r, x, y);
    const [ex, ey] = [cx + Math.cos(a) * (x - cx) + Math.sin(a) * (y - cy), cy - Math.sin(a) * (x - cx) + Math.cos(a) * (y - cy)];
    assert.ok(Math.abs(u - ex) < 1e-9 && Math.abs(v - ey) < 1e-9, `(${x}, ${y}) -> (${u}, ${v}), expected (${ex}, ${ey})`);
  }
  assert.not.ok(hasPerspective(r));
});

test('toImage undoes toRectified', () => {
  const r = rectificationOf({ s: 0.04, k: 2e-5, t: -0.03, l: -1.5e-5 }, 1100, 850);
  for (const [x, y] of [[0, 0], [500, 300], [1000, 800]] as const) {
    const [u, v] = toRectified(r, x, y);
    const [bx, by] = toImage(r, u, v);
    assert.ok(Math.abs(bx - x) < 1e-9 && Math.abs(by - y) < 1e-9);
  }
});

test.run();
