import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LEADS } from '../../src/core/ecg.js';
import { isEcgError } from '../../src/core/errors.js';
import { estimateAlignment } from '../../src/metrics/align.js';
import { leadSnr, recordSnr, snrMetrics, snrSummary } from '../../src/metrics/snr.js';
import { aperiodic, meanSquare, sine } from './helpers.js';

const FS = 100;
const T = 1000;
const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} is not ${b}`);

/** Alternating +e, -e: no lag or offset can remove it. */
const alternating = (e: number) => (n: number) => (n % 2 === 0 ? e : -e);

test('perfect copy: NaN (no noise), and dropped from the mean', () => {
  const x = sine(T, 50);
  assert.ok(Number.isNaN(leadSnr(x, x.slice(), FS)));
  const row = [NaN, ...Array<number>(11).fill(10)];
  const summary = snrSummary([row, Array<number>(12).fill(20)]);
  close(summary.mean, (11 * 10 + 12 * 20) / 23);
  close(summary.perLead.I, 20);
  close(summary.perLead.II, 15);
  assert.is(summary.scoredPairs, 23);
});

test('known additive noise: 10 log10(P_x / e^2) with P_x = 1/2 for a sine over whole periods', () => {
  const x = sine(T, 50);
  const e = 1e-3;
  const y = x.map((v, n) => v + alternating(e)(n));
  assert.equal(estimateAlignment(x, y), { lagSamples: 0, offsetMv: 0 });
  close(leadSnr(x, y, FS), 10 * Math.log10(0.5 / e ** 2)); // 56.9897 dB
});

test('noise the alignment cannot explain within 1 mV is left alone: e = 1.5 mV gives 10 log10(0.5 / 2.25)', () => {
  const x = sine(T, 50);
  const y = x.map((v, n) => v + alternating(1.5)(n));
  const estimate = estimateAlignment(x, y);
  assert.ok(estimate !== undefined && Math.abs(estimate.offsetMv) > 1);
  close(leadSnr(x, y, FS), 10 * Math.log10(0.5 / 2.25)); // -6.532 dB
});

/**
 * The output is the reference moved by `lag` samples and drawn `k` levels
 * high, plus alternating noise e (zero on the two samples that set the joint
 * range, so the quantisation grid is known): re-aligned, only the noise is left.
 */
function shiftedCopy(lag: number, k: number, e: number) {
  const x = aperiodic(T);
  const src = (n: number) => n - lag;
  const shown = (n: number) => src(n) >= 0 && src(n) < T;
  let min = Infinity;
  let argMax = -1;
  for (let n = 0; n < T; n++) {
    min = Math.min(min, x[n] as number);
    if (shown(n) && (argMax < 0 || (x[src(n)] as number) > (x[src(argMax)] as number))) argMax = n;
  }
  const top = x[src(argMax)] as number;
  // c is k levels of the joint range [min, top + c]: c = k (top + c - min) / 255.
  const c = (k * (top - min)) / (255 - k);
  const y = new Float64Array(T).map((_, n) => {
    if (!shown(n)) return NaN;
    const v = x[src(n)] as number;
    return v + c + (n === argMax || v === min ? 0 : alternating(e)(n));
  });
  return { x, y, c };
}

test('delayed copy with an offset: re-aligned, only the noise and the missing tail remain', () => {
  const d = 20;
  const e = 1e-3;
  const { x, y, c } = shiftedCopy(d, 20, e);
  const estimate = estimateAlignment(x, y);
  assert.is(estimate?.lagSamples, d);
  close(estimate?.offsetMv ?? NaN, c, 1e-9);
  // Overlap after the shift: reference samples 0 .. T-d-1, of which 2 carry no noise.
  const m = T - d;
  const expected = 10 * Math.log10(meanSquare(x, 0, m) / ((e ** 2 * (m - 2)) / m)) * (m / T);
  close(leadSnr(x, y, FS), expected);
});

test('advanced copy with an offset: re-aligned keeping the output\'s start (alpha = (T - d) / T)', () => {
  const d = 35;
  const e = 1e-3;
  const { x, y, c } = shiftedCopy(-d, 30, e);
  const estimate = estimateAlignment(x, y);
  assert.is(estimate?.lagSamples, -d);
  close(estimate?.offsetMv ?? NaN, c, 1e-9);
  const m = T - d;
  const expected = 10 * Math.log10(meanSquare(x, d, T) / ((e ** 2 * (m - 2)) / m)) * (m / T);
  close(leadSnr(x, y, FS), expected);
});

test('a lag of exactly round(0.5 fs) is re-aligned; one past it is not (low SNR)', () => {
  const atLimit = shiftedCopy(50, 10, 1e-3);
  assert.ok(leadSnr(atLimit.x, atLimit.y, FS) > 40);

  const d = 60;
  const x = aperiodic(T);
  const y = new Float64Array(T).map((_, n) => (n >= d ? (x[n - d] as number) : NaN));
  assert.is(estimateAlignment(x, y)?.lagSamples, d);
  let noise = 0;
  for (let n = d; n < T; n++) noise += ((x[n] as number) - (x[n - d] as number)) ** 2;
  const expected = 10 * Math.log10(meanSquare(x, d, T) / (noise / (T - d))) * ((T - d) / T);
  const snr = leadSnr(x, y, FS);
  close(snr, expected);
  assert.ok(snr < 5);
});

test('an offset above 1 mV is not removed: x + 1.2 mV scores 10 log10(0.5 / 1.44)', () => {
  const x = sine(T, 50);
  const y = x.map((v) => v + 1.2);
  close(leadSnr(x, y, FS), 10 * Math.log10(0.5 / 1.44)); // -4.594 dB
});

test('half the samples missing: alpha = 0.5 exactly', () => {
  const x = sine(T, 50);
  const e = 1e-3;
  const y = x.map((v, n) => (n < T / 2 ? v + alternating(e)(n) : NaN));
  close(leadSnr(x, y, FS), 0.5 * 10 * Math.log10(0.5 / e ** 2)); // 28.495 dB
});

test('missing record: 0 dB on every lead, and it counts in the mean', () => {
  const reference = LEADS.map((_, i) => new Float32Array(sine(T, 40 + i)));
  const missing = recordSnr(reference, undefined, FS);
  assert.equal(missing, Array<number>(12).fill(0));
  const e = 1e-3;
  const good = recordSnr(reference, reference.map((lead) => lead.map((v, n) => v + alternating(e)(n))), FS);
  const summary = snrSummary([good, missing]);
  const metrics = snrMetrics(summary);
  close(metrics['snr/mean'] as number, good.reduce((a, b) => a + b, 0) / 24);
  close(metrics['snr/V6'] as number, (good[11] as number) / 2);
  assert.is(Object.keys(metrics).length, 13);
});

test('all-zero reference lead: NaN; reference lead with no finite sample: NaN', () => {
  assert.ok(Number.isNaN(leadSnr(new Float32Array(T), new Float32Array(sine(T, 50)), FS)));
  assert.ok(Number.isNaN(leadSnr(new Float32Array(T).fill(NaN), undefined, FS)));
});

test('no overlap: 0 dB (the lag needed is beyond 0.5 s, so nothing is shifted)', () => {
  const x = sine(T, 50).map((v, n) => (n < 250 ? v : NaN));
  const y = sine(T, 50).map((v, n) => (n >= 500 ? v : NaN));
  assert.is(leadSnr(x, y, FS), 0);
});

test('output longer than the reference: the extra samples are ignored', () => {
  const x = sine(T, 50);
  const e = 1e-3;
  const y = new Float64Array(T + 100).map((_, n) => Math.sin((2 * Math.PI * n) / 50) + alternating(e)(n));
  close(leadSnr(x, y, FS), 10 * Math.log10(0.5 / e ** 2));
});

test('refuses a record without 12 leads and a bad sampling rate', () => {
  const lead = new Float32Array(10);
  assert.throws(() => recordSnr([lead], undefined, FS), (e: unknown) => isEcgError(e, 'METRIC_INVALID'));
  assert.throws(() => leadSnr(lead, lead, 0), (e: unknown) => isEcgError(e, 'METRIC_INVALID'));
});

test.run();
