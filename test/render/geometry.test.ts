import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyHomography, homographyFromCorners, invert3, mapPoint, unmapPoint } from '../../src/render/geometry.js';
import { warpImage } from '../../src/render/warp/warp-image.js';
import { pageMappingOf, planDistortions } from '../../src/render/distortions.js';
import { normalizeRenderOptions } from '../../src/render/options.js';
import { createRgbImage } from '../../src/render/raster.js';
import { createRng } from '../../src/core/rng.js';

const W = 1100;
const H = 850;

test('homography from corners maps the corners exactly; its inverse maps them back', () => {
  const from = [[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]] as const;
  const to = [[12, 30], [1080, -5], [1110, 860], [-20, 830]] as const;
  const h = homographyFromCorners(from, to);
  const hi = invert3(h);
  from.forEach((p, i) => {
    const [x, y] = applyHomography(h, p[0], p[1]);
    assert.ok(Math.hypot(x - to[i]![0], y - to[i]![1]) < 1e-6);
    const [bx, by] = applyHomography(hi, x, y);
    assert.ok(Math.hypot(bx - p[0], by - p[1]) < 1e-6);
  });
});

const plan = planDistortions(
  { noise: 1, distort: normalizeRenderOptions().distort, width: W, height: H, pxPerMm: 100 / 25.4 },
  createRng('geometry-test'),
);
const mapping = pageMappingOf(plan, W, H);

test('the forward map (ground truth) inverts the backward map (resampling) to 1e-4 px', () => {
  assert.ok(mapping.field, 'noise 1 has a displacement field');
  const rng = createRng(9);
  for (let i = 0; i < 500; i++) {
    const x = rng.uniform(0, W - 1);
    const y = rng.uniform(0, H - 1);
    const [qx, qy] = mapPoint(mapping, x, y);
    const [px, py] = unmapPoint(mapping, qx, qy);
    assert.ok(Math.hypot(px - x, py - y) < 1e-4, `(${x}, ${y}) -> (${qx}, ${qy}) -> (${px}, ${py})`);
  }
});

test('the warped image agrees with an exact per-pixel resampling through unmapPoint (within one grey level)', () => {
  // A smooth page: red, green and blue are ramps in x, y and x + y, so a misplaced source or a mixed-up channel shows as a wrong value.
  const page = createRgbImage(W, H, [0, 0, 0]);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    page.data[(y * W + x) * 3] = x / 4.4;
    page.data[(y * W + x) * 3 + 1] = y / 3.4;
    page.data[(y * W + x) * 3 + 2] = 255 - (x + y) / 7.8;
  }
  const at = (x: number, y: number, c: number) => page.data[(Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))) * 3 + c] as number;
  const warped = warpImage(page, mapping, [0, 0, 255]);
  const rng = createRng(3);
  let checked = 0;
  for (let i = 0; i < 2000; i++) {
    const ix = rng.int(0, W - 1);
    const iy = rng.int(0, H - 1);
    const [px, py] = unmapPoint(mapping, ix, iy);
    if (px < 1 || py < 1 || px > W - 2 || py > H - 2) continue;
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const fx = px - x0;
    const fy = py - y0;
    for (const c of [0, 1, 2]) {
      const expected = (at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx) * (1 - fy) + (at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx) * fy;
      const got = warped.data[(iy * W + ix) * 3 + c] as number;
      assert.ok(Math.abs(got - expected) <= 0.6, `channel ${c} at (${ix}, ${iy}): ${got} vs ${expected}`);
    }
    checked++;
  }
  assert.ok(checked > 1500);
});

test.run();
