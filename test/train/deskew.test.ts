/**
 * Deskew (src/page/deskew.ts): the projection-profile angle of a page with
 * horizontal lines turned by a known angle, 0 on an upright page; the page
 * turned back by it (page/perspective.ts rotationRectification), and the
 * point map agreeing with the image resample (a dot lands where toRectified
 * says).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateSkewDeg } from '../../src/page/deskew.js';
import { rectifyImage, rotationRectification, toRectified } from '../../src/page/perspective.js';
import type { GreyImage } from '../../src/page/grey-image.js';

const WIDTH = 400;
const HEIGHT = 300;

/** White paper, a thin grey grid line every 10 rows, a dark trace line every 60. */
function linedPage(): GreyImage {
  const data = new Float32Array(WIDTH * HEIGHT).fill(1);
  for (let y = 5; y < HEIGHT; y += 10) for (let x = 20; x < WIDTH - 20; x++) data[y * WIDTH + x] = y % 60 === 35 ? 0.1 : 0.7;
  return { data, width: WIDTH, height: HEIGHT };
}

/** The image turned back by `deg` about its centre. */
const turnedBack = (image: GreyImage, deg: number) => rectifyImage(image, rotationRectification(deg, image.width, image.height));
/** Where the image turned back by `deg` shows image point (x, y). */
const deskewPoint = (x: number, y: number, deg: number, width: number, height: number) => toRectified(rotationRectification(deg, width, height), x, y);

/** The page as the renderer rotates it by `deg` (turning back by -deg turns it the other way). */
function rotated(image: GreyImage, deg: number): GreyImage {
  return turnedBack(image, -deg);
}

test('an upright page has no skew and is left as it is', () => {
  const page = linedPage();
  assert.is(estimateSkewDeg(page), 0);
  assert.is(turnedBack(page, 0), page);
});

test('a page turned by a known angle gives that angle back, either way round', () => {
  for (const deg of [2.4, -1.3, 6]) {
    const estimate = estimateSkewDeg(rotated(linedPage(), deg));
    assert.ok(Math.abs(estimate - deg) <= 0.1, `turned by ${deg} deg, estimated ${estimate}`);
  }
});

test('turning back the turned page lines its rows up again', () => {
  const turned = rotated(linedPage(), 3);
  const back = turnedBack(turned, 3);
  const row = (image: GreyImage, y: number) => {
    let sum = 0;
    for (let x = 60; x < WIDTH - 60; x++) sum += image.data[y * WIDTH + x] as number;
    return sum / (WIDTH - 120);
  };
  // Two bilinear resamples spread the 1-pixel line over about 2 rows.
  assert.ok(row(back, 155) < 0.5, `the dark line is back on row 155 (mean ${row(back, 155)})`);
  assert.ok(row(turned, 155) > 0.8, `turned, row 155 crosses the line only briefly (mean ${row(turned, 155)})`);
  assert.ok(row(back, 150) > 0.95, `the paper between lines is white again (mean ${row(back, 150)})`);
});

test('toRectified says where the turned-back image shows a point of the image', () => {
  const data = new Float32Array(WIDTH * HEIGHT).fill(1);
  const [qx, qy] = [320, 60];
  for (let y = qy - 1; y <= qy + 1; y++) for (let x = qx - 1; x <= qx + 1; x++) data[y * WIDTH + x] = 0;
  const deg = 4;
  const out = turnedBack({ data, width: WIDTH, height: HEIGHT }, deg);
  let sx = 0;
  let sy = 0;
  let mass = 0;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const ink = 1 - (out.data[y * WIDTH + x] as number);
      sx += ink * x;
      sy += ink * y;
      mass += ink;
    }
  }
  const [px, py] = deskewPoint(qx, qy, deg, WIDTH, HEIGHT);
  assert.ok(Math.hypot(sx / mass - px, sy / mass - py) < 0.2, `dot at (${sx / mass}, ${sy / mass}), toRectified (${px}, ${py})`);
  assert.ok(Math.hypot(px - qx, py - qy) > 5, 'the test angle moves the point');
});

test('turning a point back by the opposite angle returns it (how the example page maps traces onto the rendered image)', () => {
  for (const [x, y, deg] of [[10, 20, 2.5], [1099, 0, -1.2], [550, 425, 7]] as const) {
    const [dx, dy] = deskewPoint(x, y, deg, 1100, 850);
    const [bx, by] = deskewPoint(dx, dy, -deg, 1100, 850);
    assert.ok(Math.abs(bx - x) < 1e-9 && Math.abs(by - y) < 1e-9, `(${x}, ${y}) at ${deg} deg came back as (${bx}, ${by})`);
  }
});

test.run();
