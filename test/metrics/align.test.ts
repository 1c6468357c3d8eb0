import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyAlignment, estimateAlignment, roundHalfEven, withinChallengeLimits } from '../../src/metrics/align.js';
import { createRng } from '../../src/core/rng.js';

/**
 * An independent, literal transcription of the challenge's alignment for
 * short signals: dense binary images, scipy-style reflect Gaussian, the full
 * cross- and autocorrelation by brute force, offsets = auto peak - cross peak.
 */
function naiveAlignment(ref: Float64Array, out: Float64Array) {
  const L = 256;
  const T = Math.max(ref.length, out.length);
  const finite = [...ref, ...out].filter(Number.isFinite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const image = (x: Float64Array) => {
    const a = new Float64Array(L * T);
    x.forEach((v, t) => {
      if (!Number.isFinite(v)) return;
      const level = Math.min(L, Math.max(1, roundHalfEven(((L - 1) * (v - min)) / (max - min) + 1)));
      a[(level - 1) * T + t] = 1;
    });
    return smooth(a, L, T);
  };
  const A = image(ref);
  const B = image(out);
  const correlate = (P: Float64Array, Q: Float64Array) => {
    const rows = 2 * L - 1;
    const cols = 2 * T - 1;
    const c = new Float64Array(rows * cols);
    const nz = (M: Float64Array) => [...M.keys()].filter((i) => M[i] !== 0);
    const q = nz(Q);
    for (const i of nz(P)) {
      const m = Math.floor(i / T);
      const n = i % T;
      for (const j of q) {
        const mq = Math.floor(j / T);
        const nq = j % T;
        // full convolution of P with Q flipped: index (m - mq + L - 1, n - nq + T - 1)
        c[(m - mq + L - 1) * cols + (n - nq + T - 1)]! += (P[i] as number) * (Q[j] as number);
      }
    }
    let best = 0;
    c.forEach((v, i) => {
      if (v > (c[best] as number)) best = i;
    });
    return { c, cols, row: Math.floor(best / cols), col: best % cols };
  };
  const cross = correlate(A, B);
  const auto = correlate(A, A);
  return {
    lagSamples: auto.col - cross.col,
    offsetLevels: auto.row - cross.row,
    autoAtCentre: auto.row === L - 1 && auto.col === T - 1,
    valueAt: (offsetLevels: number, lag: number) =>
      cross.c[(auto.row - offsetLevels) * cross.cols + (auto.col - lag)] as number,
    peak: cross.c[cross.row * cross.cols + cross.col] as number,
    levelMv: (max - min) / (L - 1),
  };
}

/** scipy.ndimage.gaussian_filter(sigma=0.5), mode 'reflect', on a rows x cols image. */
function smooth(a: Float64Array, rows: number, cols: number): Float64Array {
  const w = [-2, -1, 0, 1, 2].map((x) => Math.exp(-2 * x * x));
  const sum = w.reduce((p, q) => p + q, 0);
  const g = w.map((v) => v / sum);
  const reflect = (i: number, n: number) => {
    const m = ((i % (2 * n)) + 2 * n) % (2 * n);
    return m < n ? m : 2 * n - 1 - m;
  };
  const once = new Float64Array(a.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let j = -2; j <= 2; j++) once[r * cols + c]! += (g[j + 2] as number) * (a[reflect(r + j, rows) * cols + c] as number);
  const twice = new Float64Array(a.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let j = -2; j <= 2; j++) twice[r * cols + c]! += (g[j + 2] as number) * (once[r * cols + reflect(c + j, cols)] as number);
  return twice;
}

test('the estimate is the brute-force challenge peak on random short signals (borders, NaN, unequal lengths)', () => {
  const random = createRng(7);
  const rng = () => random.next();
  let matches = 0;
  for (let trial = 0; trial < 12; trial++) {
    const n = 20 + Math.floor(rng() * 20);
    const ref = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) ref[i] = v += rng() - 0.5;
    const lag = Math.floor(rng() * 7) - 3;
    const m = n + Math.floor(rng() * 6) - 3;
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const src = ref[i - lag];
      out[i] = src === undefined || rng() < 0.1 ? NaN : src + 0.2 + 0.05 * (rng() - 0.5);
    }
    if (trial % 3 === 0) ref[Math.floor(rng() * n)] = NaN;
    const naive = naiveAlignment(ref, out);
    assert.ok(naive.autoAtCentre, 'the autocorrelation peaks at zero lag');
    const mine = estimateAlignment(ref, out);
    assert.ok(mine);
    const levels = Math.round(mine.offsetMv / naive.levelMv);
    const same = levels === naive.offsetLevels && mine.lagSamples === naive.lagSamples;
    // The same peak, or one that ties with it up to rounding (numpy's FFT breaks such ties by noise).
    assert.ok(same || naive.valueAt(levels, mine.lagSamples) >= naive.peak - 1e-12, `trial ${trial}`);
    matches += same ? 1 : 0;
  }
  assert.ok(matches >= 11, `${matches} of 12 identical peaks`);
});

test('delayed output: positive lag; advanced output: negative lag; output drawn high: positive offset', () => {
  const x = new Float64Array(300).map((_, n) => Math.sin(n / 9) + 0.4 * Math.sin(n / 3.7));
  const delayed = new Float64Array(300).map((_, n) => (n >= 12 ? (x[n - 12] as number) + 0.25 : NaN));
  const advanced = new Float64Array(300).map((_, n) => (n + 12 < 300 ? (x[n + 12] as number) - 0.25 : NaN));
  const d = estimateAlignment(x, delayed);
  const a = estimateAlignment(x, advanced);
  assert.is(d?.lagSamples, 12);
  assert.is(a?.lagSamples, -12);
  assert.ok(d !== undefined && Math.abs(d.offsetMv - 0.25) < 0.01);
  assert.ok(a !== undefined && Math.abs(a.offsetMv + 0.25) < 0.01);
});

test('no finite sample in either signal: no estimate', () => {
  assert.is(estimateAlignment(new Float64Array([1, 2]), new Float64Array([NaN, NaN])), undefined);
  assert.is(estimateAlignment(new Float64Array([NaN]), new Float64Array([1])), undefined);
});

test('applyAlignment keeps the start of an output that runs ahead (not the later revision\'s first |lag| samples)', () => {
  const out = new Float64Array([10, 11, 12, 13, 14]);
  assert.equal([...applyAlignment(out, { lagSamples: -2, offsetMv: 1 }, 5)], [NaN, NaN, 9, 10, 11]);
  assert.equal([...applyAlignment(out, { lagSamples: 2, offsetMv: 0 }, 5)], [12, 13, 14, NaN, NaN]);
});

test('limits: |lag| <= round(0.5 fs) half to even, |offset| <= 1 mV', () => {
  assert.is(roundHalfEven(128.5), 128);
  assert.is(roundHalfEven(129.5), 130);
  assert.is(roundHalfEven(-0.5), 0);
  assert.ok(withinChallengeLimits({ lagSamples: 50, offsetMv: 1 }, 100));
  assert.not.ok(withinChallengeLimits({ lagSamples: -51, offsetMv: 0 }, 100));
  assert.not.ok(withinChallengeLimits({ lagSamples: 0, offsetMv: -1.0001 }, 100));
  assert.ok(withinChallengeLimits({ lagSamples: 128, offsetMv: 0 }, 257));
  assert.not.ok(withinChallengeLimits({ lagSamples: 129, offsetMv: 0 }, 257));
});

test.run();
