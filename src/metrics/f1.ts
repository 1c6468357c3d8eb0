/**
 * The PhysioNet Challenge 2024 classification score (helper_code.py
 * `compute_f_measure`, September 2024): the classes scored are those present
 * in the reference over all records; predicted labels outside them are
 * ignored; per class, one-vs-rest over records, F = 2TP / (2TP + FP + FN),
 * NaN when that denominator is 0; macro F is the NaN-ignoring mean (NaN when
 * no class has a finite F). A record without a prediction counts as all
 * negatives. evaluate_model.py leaves out records whose reference has no
 * label before scoring; callers do the same for unlabelled records.
 */
import { CHALLENGE_CLASSES, isChallengeClass, type ChallengeClass } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { metricsMessages } from '../core/messages.js';

export interface FMeasure {
  readonly macro: number;
  /** F per scored class; NaN where 2TP + FP + FN = 0. */
  readonly perClass: Readonly<Partial<Record<ChallengeClass, number>>>;
  /** In CHALLENGE_CLASSES order. */
  readonly classesScored: readonly ChallengeClass[];
}

export interface FMeasureOptions {
  /**
   * Score exactly these classes instead of those present in the reference
   * (e.g. the same columns across noise levels); a class absent from both
   * reference and prediction is then NaN and left out of the macro mean.
   */
  readonly classes?: readonly ChallengeClass[];
}

/** Macro F over label lists, one list per record; `undefined` = no prediction. */
export function macroFMeasure(
  reference: readonly (readonly string[])[],
  predicted: readonly (readonly string[] | undefined)[],
  options: FMeasureOptions = {},
): FMeasure {
  if (reference.length !== predicted.length) {
    throw new EcgError('METRIC_INVALID', metricsMessages.lengthMismatch('macroFMeasure', reference.length, predicted.length));
  }
  const truth = reference.map((labels, r) => labelSet(labels, `reference of record ${r}`));
  const guess = predicted.map((labels, r) => labelSet(labels ?? [], `prediction of record ${r}`));
  const present = new Set(truth.flatMap((labels) => [...labels]));
  const classesScored = CHALLENGE_CLASSES.filter((c) => (options.classes ?? [...present]).includes(c));

  const perClass: Partial<Record<ChallengeClass, number>> = {};
  for (const cls of classesScored) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((labels, r) => {
      const isTrue = labels.has(cls);
      const isPredicted = (guess[r] as Set<ChallengeClass>).has(cls);
      if (isTrue && isPredicted) tp++;
      else if (isPredicted) fp++;
      else if (isTrue) fn++;
    });
    const denominator = 2 * tp + fp + fn;
    perClass[cls] = denominator > 0 ? (2 * tp) / denominator : NaN;
  }
  return { macro: nanMean(classesScored.map((c) => perClass[c] as number)), perClass, classesScored };
}

/**
 * Macro F over 0/1 vectors in CHALLENGE_CLASSES order, one per record
 * (e.g. `labelVector` rows); `undefined` = no prediction.
 */
export function macroFMeasureFromVectors(
  reference: readonly ArrayLike<number>[],
  predicted: readonly (ArrayLike<number> | undefined)[],
  options: FMeasureOptions = {},
): FMeasure {
  return macroFMeasure(
    reference.map((row, r) => vectorLabels(row, `reference row ${r}`)),
    predicted.map((row, r) => (row === undefined ? undefined : vectorLabels(row, `predicted row ${r}`))),
    options,
  );
}

/** Metric names as ecg-lab logs them: `f1/macro`, `f1/<class>` with the class name exactly. */
export function fMeasureMetrics(result: FMeasure): Record<string, number> {
  const metrics: Record<string, number> = { 'f1/macro': result.macro };
  for (const cls of result.classesScored) metrics[`f1/${cls}`] = result.perClass[cls] as number;
  return metrics;
}

/** Labels of a 0/1 vector in CHALLENGE_CLASSES order. */
export function vectorLabels(row: ArrayLike<number>, where: string): ChallengeClass[] {
  if (row.length !== CHALLENGE_CLASSES.length) {
    throw new EcgError('METRIC_INVALID', metricsMessages.badVectorWidth(where, row.length, CHALLENGE_CLASSES.length));
  }
  const labels: ChallengeClass[] = [];
  CHALLENGE_CLASSES.forEach((cls, k) => {
    const value = row[k] as number;
    if (value !== 0 && value !== 1) {
      throw new EcgError('METRIC_INVALID', metricsMessages.notBinary(`${where}, ${cls}`, value));
    }
    if (value === 1) labels.push(cls);
  });
  return labels;
}

export function nanMean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  return count > 0 ? sum / count : NaN;
}

function labelSet(labels: readonly string[], where: string): Set<ChallengeClass> {
  const set = new Set<ChallengeClass>();
  for (const label of labels) {
    if (!isChallengeClass(label)) {
      throw new EcgError('METRIC_INVALID', metricsMessages.unknownClass(label, where, CHALLENGE_CLASSES));
    }
    set.add(label);
  }
  return set;
}
