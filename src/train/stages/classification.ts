/**
 * Scoring a classifier the challenge's way (src/metrics): thresholds chosen
 * on the validation split, F1 on the test split, and the best constant
 * predictor's F1 beside it (always predicting every class: a class's F is
 * then 2P / (2P + N), never predicting it scores 0), so that "it learns"
 * has a yardstick.
 *
 * Records whose reference has no label are left out of both the threshold
 * choice and the score, as the Challenge's evaluate_model.py leaves them out;
 * a class without validation positives gets its threshold from the training
 * prevalence (metrics/thresholds.ts), over the labelled training records.
 */
import { CHALLENGE_CLASSES, type ChallengeClass } from '../../core/ecg.js';
import {
  applyThresholds,
  chooseThresholds,
  fMeasureMetrics,
  macroFMeasure,
  prevalence,
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

/** A split's probabilities with the records they belong to (same order). */
export interface RecordProbabilities extends SplitProbabilities {
  readonly records: readonly string[];
}

export interface ClassifierScore {
  readonly thresholds: Thresholds;
  readonly test: FMeasure;
  readonly constant: FMeasure;
}

/** The records of `split` whose reference has at least one label (evaluate_model.py drops the others). */
export function labelledOnly(split: SplitProbabilities): SplitProbabilities {
  const keep = split.labels.flatMap((l, i) => (l.length > 0 ? [i] : []));
  return { probabilities: keep.map((i) => split.probabilities[i] as Float32Array), labels: keep.map((i) => split.labels[i] as readonly ChallengeClass[]) };
}

/** Each class's share of the labelled training records (CHALLENGE_CLASSES order): the threshold rule's and weighted-bce's q. */
export function trainPrevalence(trainLabels: readonly (readonly ChallengeClass[])[]): Float64Array {
  return prevalence(labelRows(trainLabels.filter((l) => l.length > 0)));
}

/** Thresholds on `val` (training prevalence for classes without validation positives), F1 on `test`; unlabelled records left out of both. */
export function scoreClassifier(val: SplitProbabilities, test: SplitProbabilities, trainLabels: readonly (readonly ChallengeClass[])[]): ClassifierScore {
  const v = labelledOnly(val);
  const t = labelledOnly(test);
  const thresholds = chooseThresholds(v.probabilities, labelRows(v.labels), trainPrevalence(trainLabels));
  const predicted = applyThresholds(t.probabilities, thresholds);
  return {
    thresholds,
    test: macroFMeasure(t.labels, predicted),
    constant: macroFMeasure(t.labels, t.labels.map(() => [...CHALLENGE_CLASSES])),
  };
}

/** Validation macro F1 with thresholds chosen on the same split: the early-stopping signal (optimistic, never reported as a score). */
export function validationF1(val: SplitProbabilities): number {
  const v = labelledOnly(val);
  const thresholds = chooseThresholds(v.probabilities, labelRows(v.labels));
  return macroFMeasure(v.labels, applyThresholds(v.probabilities, thresholds)).macro;
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
