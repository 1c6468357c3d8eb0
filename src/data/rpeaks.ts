/**
 * R-peak detection in the Pan-Tompkins family (Pan & Tompkins 1985, IEEE
 * TBME 32(3)) over several leads at once, and the intervals derived from it.
 * Phases: band-pass 5-15 Hz (zero-phase biquads) -> derivative -> square ->
 * sum over leads -> 150 ms moving-window integration -> adaptive signal and
 * noise levels with a 200 ms refractory period and search-back at half the
 * threshold after 1.66 mean RR -> R at the energy maximum of the QRS.
 * QRS width: where the spatial velocity (sum over leads of squared slopes)
 * (norm of the leads' slopes after a 40 Hz low-pass) exceeds 10% of its
 * peak above the record's noise floor, around each R.
 */

export interface Intervals {
  /** R-peak sample indices. */
  readonly peaks: readonly number[];
  readonly rrS: readonly number[];
  /** Mean heart rate over the detected beats, 60 * (beats - 1) / (last R - first R); NaN with fewer than 2 beats. */
  readonly heartRateBpm: number;
  /** Median QRS width over beats, in ms; NaN without beats. */
  readonly qrsMs: number;
}

/** The leads the detector uses: I, II and V1-V6 of a 12-lead record (the independent ones), or all. */
function independentLeads(signals: readonly Float32Array[]): readonly Float32Array[] {
  return signals.length === 12 ? [0, 1, 6, 7, 8, 9, 10, 11].map((i) => signals[i] as Float32Array) : signals;
}

export function detectRPeaks(signals: readonly Float32Array[], fsHz: number): number[] {
  const leads = independentLeads(signals);
  const n = leads[0]?.length ?? 0;
  if (n === 0) return [];
  const energy = qrsEnergy(leads, fsHz);
  const integrated = movingAverage(energy, Math.max(1, Math.round(0.15 * fsHz)));
  const candidates = localMaxima(integrated, Math.round(0.2 * fsHz));
  const refractory = Math.round(0.2 * fsHz);
  const learn = Math.min(n, Math.round(2 * fsHz));
  let spk = 0.25 * max(integrated, 0, learn);
  let npk = 0.5 * mean(integrated, 0, learn);
  const peaks: number[] = [];
  const rr: number[] = [];
  let lastNoise: number[] = [];
  for (const c of candidates) {
    const value = integrated[c] as number;
    const threshold = npk + 0.25 * (spk - npk);
    const last = peaks.at(-1);
    if (last !== undefined && c - last < refractory) continue;
    const meanRr = rr.length > 0 ? rr.slice(-8).reduce((a, b) => a + b, 0) / Math.min(8, rr.length) : 0;
    if (last !== undefined && meanRr > 0 && c - last > 1.66 * meanRr) {
      const missed = lastNoise.filter((m) => m - last >= refractory && c - m >= refractory && (integrated[m] as number) > threshold / 2);
      const best = missed.sort((a, b) => (integrated[b] as number) - (integrated[a] as number))[0];
      if (best !== undefined) {
        rr.push(best - last);
        peaks.push(best);
        spk = 0.25 * (integrated[best] as number) + 0.75 * spk;
      }
    }
    if (value > threshold) {
      const prev = peaks.at(-1);
      if (prev !== undefined) rr.push(c - prev);
      peaks.push(c);
      spk = 0.125 * value + 0.875 * spk;
      lastNoise = [];
    } else {
      npk = 0.125 * value + 0.875 * npk;
      lastNoise.push(c);
    }
  }
  return peaks.map((p) => argmax(energy, Math.max(0, p - Math.round(0.15 * fsHz)), p));
}

export function measureIntervals(signals: readonly Float32Array[], fsHz: number): Intervals {
  const peaks = detectRPeaks(signals, fsHz);
  const rrS = peaks.slice(1).map((p, i) => (p - (peaks[i] as number)) / fsHz);
  const first = peaks[0];
  const last = peaks.at(-1);
  const heartRateBpm = peaks.length >= 2 && first !== undefined && last !== undefined ? (60 * (peaks.length - 1) * fsHz) / (last - first) : Number.NaN;
  const widths = qrsWidths(independentLeads(signals), fsHz, peaks);
  return { peaks, rrS, heartRateBpm, qrsMs: median(widths) };
}

/** Fraction of the spatial velocity's rise above the noise floor that counts as inside the QRS. */
const QRS_THRESHOLD = 0.1;

function qrsWidths(leads: readonly Float32Array[], fsHz: number, peaks: readonly number[]): number[] {
  const n = leads[0]?.length ?? 0;
  const velocity = new Float64Array(n);
  const smooth = biquad('lowpass', Math.min(40, 0.45 * fsHz), fsHz);
  for (const lead of leads) {
    const x = filtfilt(Float64Array.from(lead), smooth);
    for (let k = 1; k < n - 1; k++) {
      const d = (((x[k + 1] as number) - (x[k - 1] as number)) * fsHz) / 2;
      velocity[k] = (velocity[k] as number) + d * d;
    }
  }
  for (let k = 0; k < n; k++) velocity[k] = Math.sqrt(velocity[k] as number);
  const floor = median(Array.from(velocity));
  const before = Math.round(0.15 * fsHz);
  const after = Math.round(0.18 * fsHz);
  const widths: number[] = [];
  for (const r of peaks) {
    if (r - before < 1 || r + after >= n - 1) continue;
    const peak = max(velocity, r - Math.round(0.06 * fsHz), r + Math.round(0.06 * fsHz) + 1);
    const threshold = floor + QRS_THRESHOLD * (peak - floor);
    let onset = r;
    for (let k = r - before; k <= r; k++) if ((velocity[k] as number) >= threshold) { onset = k; break; }
    let offset = r;
    for (let k = r + after; k >= r; k--) if ((velocity[k] as number) >= threshold) { offset = k; break; }
    widths.push(((offset - onset + 1) * 1000) / fsHz);
  }
  return widths;
}

/** Sum over leads of the squared slope of the 5-15 Hz band. */
function qrsEnergy(leads: readonly Float32Array[], fsHz: number): Float64Array {
  const n = leads[0]?.length ?? 0;
  const energy = new Float64Array(n);
  const highCut = Math.min(15, 0.45 * fsHz);
  for (const lead of leads) {
    const band = filtfilt(filtfilt(Float64Array.from(lead), biquad('highpass', 5, fsHz)), biquad('lowpass', highCut, fsHz));
    for (let k = 2; k < n - 2; k++) {
      const d = (2 * (band[k + 1] as number) + (band[k + 2] as number) - (band[k - 2] as number) - 2 * (band[k - 1] as number)) / 8;
      energy[k] = (energy[k] as number) + d * d;
    }
  }
  return energy;
}

type Biquad = readonly [number, number, number, number, number];

/** RBJ cookbook second-order Butterworth (Q = 1/sqrt 2): [b0, b1, b2, a1, a2] normalised by a0. */
function biquad(kind: 'lowpass' | 'highpass', cutoffHz: number, fsHz: number): Biquad {
  const w = (2 * Math.PI * cutoffHz) / fsHz;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  return [b0 / a0, b1 / a0, b0 / a0, (-2 * cos) / a0, (1 - alpha) / a0];
}

function filtfilt(x: Float64Array, f: Biquad): Float64Array {
  return reverse(filter(reverse(filter(x, f)), f));
}

function filter(x: Float64Array, [b0, b1, b2, a1, a2]: Biquad): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = x[0] ?? 0;
  let x2 = x1;
  let y1 = 0;
  let y2 = 0;
  for (let k = 0; k < x.length; k++) {
    const xk = x[k] as number;
    const yk = b0 * xk + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    y[k] = yk;
    x2 = x1;
    x1 = xk;
    y2 = y1;
    y1 = yk;
  }
  return y;
}

function reverse(x: Float64Array): Float64Array {
  return x.slice().reverse();
}

function movingAverage(x: Float64Array, width: number): Float64Array {
  const out = new Float64Array(x.length);
  let sum = 0;
  for (let k = 0; k < x.length; k++) {
    sum += x[k] as number;
    if (k >= width) sum -= x[k - width] as number;
    out[k] = sum / width;
  }
  return out;
}

/** Indices that are the maximum of the window of `radius` samples around them. */
function localMaxima(x: Float64Array, radius: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < x.length - 1; k++) {
    const v = x[k] as number;
    if (v <= 0 || v < (x[k - 1] as number) || v <= (x[k + 1] as number)) continue;
    let isMax = true;
    for (let j = Math.max(0, k - radius); j <= Math.min(x.length - 1, k + radius) && isMax; j++) if ((x[j] as number) > v) isMax = false;
    if (isMax) out.push(k);
  }
  return out;
}

function argmax(x: Float64Array, lo: number, hi: number): number {
  let best = lo;
  for (let k = lo; k <= hi && k < x.length; k++) if ((x[k] as number) > (x[best] as number)) best = k;
  return best;
}

function max(x: Float64Array, lo: number, hi: number): number {
  let m = -Infinity;
  for (let k = lo; k < hi && k < x.length; k++) m = Math.max(m, x[k] as number);
  return m;
}

function mean(x: Float64Array, lo: number, hi: number): number {
  let s = 0;
  for (let k = lo; k < hi; k++) s += x[k] as number;
  return hi > lo ? s / (hi - lo) : 0;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
