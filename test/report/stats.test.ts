/**
 * The statistics of `compare --stats` against scipy.stats 1.17.1 (values
 * computed once with it and written here; the script is in the comment of
 * each test), and the bootstrap against an independent resampling.
 *
 *   from scipy import stats; import numpy as np
 *   a = np.array([0.41, 0.38, 0.45, 0.40, 0.43]); b = np.array([0.35, 0.37, 0.39, 0.36, 0.41])
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapMeanCi, meanCi, pairedComparison, studentTCdf, studentTQuantile, wilcoxonSignedRank } from '../../src/report/stats/stats.js';

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

const A = [0.41, 0.38, 0.45, 0.4, 0.43];
const B = [0.35, 0.37, 0.39, 0.36, 0.41];

test('Student t: CDF and quantiles (stats.t.cdf, stats.t.ppf)', () => {
  near(studentTCdf(2.5, 3), 0.9561466764959672, 1e-12, 't.cdf(2.5, 3)');
  near(studentTCdf(-1.1, 10), 0.14855341103405958, 1e-12, 't.cdf(-1.1, 10)');
  near(studentTQuantile(0.975, 4), 2.7764451051977934, 1e-9, 't.ppf(0.975, 4)');
  near(studentTQuantile(0.975, 1), 12.706204736174694, 1e-8, 't.ppf(0.975, 1)');
  near(studentTQuantile(0.975, 29), 2.045229642132703, 1e-9, 't.ppf(0.975, 29)');
});

test('mean and 95% t interval (stats.t.interval(0.95, 4, loc=a.mean(), scale=stats.sem(a)))', () => {
  const ci = meanCi(A);
  near(ci.mean, 0.414, 1e-12, 'mean');
  near(ci.low, 0.38045208615073345, 1e-9, 'low');
  near(ci.high, 0.4475479138492666, 1e-9, 'high');
  const one = meanCi([0.5]);
  assert.is(one.n, 1);
  assert.ok(Number.isNaN(one.low) && Number.isNaN(one.high) && Number.isNaN(one.sd), 'n = 1 has no interval');
});

test('paired t-test, effect size and exact Wilcoxon (stats.ttest_rel(a, b), stats.wilcoxon(a, b))', () => {
  const c = pairedComparison(A, B);
  near(c.t, 3.726206567625499, 1e-9, 't');
  near(c.tP, 0.020364048805992872, 1e-9, 'p');
  near(c.difference.mean, 0.038, 1e-12, 'mean difference');
  near(c.effectSize, 1.6664102366833564, 1e-9, 'd_z = mean(d) / sd(d)');
  assert.is(c.wilcoxonW, 0);
  near(c.wilcoxonP, 0.0625, 1e-12, 'wilcoxon p');
  // x = [1.2, -0.3, 0.8, 2.1, 0.5, -1.0, 0.9, 1.7]: stats.wilcoxon(x) -> W 6, p 0.109375
  const w = wilcoxonSignedRank([1.2, -0.3, 0.8, 2.1, 0.5, -1.0, 0.9, 1.7]);
  assert.is(w.w, 6);
  near(w.p, 0.109375, 1e-12, 'wilcoxon p (n = 8)');
  assert.throws(() => pairedComparison([1, 2], [1]));
});

test('bootstrap interval of a mean: reproducible from its seed and close to an independent resampling', () => {
  // 40 per-record values; the normal-theory interval mean ± 1.96 s / sqrt(n) is what a percentile
  // bootstrap converges to for a mean of this many values: within 15% of its half-width here.
  const values = Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 7) * 0.4);
  const a = bootstrapMeanCi(values, { resamples: 4000, seed: 1 });
  const again = bootstrapMeanCi(values, { resamples: 4000, seed: 1 });
  assert.equal(a, again);
  const m = values.reduce((s, x) => s + x, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / (values.length - 1));
  const half = (1.96 * sd) / Math.sqrt(values.length);
  near(a.mean, m, 1e-12, 'mean');
  near(a.low, m - half, 0.15 * half, 'low');
  near(a.high, m + half, 0.15 * half, 'high');
  // An independent resampler (Math.imul LCG, its own index draw) lands within the same tolerance of this one.
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const means = Array.from({ length: 4000 }, () => {
    let sum = 0;
    for (let k = 0; k < values.length; k++) sum += values[Math.floor(next() * values.length)] as number;
    return sum / values.length;
  }).sort((x, y) => x - y);
  near(a.low, means[Math.round(0.025 * 3999)] as number, 0.15 * half, 'low vs independent');
  near(a.high, means[Math.round(0.975 * 3999)] as number, 0.15 * half, 'high vs independent');
});

test.run();
