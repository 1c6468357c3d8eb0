/**
 * Step 2 (issue 18): the page turned back upright. Residual angle against
 * the ground truth, the skew left in the rectified image, and the point maps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateSkewDeg } from '../../../src/page/deskew.js';
import { detectGrid, rectifyPage } from '../../../src/page/geometry/index.js';
import { trueScaleOf } from '../../../src/render/scoring/geometry-truth.js';
import { ONLY, testPage } from './pages.js';

test('a rotated page rectified: residual angle under 0.1 deg by the ground truth and by a second skew search', async () => {
  for (const seed of [11, 12]) {
    const { channels, gt } = await testPage({ noise: 1, distort: { ...ONLY, rotationDeg: 5, sensorNoise: 6 } }, seed);
    const truth = trueScaleOf(gt);
    const rectified = rectifyPage(channels, detectGrid(channels).angleDeg);
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

test('toImage undoes toRectified', async () => {
  const { channels } = await testPage({ noise: 1, distort: { ...ONLY, rotationDeg: 5 } }, 13);
  const rectified = rectifyPage(channels, 3.3);
  for (const [x, y] of [[0, 0], [500, 300], [1000, 800]] as const) {
    const [u, v] = rectified.toRectified(x, y);
    const [bx, by] = rectified.toImage(u, v);
    assert.ok(Math.abs(bx - x) < 1e-9 && Math.abs(by - y) < 1e-9);
  }
});

test.run();
