/**
 * Scoring a classifier the challenge's way (src/metrics): thresholds chosen
 * on the validation split, F1 on the test split, and the best constant
 * predictor's F1 beside it (always predicting every class: a class's F is
 * then 2P / (2P + N), never predicting it scores 0), so that "it learns"
 * has a yardstick.
 */
import { CHALLENGE_CLASSES, type ChallengeClass } from '../../core/ecg.js';
import {
  applyThresholds,
  chooseThresholds,
  fMeasureMetrics,
  macroFMeasure,
  thresholdMetrics,
  type FMeasure,
  type Thresholds,
} from '../../metrics/index.js';
import type { StageContext } from '../stage.js';

/** 0/1 rows in CHALLENGE_CLASSES order. */
export function labelRows(labels: readonly (readonly ChallengeClass[])[]): Float32Array[] {
  return labels.map((l) => Float32Array.from(CHALLENGE_CLASSES, (c) => (l.includes(c) ? 1 : 0)));
}

export interface SplitProbabilities {
  readonly probabilities: readonly Float32Array[];
  readonly labels: readonly (readonly ChallengeClass[])[];
}

export interface ClassifierScore {
  readonly thresholds: Thresholds;
  readonly test: FMeasure;
  readonly constant: FMeasure;
}

/** Thresholds on `val`, F1 on `test`. */
export function scoreClassifier(val: SplitProbabilities, test: SplitProbabilities): ClassifierScore {
  const thresholds = chooseThresholds(val.probabilities, labelRows(val.labels));
  const predicted = applyThresholds(test.probabilities, thresholds);
  return {
    thresholds,
    test: macroFMeasure(test.labels, predicted),
    constant: macroFMeasure(test.labels, test.labels.map(() => [...CHALLENGE_CLASSES])),
  };
}

/** Validation macro F1 with thresholds chosen on the same split: the early-stopping signal (optimistic, never reported as a score). */
export function validationF1(val: SplitProbabilities): number {
  const thresholds = chooseThresholds(val.probabilities, labelRows(val.labels));
  return macroFMeasure(val.labels, applyThresholds(val.probabilities, thresholds)).macro;
}

/**
 * Log a score: `f1/macro`, `f1/<class>`, `threshold/<class>` and
 * `f1/constant_macro` when `prefix` is empty (the cell's reported figures),
 * else the same under `<prefix>/`.
 */
export function logClassifierScore(ctx: StageContext, score: ClassifierScore, prefix = ''): void {
  const p = prefix ? `${prefix}/` : '';
  for (const [name, value] of Object.entries(fMeasureMetrics(score.test))) ctx.metrics.log(`${p}${name}`, value);
  for (const [name, value] of Object.entries(thresholdMetrics(score.thresholds))) ctx.metrics.log(`${p}${name}`, value);
  ctx.metrics.log(`${p}f1/constant_macro`, score.constant.macro);
}
