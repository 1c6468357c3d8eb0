import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labelVector } from '../../src/core/ecg.js';
import { isEcgError } from '../../src/core/errors.js';
import { fMeasureMetrics, macroFMeasure, macroFMeasureFromVectors } from '../../src/metrics/f1.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} is not ${b}`);

test('all-negative classifier: F = 0 for every class present, macro 0', () => {
  const result = macroFMeasure([['NORM'], ['AFIB/AFL'], ['NORM', 'PVC']], [[], [], undefined]);
  assert.equal(result.classesScored, ['NORM', 'PVC', 'AFIB/AFL']);
  assert.equal(result.perClass, { NORM: 0, PVC: 0, 'AFIB/AFL': 0 });
  assert.is(result.macro, 0);
});

test('predicted labels outside the reference\'s classes are ignored', () => {
  const result = macroFMeasure([['NORM'], ['CD']], [['NORM', 'STTC'], ['CD', 'HYP', 'BRADY']]);
  assert.equal(result.classesScored, ['NORM', 'CD']);
  assert.is(result.macro, 1);
  assert.is(result.perClass.STTC, undefined);
});

test('hand-computed 3-class example', () => {
  // NORM: TP r1, FP r2, FN r5 -> 2/4. CD: TP r3, FN r2, FP r4 -> 2/4. STTC: TP r4, FN r3 -> 2/3.
  const reference = [['NORM'], ['CD'], ['CD', 'STTC'], ['STTC'], ['NORM']];
  const predicted = [['NORM'], ['NORM'], ['CD'], ['STTC', 'CD'], []];
  const result = macroFMeasure(reference, predicted);
  assert.equal(result.classesScored, ['NORM', 'STTC', 'CD']);
  close(result.perClass.NORM as number, 0.5);
  close(result.perClass.CD as number, 0.5);
  close(result.perClass.STTC as number, 2 / 3);
  close(result.macro, 5 / 9);
  const metrics = fMeasureMetrics(result);
  close(metrics['f1/macro'] as number, 5 / 9);
  close(metrics['f1/STTC'] as number, 2 / 3);
  // The same through 0/1 vectors in CHALLENGE_CLASSES order.
  const vectors = macroFMeasureFromVectors(
    reference.map((r) => labelVector(r as never)),
    predicted.map((r) => labelVector(r as never)),
  );
  assert.equal(vectors, result);
});

test('a class with 2TP + FP + FN = 0 is NaN and left out of the macro mean', () => {
  const result = macroFMeasure([['NORM'], ['CD']], [['NORM'], []], { classes: ['NORM', 'CD', 'BRADY'] });
  assert.ok(Number.isNaN(result.perClass.BRADY as number));
  close(result.macro, (1 + 0) / 2);
});

test('no class scored: macro NaN', () => {
  assert.ok(Number.isNaN(macroFMeasure([[], []], [['NORM'], []]).macro));
});

test('names are exact: unknown or miscased labels and bad vectors are refused', () => {
  const invalid = (e: unknown) => isEcgError(e, 'METRIC_INVALID');
  assert.throws(() => macroFMeasure([['norm']], [[]]), invalid);
  assert.throws(() => macroFMeasure([['NORM']], [['AFIB']]), invalid);
  assert.throws(() => macroFMeasure([['NORM']], []), invalid);
  assert.throws(() => macroFMeasureFromVectors([new Float32Array(11).fill(0.5)], [undefined]), invalid);
  assert.throws(() => macroFMeasureFromVectors([new Float32Array(10)], [undefined]), invalid);
});

test.run();
