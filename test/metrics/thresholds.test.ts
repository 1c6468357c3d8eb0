import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHALLENGE_CLASSES } from '../../src/core/ecg.js';
import { isEcgError } from '../../src/core/errors.js';
import { applyThresholds, chooseThreshold, chooseThresholds, NEVER, prevalence, thresholdMetrics } from '../../src/metrics/thresholds.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} is not ${b}`);

test('separable validation data: the middle of the gap between negatives and positives', () => {
  close(chooseThreshold([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]), 0.55);
});

test('best F not at a gap of perfect separation: F per candidate worked out by hand', () => {
  // p >= 0.9: F 2/3; >= 0.6: 2/4; >= 0.5: 4/5 (best); >= 0.2: 4/6. Best gap (0.2, 0.5] -> 0.35.
  close(chooseThreshold([0.9, 0.6, 0.5, 0.2], [1, 0, 1, 0]), 0.35);
});

test('the best gap may be the lowest: everything positive, threshold halfway to 0', () => {
  // Positives 0.9, 0.5, 0.1, negatives 0.7, 0.3: p >= 0.9: 2/4; >= 0.7: 2/5; >= 0.5: 4/6; >= 0.3: 4/7; >= 0.1: 6/8 (best).
  close(chooseThreshold([0.9, 0.7, 0.5, 0.3, 0.1], [1, 0, 1, 0, 1]), 0.05);
});

test('equal best F in separate gaps: the middle one (the lower of two)', () => {
  // Positives 0.9, 0.3, negatives 0.5, 0.4 (P = 2): p >= 0.9: 2/3; >= 0.5: 2/4; >= 0.4: 2/5; >= 0.3: 4/6 = 2/3.
  // Best gaps (0.5, 0.9] and (0, 0.3]; in ascending order the lower middle is (0, 0.3] -> 0.15.
  close(chooseThreshold([0.9, 0.5, 0.4, 0.3], [1, 0, 0, 1]), 0.15);
});

test('no validation positives: the training prevalence sets the positive rate; none anywhere: never predicted', () => {
  const p = [0.9, 0.2, 0.7, 0.4, 0.1, 0.35, 0.05, 0.3, 0.6, 0.15];
  // q = 0.2 of 10 records: the top 2 (0.9, 0.7) positive, threshold halfway to the third (0.6).
  close(chooseThreshold(p, new Array(10).fill(0), 0.2), 0.65);
  // A tiny prevalence still predicts the single most likely record.
  close(chooseThreshold(p, new Array(10).fill(0), 0.01), 0.8);
  // Every record: halfway below the lowest, down to 0.
  close(chooseThreshold(p, new Array(10).fill(0), 1), 0.025);
  assert.is(chooseThreshold(p, new Array(10).fill(0), 0), NEVER);
  assert.is(chooseThreshold(p, new Array(10).fill(0)), NEVER);
  assert.is(chooseThreshold([], [], 0.3), NEVER);
  // With validation positives the prevalence is not used.
  close(chooseThreshold([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0], 0.01), 0.55);
});

test('prevalence: each class\'s share of the rows', () => {
  const rows = [new Float32Array(11), new Float32Array(11), new Float32Array(11), new Float32Array(11)];
  rows[0]![0] = 1;
  rows[1]![0] = 1;
  rows[2]![3] = 1;
  const q = prevalence(rows);
  assert.is(q[0], 0.5);
  assert.is(q[3], 0.25);
  assert.is(q[5], 0);
  assert.is(prevalence([])[0], 0);
});

test('thresholds come from the validation rows only and are applied with >=', () => {
  const k = CHALLENGE_CLASSES.indexOf('AFIB/AFL');
  const row = (p: number) => new Float32Array(11).map((_, i) => (i === k ? p : 0.1));
  const truth = (y: number) => new Float32Array(11).map((_, i) => (i === k ? y : 0));
  const validation = [row(0.75), row(0.25), row(0.6), row(0.5)];
  const thresholds = chooseThresholds(validation, [truth(1), truth(0), truth(1), truth(0)]);
  close(thresholds['AFIB/AFL'], Math.fround(0.55));
  assert.is(thresholds.NORM, NEVER);
  // Test rows are only thresholded: 0.52 would have been positive under a threshold tuned on them.
  const labels = applyThresholds([row(0.52), row(0.56)], thresholds);
  assert.equal(labels, [[], ['AFIB/AFL']]);
  assert.is(Object.keys(thresholdMetrics(thresholds)).length, 11);
  assert.throws(() => chooseThresholds([row(NaN)], [truth(1)]), (e: unknown) => isEcgError(e, 'METRIC_INVALID'));
});

test.run();
