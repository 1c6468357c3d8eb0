/**
 * Step 1 (issue 18): the grid's angle and px per mm from the image, against
 * the ground truth's homography (render/scoring/geometry-truth.ts trueScaleOf), and
 * "no grid" on a page without one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { detectGrid, FALLBACK_PAGE_WIDTH_MM } from '../../../src/page/geometry/index.js';
import { rectifyResidualPx, trueScaleOf } from '../../../src/render/scoring/geometry-truth.js';
import { estimateSkewDeg } from '../../../src/page/deskew.js';
import { hasPerspective, toRectified } from '../../../src/page/perspective.js';
import { isEcgError } from '../../../src/core/errors.js';
import { ONLY, testPage } from './pages.js';

test('a clean page: angle 0, px per mm of both axes within 0.05 %, for red, pink and grey grids', async () => {
  for (const [gridColour, seed] of [['red', 1], ['pink', 2], ['grey', 3]] as const) {
    const { channels, gt } = await testPage({ noise: 0, gridColour }, seed);
    const grid = detectGrid(channels);
    assert.ok(grid.found, `${gridColour}: grid found (confidence ${grid.confidence})`);
    assert.is(grid.angleDeg, 0, gridColour);
    assert.ok(Math.abs(grid.pxPerMmX / gt.pxPerMm - 1) < 5e-4, `${gridColour}: x ${grid.pxPerMmX} vs ${gt.pxPerMm}`);
    assert.ok(Math.abs(grid.pxPerMmY / gt.pxPerMm - 1) < 5e-4, `${gridColour}: y ${grid.pxPerMmY} vs ${gt.pxPerMm}`);
    assert.is(grid.gridInInk, gridColour === 'grey', `${gridColour}: the grid shows in the ink channel only when grey`);
  }
});

test('a rotated, zoomed page: angle within 0.1 deg, px per mm within 0.3 % of the true image scale', async () => {
  for (const seed of [4, 5]) {
    const { channels, gt } = await testPage({ noise: 1, distort: { ...ONLY, rotationDeg: 4, crop: 0.04, sensorNoise: 8, blurPx: 0.8 } }, seed);
    const truth = trueScaleOf(gt);
    assert.ok(Math.abs(truth.angleDeg) > 1.5, `the page is rotated (${truth.angleDeg})`);
    const grid = detectGrid(channels);
    assert.ok(Math.abs(grid.angleDeg - truth.angleDeg) < 0.1, `angle ${grid.angleDeg} vs ${truth.angleDeg}`);
    assert.ok(Math.abs(grid.pxPerMmX / truth.pxPerMmX - 1) < 3e-3, `x ${grid.pxPerMmX} vs ${truth.pxPerMmX}`);
    assert.ok(Math.abs(grid.pxPerMmY / truth.pxPerMmY - 1) < 3e-3, `y ${grid.pxPerMmY} vs ${truth.pxPerMmY}`);
  }
});

test('the perspective is kept where a grid is found; a page without a grid, or rectify rotation, is turned back by its rotation alone', async () => {
  const distort = { ...ONLY, rotationDeg: 3, perspective: 0.035, sensorNoise: 6 };
  const gridded = await testPage({ noise: 1, distort }, 21);
  const grid = detectGrid(gridded.channels);
  assert.ok(grid.found && hasPerspective(grid.rectification), 'a gridded page keeps its perspective');
  const left = rectifyResidualPx(gridded.gt, (x, y) => toRectified(grid.rectification, x, y));
  assert.ok(left.x < 0.3 && left.y < 0.3, `residual x ${left.x} y ${left.y}`);
  const turned = detectGrid(gridded.channels, { rectify: 'rotation' });
  assert.not.ok(hasPerspective(turned.rectification), "rectify 'rotation'");
  assert.ok(Math.abs(turned.angleDeg - estimateSkewDeg(gridded.channels.grey)) < 1e-9);
  const bare = await testPage({ noise: 1, gridColour: 'none', distort }, 21);
  const none = detectGrid(bare.channels);
  assert.not.ok(none.found || hasPerspective(none.rectification), 'no grid: the rotation alone');
  assert.ok(Math.abs(none.angleDeg - estimateSkewDeg(bare.channels.grey)) < 1e-9, `angle ${none.angleDeg}`);
});

test('a page without a grid: not found, and px per mm falls back to the image width over the mean page width', async () => {
  const { channels, gt } = await testPage({ noise: 0, gridColour: 'none' }, 6);
  const grid = detectGrid(channels);
  assert.not.ok(grid.found, `no grid (confidence ${grid.confidence})`);
  assert.is(grid.scaleSource, 'page-width');
  assert.is(grid.pxPerMmX, gt.width / FALLBACK_PAGE_WIDTH_MM);
  // A letter page is 279.4 mm wide: the fallback is 3 % off.
  assert.ok(Math.abs(grid.pxPerMmX / gt.pxPerMm - 1) < 0.04);
});

test('a search range spanning a factor 2 or more is refused, naming the range', async () => {
  const { channels } = await testPage({ noise: 0 }, 7);
  try {
    detectGrid(channels, { pxPerMmRange: [2, 4] });
    assert.unreachable('should refuse');
  } catch (error) {
    assert.ok(isEcgError(error) && error.code === 'IMAGE_INVALID');
    assert.match((error as Error).message, /\[2, 4\]/);
  }
});

test.run();
