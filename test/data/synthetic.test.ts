import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHALLENGE_CLASSES, type EcgRecord } from '../../src/core/ecg.js';
import { generateRecord, type SyntheticOptions } from '../../src/data/synthetic/generator.js';
import { DEFAULT_PRIORS, resolvePriors } from '../../src/data/synthetic/priors.js';
import { measureIntervals } from '../../src/data/rpeaks.js';
import { isEcgError } from '../../src/core/errors.js';

const NOISE = { baselineWanderMv: 0.05, mainsHumMv: 0.01, mainsHz: 50, muscleNoiseMv: 0.01 };
const options = (fsHz: number, seed = 11, priors = DEFAULT_PRIORS): SyntheticOptions => ({ seed, fsHz, durationS: 10, priors, noise: NOISE });

const N = 300;
const records100 = Array.from({ length: N }, (_, i) => generateRecord(i, options(100)));
const records500 = Array.from({ length: 60 }, (_, i) => generateRecord(i, options(500)));

function rateOk(record: EcgRecord, bpm: number): boolean {
  if (record.labels.includes('TACHY')) return bpm > 100;
  if (record.labels.includes('BRADY')) return bpm < 60;
  return bpm >= 60 && bpm <= 100;
}

test('limb leads obey Einthoven and Goldberger to 1e-4 mV on every record (float32 as stored)', () => {
  for (const record of [...records100, ...records500]) {
    const [I, II, III, aVR, aVL, aVF] = record.signals as Float32Array[];
    let worst = 0;
    for (let k = 0; k < I!.length; k++) {
      const i = I![k]!;
      const ii = II![k]!;
      worst = Math.max(worst, Math.abs(III![k]! - (ii - i)), Math.abs(aVR![k]! + (i + ii) / 2), Math.abs(aVL![k]! - (i - ii / 2)), Math.abs(aVF![k]! - (ii - i / 2)));
    }
    assert.ok(worst < 1e-4, `${record.name}: limb identity off by ${worst} mV`);
  }
});

test('shape: 12 leads, 10 s at 100 and 500 Hz, finite, labels in challenge order', () => {
  for (const record of [records100[0]!, records500[0]!]) {
    assert.is(record.signals.length, 12);
    assert.is(record.signals[0]!.length, record.fsHz * 10);
    assert.ok(record.signals.every((s) => s.every(Number.isFinite)));
    assert.equal(record.labels, CHALLENGE_CLASSES.filter((c) => record.labels.includes(c)));
  }
});

test('detected heart rate lies in each record class range (TACHY > 100, BRADY < 60, else 60-100) on >= 95%', () => {
  for (const [records, fs] of [[records100, 100], [records500, 500]] as const) {
    const misses = records.filter((r) => !rateOk(r, measureIntervals(r.signals, fs).heartRateBpm));
    assert.ok(misses.length <= 0.05 * records.length, `${fs} Hz: ${misses.length}/${records.length} out of range: ${misses.map((r) => r.name).join(' ')}`);
  }
  const tachy = records100.filter((r) => r.labels.includes('TACHY'));
  const brady = records100.filter((r) => r.labels.includes('BRADY'));
  assert.ok(tachy.length > 5 && brady.length > 5, 'enough TACHY and BRADY records to mean something');
});

test('CD records have wider QRS than NORM records on average', () => {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const width = (label: string) => mean(records100.filter((r) => r.labels.includes(label as never) && !r.labels.includes('PVC')).map((r) => measureIntervals(r.signals, 100).qrsMs));
  const cd = width('CD');
  const norm = width('NORM');
  assert.ok(cd > norm + 15, `QRS CD ${cd.toFixed(1)} ms vs NORM ${norm.toFixed(1)} ms`);
});

test('AFIB/AFL records have irregular RR; sinus NORM records do not', () => {
  const cv = (r: EcgRecord) => {
    const rr = measureIntervals(r.signals, 100).rrS;
    const m = rr.reduce((a, b) => a + b, 0) / rr.length;
    return Math.sqrt(rr.reduce((a, b) => a + (b - m) ** 2, 0) / rr.length) / m;
  };
  const af = records100.filter((r) => r.labels.includes('AFIB/AFL') && r.meta?.['atrial'] === 'fibrillation');
  const sinus = records100.filter((r) => r.labels.length === 1 && r.labels[0] === 'NORM');
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  assert.ok(median(af.map(cv)) > 2 * median(sinus.map(cv)), 'AF RR variation well above sinus');
});

test('label frequencies follow the configured priors', () => {
  const priors = resolvePriors({ NORM: 0.3, PVC: 0.25, 'AFIB/AFL': 0.2, HYP: 0.05 });
  const n = 3000;
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) for (const label of generateRecord(i, { ...options(100, 5, priors), durationS: 1 }).labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  for (const c of CHALLENGE_CLASSES) {
    const p = priors[c];
    const observed = (counts.get(c) ?? 0) / n;
    const tolerance = 4 * Math.sqrt((p * (1 - p)) / n) + 1e-3;
    assert.ok(Math.abs(observed - p) <= tolerance, `${c}: observed ${observed.toFixed(3)}, prior ${p}`);
  }
});

test('inconsistent or unknown priors are refused', () => {
  const bads: Record<string, number>[] = [{ TACHY: 0.6, BRADY: 0.6 }, { NORM: 0.9, CD: 0.5 }, { FOO: 0.1 }, { NORM: 1.5 }];
  for (const bad of bads) {
    try {
      resolvePriors(bad);
      assert.unreachable(JSON.stringify(bad));
    } catch (error) {
      assert.ok(isEcgError(error, 'CONFIG_INVALID'), String(error));
    }
  }
});

test('same seed gives identical bytes; record i does not depend on how many are generated; other seeds differ', () => {
  const a = generateRecord(7, options(100));
  const b = records100[7]!;
  for (let s = 0; s < 12; s++) assert.equal(Buffer.from(a.signals[s]!.buffer), Buffer.from(b.signals[s]!.buffer));
  assert.equal(a.labels, b.labels);
  const other = generateRecord(7, options(100, 12));
  assert.not.equal(Buffer.from(other.signals[1]!.buffer), Buffer.from(b.signals[1]!.buffer));
});

test.run();
