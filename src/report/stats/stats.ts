/**
 * The statistics a reviewer asks of an ablation table, as pure functions over
 * plain arrays: a mean with its 95% confidence interval (Student t over seeds,
 * or a percentile bootstrap over records), and for two arms measured on the
 * same seeds the paired difference with its CI, a paired t-test, an exact
 * Wilcoxon signed-rank test (for the small n of seed replicates) and an
 * effect size.
 *
 * Definitions (as scipy.stats 1.17 computes them; test/report/stats.test.ts
 * holds scipy's values):
 *   mean ± t(0.975, n-1) s / sqrt(n), s the sample standard deviation (n-1);
 *   paired t = mean(d) / (s_d / sqrt(n)), d = a - b, two-sided p from the t
 *     distribution with n-1 degrees of freedom (ttest_rel);
 *   Wilcoxon: W = the smaller of the signed-rank sums, zero differences
 *     dropped, exact two-sided p = P(W' <= W) x 2 under the 2^n equally
 *     likely sign assignments (wilcoxon, method 'exact'; ties in |d| get
 *     average ranks and the exact distribution is then approximate);
 *   effect size d_z = mean(d) / s_d (Cohen's d for paired samples);
 *   bootstrap: B resamples of the records with replacement, the 2.5% and
 *     97.5% percentiles of the resampled statistic (seeded, so
 *     reproducible); paired when two statistics share their records
 *     (bootstrapCi: the same indices for both).
 * n < 2 gives NaN for everything that needs a spread: a report then says
 * n = 1 instead of a number.
 */
import { createRng } from '../../core/rng.js';

export interface MeanCi {
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
  /** 95% interval; NaN when n < 2. */
  readonly low: number;
  readonly high: number;
}

export interface PairedComparison {
  readonly n: number;
  /** mean(a - b) with its 95% t interval. */
  readonly difference: MeanCi;
  readonly t: number;
  readonly tP: number;
  readonly wilcoxonW: number;
  readonly wilcoxonP: number;
  /** Cohen's d_z. */
  readonly effectSize: number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** ln Gamma (Lanczos, g = 7, 9 terms; about 15 digits for x > 0). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz; Numerical Recipes 6.4, betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / clamp(1 + even * d);
    c = clamp(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / clamp(1 + odd * d);
    c = clamp(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The q-quantile of Student's t (bisection on the CDF to 1e-12). */
export function studentTQuantile(q: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and 95% Student-t interval over replicates (seeds). */
export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  const m = n > 0 ? mean(values) : Number.NaN;
  const sd = sampleSd(values);
  if (n < 2) return { n, mean: m, sd, low: Number.NaN, high: Number.NaN };
  const half = studentTQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean: m, sd, low: m - half, high: m + half };
}

/** Exact two-sided Wilcoxon signed-rank test of the paired differences `d` (zeros dropped). */
export function wilcoxonSignedRank(d: readonly number[]): { w: number; p: number } {
  const nonzero = d.filter((x) => x !== 0);
  const n = nonzero.length;
  if (n === 0) return { w: Number.NaN, p: Number.NaN };
  const order = nonzero.map((x, i) => ({ abs: Math.abs(x), i })).sort((a, b) => a.abs - b.abs);
  const ranks = new Array<number>(n);
  for (let k = 0; k < n; ) {
    let end = k;
    while (end + 1 < n && (order[end + 1] as { abs: number }).abs === (order[k] as { abs: number }).abs) end++;
    for (let j = k; j <= end; j++) ranks[(order[j] as { i: number }).i] = (k + end) / 2 + 1;
    k = end + 1;
  }
  const plus = nonzero.reduce((s, x, i) => s + (x > 0 ? (ranks[i] as number) : 0), 0);
  const total = (n * (n + 1)) / 2;
  const w = Math.min(plus, total - plus);
  // Distribution of the positive rank sum over the 2^n sign assignments, on a half-rank grid (ties give .5 ranks).
  const scale = 2;
  const counts = new Float64Array(total * scale + 1);
  counts[0] = 1;
  for (const rank of ranks) {
    const step = Math.round(rank * scale);
    for (let s = counts.length - 1; s >= step; s--) counts[s] = (counts[s] as number) + (counts[s - step] as number);
  }
  let atMost = 0;
  for (let s = 0; s <= Math.round(w * scale); s++) atMost += counts[s] as number;
  return { w, p: Math.min(1, (2 * atMost) / 2 ** n) };
}

/** Arm a against arm b, paired by position (the same seed in both). */
export function pairedComparison(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`paired comparison of ${a.length} and ${b.length} values`);
  const d = a.map((x, i) => x - (b[i] as number));
  const difference = meanCi(d);
  const n = d.length;
  const t = n >= 2 ? difference.mean / (difference.sd / Math.sqrt(n)) : Number.NaN;
  const tP = Number.isFinite(t) ? 2 * (1 - studentTCdf(Math.abs(t), n - 1)) : Number.NaN;
  const { w, p } = wilcoxonSignedRank(d);
  return { n, difference, t, tP, wilcoxonW: w, wilcoxonP: p, effectSize: difference.mean / difference.sd };
}

/**
 * A statistic over the records of one cell (macro F1, mean SNR), computed
 * from the indices of a resample. Statistics with the same `key` (the same
 * records of the same data) are resampled with the same indices: that
 * makes a difference of two arms on one set of records a paired bootstrap.
 */
export interface RecordStatistic {
  readonly key: string;
  readonly records: number;
  readonly value: (indices: ArrayLike<number>) => number;
}

export interface BootstrapInterval {
  /** The statistics on all their records, averaged over the samples. */
  readonly estimate: number;
  /** 95% percentile interval; NaN without records. */
  readonly low: number;
  readonly high: number;
  readonly resamples: number;
  /** Resamples whose statistic was undefined (NaN, e.g. no class in the resampled reference), left out. */
  readonly undefinedResamples: number;
}

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly seed?: number | string;
}

/** The q-quantile of sorted values, interpolated linearly between order statistics (numpy's default). */
function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return (sorted[lower] as number) + (position - lower) * ((sorted[upper] as number) - (sorted[lower] as number));
}

/**
 * Percentile bootstrap of the mean of some per-record statistics: each of B
 * resamples draws, per distinct key in first-seen order, `records` indices
 * with replacement (rng.int, in order), evaluates every statistic on its
 * key's indices and averages them; the interval is the 2.5% and 97.5%
 * quantiles of the B averages.
 */
export function bootstrapCi(samples: readonly RecordStatistic[], options: BootstrapOptions = {}): BootstrapInterval {
  const resamples = options.resamples ?? 2000;
  const average = (valueOf: (s: RecordStatistic) => number) => samples.reduce((sum, s) => sum + valueOf(s), 0) / samples.length;
  const estimate = samples.length > 0 ? average((s) => s.value(Array.from({ length: s.records }, (_, i) => i))) : Number.NaN;
  if (samples.length === 0 || samples.some((s) => s.records === 0)) return { estimate, low: Number.NaN, high: Number.NaN, resamples, undefinedResamples: 0 };
  const rng = createRng(options.seed ?? 'bootstrap');
  const keys = new Map<string, number>();
  for (const s of samples) if (!keys.has(s.key)) keys.set(s.key, s.records);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const drawn = new Map<string, Int32Array>();
    for (const [key, n] of keys) {
      const indices = new Int32Array(n);
      for (let k = 0; k < n; k++) indices[k] = rng.int(0, n - 1);
      drawn.set(key, indices);
    }
    const value = average((s) => s.value(drawn.get(s.key) as Int32Array));
    if (Number.isFinite(value)) values.push(value);
  }
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return { estimate, low: Number.NaN, high: Number.NaN, resamples, undefinedResamples: resamples };
  return { estimate, low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975), resamples, undefinedResamples: resamples - sorted.length };
}

/** Percentile bootstrap 95% interval of the mean of `values` (e.g. per-record SNR), B resamples from `seed`. */
export function bootstrapMeanCi(values: readonly number[], options: BootstrapOptions = {}): MeanCi {
  const n = values.length;
  const m = n > 0 ? mean(values) : Number.NaN;
  const sd = sampleSd(values);
  if (n < 2) return { n, mean: m, sd, low: Number.NaN, high: Number.NaN };
  const meanOf = (indices: ArrayLike<number>) => {
    let sum = 0;
    for (let k = 0; k < indices.length; k++) sum += values[indices[k] as number] as number;
    return sum / indices.length;
  };
  const ci = bootstrapCi([{ key: 'values', records: n, value: meanOf }], options);
  return { n, mean: m, sd, low: ci.low, high: ci.high };
}
