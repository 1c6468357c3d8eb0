import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import {
  buildDigitizer,
  digitizerLoss,
  type DigitizerSpec,
  medianRow,
  rowsToMillivolts,
  softArgmaxRows,
} from '../../src/models/digitizer.js';
import { columnTargets, cropPxPerMv, pageYToCropRow, type CropGeometry } from '../../src/page/crop-geometry.js';
import { placementMatrix, resampleColumns } from '../../src/models/leads/columns-to-samples.js';
import { outputOf } from '../../src/models/forward.js';
import { trainableVariables } from '../../src/models/variables.js';
import { createRng } from '../../src/core/rng.js';
import { assertDecreased, assertNoLeak, trainSteps, useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const H = 16;
const W = 24;

/** Crops with a dark 1-px trace at row rows[b][c] on white paper, plus faint grid rows. */
function lineCrops(count: number, seed: string): { pixels: Float32Array; rows: Float32Array } {
  const rng = createRng(seed);
  const pixels = new Float32Array(count * H * W).fill(1);
  const rows = new Float32Array(count * W);
  for (let b = 0; b < count; b++) {
    const centre = rng.uniform(5, 10);
    const amplitude = rng.uniform(1, 4);
    const period = rng.uniform(8, 20);
    for (let c = 0; c < W; c++) {
      const row = Math.round(centre + amplitude * Math.sin((2 * Math.PI * c) / period));
      rows[b * W + c] = row;
      for (let r = 0; r < H; r += 5) pixels[(b * H + r) * W + c] = 0.8;
      pixels[(b * H + row) * W + c] = 0;
    }
  }
  return { pixels, rows };
}

test('soft-argmax of a hand-set logit map reads the peak row per column', () => {
  const rows = [3, 7.5, 12, 0];
  assertNoLeak(() =>
    tf.tidy(() => {
      const logits = new Float32Array(H * rows.length);
      rows.forEach((row, c) => {
        for (let r = 0; r < H; r++) logits[r * rows.length + c] = -20 * (r - row) ** 2;
      });
      const read = softArgmaxRows(tf.tensor4d(logits, [1, H, rows.length, 1])).dataSync();
      rows.forEach((row, c) => assert.ok(Math.abs((read[c] as number) - row) < 1e-3, `column ${c}: ${read[c]} vs ${row}`));
      return [];
    }),
  );
});

test('rows -> mV is (baselineRow - row) / pxPerMv per crop', () => {
  const mv = tf.tidy(() =>
    rowsToMillivolts(tf.tensor2d([[10, 6, 14], [5, 5, 0]]), tf.tensor1d([10, 5]), tf.tensor1d([4, 2.5])).arraySync(),
  );
  assert.equal(mv, [
    [0, 1, -1],
    [0, 0, 2],
  ]);
});

test('digitizer loss ignores masked columns and is lower for the right row', () => {
  tf.tidy(() => {
    const logits = new Float32Array(H * 2);
    for (let r = 0; r < H; r++) logits[r * 2] = -((r - 4) ** 2);
    const x = tf.tensor4d(logits, [1, H, 2, 1]);
    const mask = tf.tensor2d([[1, 0]]);
    const right = digitizerLoss(x, tf.tensor2d([[4, 0]]), mask).dataSync()[0] as number;
    const maskedChanged = digitizerLoss(x, tf.tensor2d([[4, 15]]), mask).dataSync()[0] as number;
    const wrong = digitizerLoss(x, tf.tensor2d([[9, 0]]), mask).dataSync()[0] as number;
    assert.ok(Math.abs(right - maskedChanged) < 1e-6);
    assert.ok(wrong > right + 1);
  });
});

test('a tiny digitizer trained a few dozen steps recovers a drawn line (mean error < 1 px), no leak', () => {
  const spec: DigitizerSpec = { inputHeight: H, inputWidth: null, widths: [6, 6], seed: 7 };
  const model = buildDigitizer(spec);
  const train = lineCrops(6, 'digitizer-train');
  const x = tf.tensor4d(train.pixels, [6, H, W, 1]);
  const rows = tf.tensor2d(train.rows, [6, W]);
  const mask = tf.ones([6, W]) as tf.Tensor2D;
  const losses = trainSteps(
    () => tf.tidy(() => digitizerLoss(outputOf(model, x, { training: true }), rows, mask)),
    trainableVariables(model),
    30,
    3e-2,
  );
  assertDecreased(losses, 0.5);
  const heldOut = lineCrops(4, 'digitizer-test');
  const error = tf.tidy(() => {
    const read = softArgmaxRows(outputOf(model, tf.tensor4d(heldOut.pixels, [4, H, W, 1]), { training: false }));
    return tf.mean(tf.abs(tf.sub(read, tf.tensor2d(heldOut.rows, [4, W])))).dataSync()[0] as number;
  });
  assert.ok(error < 1, `mean row error ${error} px`);
  assertNoLeak(() => tf.tidy(() => softArgmaxRows(outputOf(model, x, { training: false }))));
  tf.dispose([x, rows, mask]);
  model.dispose();
});

test('the digitizer takes any width divisible by its stride', () => {
  const model = buildDigitizer({ inputHeight: H, inputWidth: null, widths: [4, 4], seed: 1 });
  tf.tidy(() => {
    assert.equal(outputOf(model, tf.zeros([1, H, 10, 1]), { training: false }).shape, [1, H, 10, 1]);
    assert.equal(outputOf(model, tf.zeros([2, H, 40, 1]), { training: false }).shape, [2, H, 40, 1]);
  });
  model.dispose();
});

const GEOMETRY: CropGeometry = {
  box: { y1: 0.25, x1: 0.1, y2: 0.75, x2: 0.9 },
  pageHeight: 101,
  pageWidth: 201,
  cropHeight: 51,
  cropWidth: 161,
};

test('crop geometry follows cropAndResize: page row 25 is crop row 0, row 75 the last; pxPerMv scales', () => {
  assert.is(pageYToCropRow(GEOMETRY, 25), 0);
  assert.is(pageYToCropRow(GEOMETRY, 75), 50);
  assert.is(cropPxPerMv(GEOMETRY, 10), 10);
  assert.is(cropPxPerMv({ ...GEOMETRY, cropHeight: 26 }, 10), 5);
});

test('column targets interpolate the trace between samples and mask columns without ground truth', () => {
  // Page x of crop column c is 20 + c; samples every 2 px from x = 40, y rising 1 px per sample, one NaN sample.
  const xs = Float32Array.from({ length: 20 }, (_, i) => 40 + 2 * i);
  const ys = Float32Array.from({ length: 20 }, (_, i) => (i === 10 ? Number.NaN : 30 + i));
  const { rows, mask } = columnTargets(GEOMETRY, xs, ys);
  assert.is(mask[19], 0, 'before the first sample');
  assert.is(mask[20], 1);
  assert.ok(Math.abs((rows[20] as number) - 5) < 1e-4, `row ${rows[20]}`);
  assert.ok(Math.abs((rows[21] as number) - 5.5) < 1e-4, 'halfway between samples');
  assert.is(mask[40], 0, 'NaN sample');
  assert.is(mask[59], 0, 'after the last sample');
});

test('placement: linear interpolation between column centres, zero and uncovered outside the span', () => {
  // 4 columns over 1 s from 0.5 s; 8 Hz on a 2 s grid of 16 samples.
  const p = placementMatrix({ columns: 4, startS: 0.5, durationS: 1, fsHz: 8, length: 16 });
  const series = [0, 1, 2, 3];
  const out = Array.from({ length: 16 }, (_, k) => series.reduce((s, v, j) => s + v * (p.matrix[j * 16 + k] as number), 0));
  assert.equal(Array.from(p.coverage), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  // sample k = 4 + i sits at column coordinate u = i / 2 - 0.5.
  const expected = [0, 0, 0.5, 1, 1.5, 2, 2.5, 3];
  expected.forEach((v, i) => assert.ok(Math.abs((out[4 + i] as number) - v) < 1e-6, `sample ${4 + i}: ${out[4 + i]} vs ${v}`));
  assert.is(out[0], 0);
  assert.is(out[15], 0);
});

test('placementMatrix with columnStepS = 1 / fs: column j is sample startS fs + j, read exactly', () => {
  const p = placementMatrix({ columns: 8, startS: 0.5, durationS: 0.5, fsHz: 10, length: 12, columnStepS: 0.1 });
  const series = [3, -1, 4, 1, -5, 9, 2, 6];
  const out = Array.from({ length: 12 }, (_, k) => series.reduce((s, v, j) => s + v * (p.matrix[j * 12 + k] as number), 0));
  // Samples 5..9 (0.5 s to 0.9 s) are columns 0..4; columns 5..7 lie past the span and are not placed.
  assert.equal(Array.from(p.coverage), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]);
  [3, -1, 4, 1, -5].forEach((v, i) => assert.ok(Math.abs((out[5 + i] as number) - v) < 1e-9, `sample ${5 + i}: ${out[5 + i]} vs ${v}`));
});

test('resampleColumns is differentiable and keeps a constant constant when downsampling', () => {
  const series = tf.variable(tf.fill([1, 40], 2)) as tf.Variable<tf.Rank.R2>;
  const { value, grads } = tf.variableGrads(() => tf.sum(resampleColumns(series, { startS: 0, durationS: 1, fsHz: 10, length: 10 })) as tf.Scalar, [series]);
  const out = tf.tidy(() => resampleColumns(series, { startS: 0, durationS: 1, fsHz: 10, length: 10 }));
  assert.ok(Array.from(out.dataSync()).every((v) => Math.abs(v - 2) < 1e-5));
  assert.ok(Math.abs((tf.sum(grads[series.name] as tf.Tensor).dataSync()[0] as number) - 10) < 1e-4);
  tf.dispose([value, out, series, ...Object.values(grads)]);
});

test('medianRow: the baseline of a lead that sits on its isoelectric line, ignoring NaN', () => {
  assert.is(medianRow(Float32Array.from([10, 10, 2, 10, 11, Number.NaN])), 10);
  assert.is(medianRow(Float32Array.from([1, 3])), 2);
  assert.ok(Number.isNaN(medianRow(new Float32Array(0))));
});

test.run();
