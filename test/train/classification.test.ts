/**
 * Scoring a classifier (src/train/stages/classification.ts): unlabelled
 * records are left out of the threshold choice and of the test score, as
 * the Challenge's evaluate_model.py leaves them out, and a class without
 * validation positives gets its threshold from the training prevalence.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHALLENGE_CLASSES, type ChallengeClass } from '../../src/core/ecg.js';
import { NEVER } from '../../src/metrics/index.js';
import { labelledOnly, scoreClassifier, trainPrevalence } from '../../src/train/stages/classification.js';

/** A probability row: `p` for the named classes, 0.05 elsewhere. */
function row(p: Partial<Record<ChallengeClass, number>>): Float32Array {
  return Float32Array.from(CHALLENGE_CLASSES, (c) => p[c] ?? 0.05);
}

const VAL = {
  probabilities: [row({ NORM: 0.9, 'AFIB/AFL': 0.6 }), row({ NORM: 0.1, STTC: 0.8, 'AFIB/AFL': 0.2 }), row({ NORM: 0.95, STTC: 0.7 })],
  labels: [['NORM'], ['STTC'], []] as ChallengeClass[][],
};
const TEST = {
  probabilities: [row({ NORM: 0.9 }), row({ NORM: 0.9 }), row({ STTC: 0.9 })],
  labels: [['NORM'], [], ['STTC']] as ChallengeClass[][],
};
// Four labelled training records, one with AFIB/AFL (q = 0.25); the unlabelled one does not count.
const TRAIN: ChallengeClass[][] = [['NORM'], ['STTC'], ['AFIB/AFL'], ['NORM'], []];

test('the unlabelled validation record does not move a threshold; the unlabelled test record is not a false positive', () => {
  const score = scoreClassifier(VAL, TEST, TRAIN);
  // NORM on the labelled records: positive 0.9, negative 0.1, so the middle of the gap; the unlabelled 0.95 would have pushed it above 0.9.
  assert.ok(Math.abs(score.thresholds.NORM - 0.5) < 1e-6, `NORM ${score.thresholds.NORM}`);
  assert.ok(Math.abs(score.thresholds.STTC - 0.425) < 1e-6, `STTC ${score.thresholds.STTC}`);
  // Test: NORM and STTC each found once, no false positive: F = 1 for both.
  assert.is(score.test.macro, 1);
  assert.equal(score.test.classesScored, ['NORM', 'STTC']);
});

test('a class without validation positives: training prevalence 0.25 of 2 validation records labels the top 1 (threshold between 0.6 and 0.2)', () => {
  const score = scoreClassifier(VAL, TEST, TRAIN);
  assert.ok(Math.abs(score.thresholds['AFIB/AFL'] - 0.4) < 1e-6, `AFIB/AFL ${score.thresholds['AFIB/AFL']}`);
  // Never seen in training either: nothing supports it.
  assert.is(score.thresholds.BRADY, NEVER);
  const prevalence = trainPrevalence(TRAIN);
  assert.is(prevalence[CHALLENGE_CLASSES.indexOf('AFIB/AFL')], 0.25);
  assert.is(prevalence[CHALLENGE_CLASSES.indexOf('NORM')], 0.5);
});

test('labelledOnly keeps the records with a label, in order', () => {
  const kept = labelledOnly(TEST);
  assert.equal(kept.labels, [['NORM'], ['STTC']]);
  assert.is(kept.probabilities[1], TEST.probabilities[2]);
});

test.run();
