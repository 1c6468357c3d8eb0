/**
 * Per-class decision thresholds on predicted probabilities, chosen on the
 * validation split (never the test split) to maximise each class's
 * one-vs-rest F (the challenge's per-class F, f1.ts). A record is positive
 * for a class when its probability is >= the threshold.
 *
 * For one class: sort the distinct probabilities; every threshold in the gap
 * (v_{k-1}, v_k] makes the same decisions, so each gap is one candidate. The
 * best gaps are found, adjacent best gaps merge into one run, the middle run
 * is taken (the lower of two middles) and the threshold is the middle of
 * that run: it keeps the largest margin to the validation probabilities on
 * both sides.
 *
 * A class with no positive in validation has no F to maximise there. A
 * fixed 0.5 would predict it for whatever share of records happens to pass
 * 0.5, which has nothing to do with the class. Instead, when the training
 * split's prevalence q of the class is known and > 0, the threshold makes
 * the validation split's positive rate match it: the k = max(1, round(q n))
 * highest validation probabilities are positive (threshold halfway between
 * the k-th and the (k+1)-th); the test split is then labelled at the rate
 * the class was trained at. With q = 0 or unknown nothing supports the
 * class, and its threshold is NEVER (1: not predicted unless the model is
 * certain). The Challenge scores only classes present in the test
 * reference, so a class absent there costs nothing either way.
 */
import { CHALLENGE_CLASSES, type ChallengeClass } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { metricsMessages } from '../core/messages.js';
import { vectorLabels } from './f1.js';

/** The threshold of a class that neither validation nor training supports (see the header). */
export const NEVER = 1;

export type Thresholds = Readonly<Record<ChallengeClass, number>>;

/**
 * The F-maximising threshold of one class, from its validation probabilities
 * and 0/1 truth; without validation positives, the prevalence rule of the
 * header (`trainPrevalence` in [0, 1], the class's share of training records).
 */
export function chooseThreshold(probabilities: ArrayLike<number>, truth: ArrayLike<number>, trainPrevalence?: number): number {
  const n = probabilities.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (truth[i] === 1) positives++;
  if (positives === 0) return prevalenceThreshold(probabilities, trainPrevalence ?? 0);

  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (probabilities[b] as number) - (probabilities[a] as number),
  );
  // Gaps from the highest value down: predicting positive for p >= values[k].
  const values: number[] = [];
  const scores: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    const value = probabilities[order[i] as number] as number;
    while (i < n && probabilities[order[i] as number] === value) {
      if (truth[order[i] as number] === 1) tp++;
      else fp++;
      i++;
    }
    values.push(value);
    scores.push((2 * tp) / (2 * tp + fp + (positives - tp)));
  }
  const best = Math.max(...scores);
  const runs: [number, number][] = [];
  scores.forEach((score, k) => {
    if (score !== best) return;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === k - 1) last[1] = k;
    else runs.push([k, k]);
  });
  // Runs are in descending probability; take the middle one in ascending order.
  const [first, last] = runs[runs.length - 1 - Math.floor((runs.length - 1) / 2)] as [number, number];
  const upper = values[first] as number;
  const lowest = values[values.length - 1] as number;
  const lower = last + 1 < values.length ? (values[last + 1] as number) : Math.min(0, lowest);
  return (upper + lower) / 2;
}

/** The threshold that labels the top max(1, round(q n)) of `probabilities` positive; NEVER when q = 0 or n = 0. */
function prevalenceThreshold(probabilities: ArrayLike<number>, prevalence: number): number {
  const n = probabilities.length;
  if (!(prevalence > 0) || n === 0) return NEVER;
  const sorted = Array.from(probabilities).sort((a, b) => b - a);
  const k = Math.min(n, Math.max(1, Math.round(prevalence * n)));
  const lowestPositive = sorted[k - 1] as number;
  const highestNegative = k < n ? (sorted[k] as number) : Math.min(0, lowestPositive);
  return (lowestPositive + highestNegative) / 2;
}

/**
 * Thresholds for every challenge class from validation probabilities and 0/1
 * truth, both one row per record in CHALLENGE_CLASSES order; `trainPrevalence`
 * (per class, CHALLENGE_CLASSES order) feeds the rule for classes without
 * validation positives.
 */
export function chooseThresholds(
  probabilities: readonly ArrayLike<number>[],
  truth: readonly ArrayLike<number>[],
  trainPrevalence?: ArrayLike<number>,
): Thresholds {
  if (probabilities.length !== truth.length) {
    throw new EcgError('METRIC_INVALID', metricsMessages.lengthMismatch('chooseThresholds', truth.length, probabilities.length));
  }
  probabilities.forEach((row, r) => checkProbabilities(row, `probability row ${r}`));
  truth.forEach((row, r) => vectorLabels(row, `truth row ${r}`));
  const thresholds = {} as Record<ChallengeClass, number>;
  CHALLENGE_CLASSES.forEach((cls, k) => {
    thresholds[cls] = chooseThreshold(
      probabilities.map((row) => row[k] as number),
      truth.map((row) => row[k] as number),
      trainPrevalence?.[k],
    );
  });
  return thresholds;
}

/** Each class's share of `truth` rows (0/1, CHALLENGE_CLASSES order): the training prevalence of the rule above. */
export function prevalence(truth: readonly ArrayLike<number>[]): Float64Array {
  const share = new Float64Array(CHALLENGE_CLASSES.length);
  for (const row of truth) for (let k = 0; k < share.length; k++) share[k] = (share[k] as number) + ((row[k] as number) === 1 ? 1 : 0);
  return share.map((count) => (truth.length > 0 ? count / truth.length : 0));
}

/** Labels per record: the classes whose probability is >= their threshold. */
export function applyThresholds(probabilities: readonly ArrayLike<number>[], thresholds: Thresholds): ChallengeClass[][] {
  return probabilities.map((row, r) => {
    checkProbabilities(row, `probability row ${r}`);
    return CHALLENGE_CLASSES.filter((cls, k) => (row[k] as number) >= thresholds[cls]);
  });
}

/** Metric names for logging the chosen thresholds with the run: `threshold/<class>`. */
export function thresholdMetrics(thresholds: Thresholds): Record<string, number> {
  return Object.fromEntries(CHALLENGE_CLASSES.map((cls) => [`threshold/${cls}`, thresholds[cls]]));
}

function checkProbabilities(row: ArrayLike<number>, where: string): void {
  if (row.length !== CHALLENGE_CLASSES.length) {
    throw new EcgError('METRIC_INVALID', metricsMessages.badVectorWidth(where, row.length, CHALLENGE_CLASSES.length));
  }
  for (let k = 0; k < row.length; k++) {
    const value = row[k] as number;
    if (!Number.isFinite(value)) throw new EcgError('METRIC_INVALID', metricsMessages.notFinite(`${where}, ${CHALLENGE_CLASSES[k]}`, value));
  }
}
