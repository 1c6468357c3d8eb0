/**
 * page/flatten-background.ts: a broad shadow across the paper (a wrinkle's,
 * as ecg-image-kit draws them) is divided out, thin strokes on and off it
 * keep their contrast against the paper around them, and a clean page is
 * left as it is.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flattenBackground, paperBrightness } from '../../src/page/flatten-background.js';
import type { GreyImage } from '../../src/page/grey-image.js';

const W = 200;
const H = 120;

/** White paper, a horizontal 2 px trace at y = 40 and a vertical 2 px stroke at x = 150; `shadow` darkens a 30 px band x in [60, 90) to that brightness. */
function page(shadow: number | null): GreyImage {
  const data = new Float32Array(W * H).fill(1);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const stroke = y === 40 || y === 41 || x === 150 || x === 151;
      const paper = shadow !== null && x >= 60 && x < 90 ? shadow : 1;
      data[y * W + x] = paper * (stroke ? 0.2 : 1);
    }
  }
  return { data, width: W, height: H };
}

const at = (image: GreyImage, x: number, y: number) => image.data[y * W + x] as number;

test('the paper brightness is the shadow, without the strokes', () => {
  const paper = paperBrightness(page(0.4), 4);
  assert.ok(Math.abs(at(paper, 75, 10) - 0.4) < 1e-6, 'inside the shadow');
  assert.ok(Math.abs(at(paper, 20, 40) - 1) < 1e-6, 'under the trace, off the shadow');
  assert.ok(Math.abs(at(paper, 75, 40) - 0.4) < 1e-6, 'under the trace, in the shadow');
  assert.ok(Math.abs(at(paper, 150, 80) - 1) < 1e-6, 'under the vertical stroke');
});

test('a shadow is divided out and the trace through it keeps its contrast', () => {
  const flat = flattenBackground(page(0.4), 4);
  assert.ok(Math.abs(at(flat, 75, 10) - 1) < 1e-6, `shadowed paper reads white: ${at(flat, 75, 10)}`);
  assert.ok(Math.abs(at(flat, 75, 40) - 0.2) < 1e-6, `the trace in the shadow reads as on paper: ${at(flat, 75, 40)}`);
  assert.ok(Math.abs(at(flat, 20, 40) - 0.2) < 1e-6, 'the trace off the shadow is unchanged');
  assert.ok(Math.abs(at(flat, 150, 80) - 0.2) < 1e-6, 'the vertical stroke is unchanged');
});

test('a page without shadows is left as it is; a shadow narrower than the square is not paper', () => {
  const clean = page(null);
  const flat = flattenBackground(clean, 4);
  for (let i = 0; i < clean.data.length; i++) assert.ok(Math.abs((flat.data[i] as number) - (clean.data[i] as number)) < 1e-6, `pixel ${i}`);
  // A 30 px shadow with a closing of half-width 20 (41 px square) is taken for a stroke and kept.
  const kept = flattenBackground(page(0.4), 20);
  assert.ok(Math.abs(at(kept, 75, 10) - 0.4) < 1e-6, `a shadow narrower than the square stays: ${at(kept, 75, 10)}`);
});

test.run();
