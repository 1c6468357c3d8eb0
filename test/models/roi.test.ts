import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { buildRoi, roiLoss, type RoiSpec } from '../../src/models/roi.js';
import {
  bandsAbove,
  subPixelExtent,
  boxCount,
  heatmapToBoxes,
  LAYOUT_GRIDS,
  layoutBands,
  rasterizeBoxes,
} from '../../src/page/roi-boxes.js';
import type { NormalBox as Box } from '../../src/page/box.js';
import { outputOf } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { assertDecreased, assertNoLeak, seededUniform, trainSteps, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

/** A 3x4 + rhythm page's lead boxes: rows of height 8 at y 4, 16, 28, 40 on a 48 x 64 map, x from 4 to 60. */
function nominalBoxes(): Box[] {
  const boxes: Box[] = [];
  const rowsY = [4, 16, 28, 40];
  rowsY.forEach((y, row) => {
    const columns = row < 3 ? 4 : 1;
    for (let c = 0; c < columns; c++) {
      const x0 = 4 + (c * 56) / columns;
      boxes.push({ y1: y / 48, y2: (y + 8) / 48, x1: x0 / 64, x2: (x0 + 56 / columns) / 64 });
    }
  });
  return boxes;
}

test('layout grids: 3x4 has 13 boxes, 6x2 12, 12x1 12', () => {
  assert.is(boxCount(LAYOUT_GRIDS['3x4']), 13);
  assert.is(boxCount(LAYOUT_GRIDS['6x2']), 12);
  assert.is(boxCount(LAYOUT_GRIDS['12x1']), 12);
});

test('bandsAbove finds runs over threshold x max', () => {
  const profile = Float32Array.from([0, 0.9, 1, 0.2, 0, 0.6, 0.7, 0]);
  assert.equal(bandsAbove(profile, 0.5), [
    [1, 2],
    [5, 6],
  ]);
  assert.equal(bandsAbove(new Float32Array(4), 0.5), []);
});

test('subPixelExtent: ends where the profile crosses the threshold between pixel centres; a hard edge is the pixel edge', () => {
  // Crossing 0.5 between centres 1.5 (0.25) and 2.5 (0.75): 2.0; between 6.5 (1) and 7.5 (0): 7.0.
  const soft = Float32Array.from([0, 0.25, 0.75, 1, 1, 1, 1, 0, 0]);
  assert.equal(subPixelExtent(soft, bandsAbove(soft, 0.5), 0.5), [2, 7]);
  // 0.5 lies 0.8 of the way from 0.9 (centre 4.5) to 0.4 (centre 5.5): 5.3.
  const skewed = Float32Array.from([1, 1, 1, 1, 0.9, 0.4, 0]);
  const [left, right] = subPixelExtent(skewed, bandsAbove(skewed, 0.5), 0.5);
  assert.is(left, 0);
  assert.ok(Math.abs(right - 5.3) < 1e-6, `right ${right}`);
});

test('layoutBands merges a split row across the smallest gap and splits touching rows at the weakest row', () => {
  const split = Float32Array.from([1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
  assert.equal(layoutBands(split, 3, 0.5), [
    [0, 4],
    [8, 9],
    [13, 14],
  ]);
  const touching = Float32Array.from([0, 1, 1, 1, 0.6, 1, 1, 1, 0, 0, 1, 1, 0]);
  assert.equal(layoutBands(touching, 3, 0.5), [
    [1, 4],
    [5, 7],
    [10, 11],
  ]);
});

test('hand-made 3x4 heatmap -> 13 boxes in row-major layout order, at the drawn positions', () => {
  const heatmap = { data: rasterizeBoxes(nominalBoxes(), 48, 64), height: 48, width: 64 };
  const boxes = heatmapToBoxes(heatmap, LAYOUT_GRIDS['3x4']);
  assert.is(boxes.length, 13);
  assert.equal(
    boxes.map((b) => [b.row, b.column]),
    [0, 1, 2].flatMap((r) => [0, 1, 2, 3].map((c) => [r, c])).concat([[3, 0]]),
  );
  const expected = nominalBoxes();
  boxes.forEach((b, i) => {
    const e = expected[i] as Box;
    for (const key of ['y1', 'y2', 'x1', 'x2'] as const) {
      assert.ok(Math.abs(b.box[key] - e[key]) <= 1 / 48 + 1e-6, `box ${i} ${key}: ${b.box[key]} vs ${e[key]}`);
    }
  });
});

test('noisy heatmap (speckle, a soft edge) still gives the rows; empty heatmap gives no boxes', () => {
  const clean = rasterizeBoxes(nominalBoxes(), 48, 64);
  const noise = seededUniform([48, 64], 'roi-noise', 0, 0.3);
  const data = clean.map((v, i) => Math.min(1, 0.7 * v + (noise[i] as number)));
  const boxes = heatmapToBoxes({ data, height: 48, width: 64 }, LAYOUT_GRIDS['3x4']);
  assert.is(boxes.length, 13);
  assert.ok(Math.abs((boxes[12] as { box: Box }).box.y1 - 40 / 48) <= 2 / 48);
  assert.equal(heatmapToBoxes({ data: new Float32Array(48 * 64), height: 48, width: 64 }, LAYOUT_GRIDS['3x4']), []);
});

test('roi model learns box masks with decreasing loss and no leak', () => {
  const spec: RoiSpec = { inputHeight: 16, inputWidth: 24, widths: [4, 8], seed: 5 };
  const model = buildRoi(spec);
  const targets = new Float32Array(4 * 16 * 24);
  const pages = new Float32Array(4 * 16 * 24).fill(1);
  for (let b = 0; b < 4; b++) {
    const y0 = 2 + b;
    const box: Box = { y1: y0 / 16, y2: (y0 + 6) / 16, x1: 2 / 24, x2: 20 / 24 };
    const mask = rasterizeBoxes([box], 16, 24);
    targets.set(mask, b * 16 * 24);
    mask.forEach((m, i) => {
      if (m && i % 3 === 0) pages[b * 16 * 24 + i] = 0;
    });
  }
  const x = tf.tensor4d(pages, [4, 16, 24, 1]);
  const y = tf.tensor4d(targets, [4, 16, 24, 1]);
  const losses = trainSteps(() => tf.tidy(() => roiLoss(outputOf(model, x, { training: true }), y)), trainableVariables(model), 12);
  assertDecreased(losses, 0.8);
  assertNoLeak(() => tf.tidy(() => tf.sigmoid(outputOf(model, x, { training: false }))));
  tf.dispose([x, y]);
  model.dispose();
});

test.run();
