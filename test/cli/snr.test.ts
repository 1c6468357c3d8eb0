/**
 * `ecg-lab snr` through the real CLI: digitized records scored against their
 * references with the Challenge's SNR. A record that is its reference plus
 * noise scores what metrics/snr.ts gives the same signals in process; a
 * record at twice the rate is resampled; --mask 3x4 scores only what a 3x4
 * page plots (its unplotted samples written as 0 then cost nothing); a
 * record without a reference is named, the others still scored, exit 1; a
 * bad --mask names what is allowed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEADS } from '../../src/core/ecg.js';
import { createRng } from '../../src/core/rng.js';
import { writeWfdbRecord } from '../../src/data/wfdb.js';
import { recordSnr } from '../../src/metrics/index.js';
import { cli } from '../helpers/cli.js';

const FS = 100;
const N = 1000;
const dir = mkdtempSync(join(tmpdir(), 'ecg-snr-'));
const referenceDir = join(dir, 'ref');
const digitizedDir = join(dir, 'out');
mkdirSync(referenceDir);
mkdirSync(digitizedDir);

const rng = createRng('snr-cli');
/** Random values of 1 mV RMS, a sharp peak for the alignment's cross-correlation at lag 0. */
const reference = LEADS.map(() => Float32Array.from({ length: N }, () => (rng.chance(0.5) ? 1 : -1) * rng.uniform(0.5, 1.5)));
/** Noise at 20 dB below each lead's power, as +-a of random sign (power exactly a^2). */
const noisy = reference.map((s) => {
  const a = Math.sqrt(s.reduce((sum, v) => sum + v * v, 0) / s.length) / 10;
  return s.map((v) => v + (rng.chance(0.5) ? a : -a));
});
/** The first 2.5 s only, zeros elsewhere: what digitize writes for a lead a 3x4 page shows in its first column. */
const firstPanel = reference.map((s) => s.map((v, n) => (n < 2.5 * FS ? v : 0)));

const write = (folder: string, name: string, signals: readonly Float32Array[], fsHz = FS) => writeWfdbRecord(folder, { name, fsHz, signals, leads: LEADS });

await write(referenceDir, 'rec1', reference);
await write(referenceDir, 'rec2', reference);
await write(digitizedDir, 'rec1', noisy);
// The Challenge's image numbering: rec2-0 is scored against rec2.
await write(digitizedDir, 'rec2-0', firstPanel);

test('a record of its reference plus noise 20 dB below scores what metrics/snr.ts gives the same signals (to the format\'s 0.001 mV), lead by lead', () => {
  const result = cli(['snr', join(digitizedDir, 'rec1.hea'), '--reference', referenceDir, '--json']);
  assert.is(result.status, 0, result.stderr);
  const scores = JSON.parse(result.stdout) as { records: { snr: number[] }[]; mean: number; pairsScored: number };
  assert.is(scores.pairsScored, 12);
  const expected = recordSnr(reference, noisy, FS);
  scores.records[0]!.snr.forEach((snr, l) => {
    assert.ok(Math.abs(snr - expected[l]!) < 0.05, `lead ${LEADS[l]}: ${snr} against ${expected[l]}`);
    // The Challenge's alignment takes an offset of about the noise's amplitude out of this noise: a little under 20 dB.
    assert.ok(snr > 16 && snr < 20.5, `lead ${LEADS[l]}: ${snr}`);
  });
  assert.ok(Math.abs(scores.mean - expected.reduce((sum, v) => sum + v, 0) / 12) < 0.05);
});

test('--mask 3x4 scores only the plotted samples: a first-column lead read exactly is a copy (NaN, left out), the others lose nothing for their zeros', () => {
  const full = JSON.parse(cli(['snr', join(digitizedDir, 'rec2-0.hea'), '--reference', referenceDir, '--json']).stdout) as { records: { snr: number[]; reference: string }[] };
  assert.match(full.records[0]!.reference, /rec2$/);
  const masked = JSON.parse(cli(['snr', join(digitizedDir, 'rec2-0.hea'), '--reference', referenceDir, '--mask', '3x4', '--json']).stdout) as { records: { snr: (number | null)[] }[] };
  // I, III (first column; II is the rhythm strip) are exact copies over their plotted 2.5 s: NaN. Unmasked, the zeros after 2.5 s cost them.
  for (const lead of ['I', 'III']) {
    const l = LEADS.indexOf(lead as (typeof LEADS)[number]);
    assert.is(masked.records[0]!.snr[l], null, `${lead} masked: NaN, printed as null`);
    assert.ok(full.records[0]!.snr[l]! < 3, `${lead} unmasked: ${full.records[0]!.snr[l]}`);
  }
  // aVR (second column) is all zeros where it is plotted: no better than nothing.
  assert.ok((masked.records[0]!.snr[LEADS.indexOf('aVR')] as number) <= 0.1, `aVR masked: ${masked.records[0]!.snr[LEADS.indexOf('aVR')]}`);
});

test('an output at twice the rate is resampled to the reference', async () => {
  const fast = noisy.map((s) => Float32Array.from({ length: 2 * N }, (_, n) => (n % 2 === 0 ? s[n / 2]! : (s[(n - 1) / 2]! + s[Math.min(N - 1, (n + 1) / 2)]!) / 2)));
  const fastDir = join(dir, 'fast');
  mkdirSync(fastDir);
  await write(fastDir, 'rec1', fast, 2 * FS);
  const result = cli(['snr', fastDir, '--reference', referenceDir, '--json']);
  assert.is(result.status, 0, result.stderr);
  const mean = (JSON.parse(result.stdout) as { mean: number }).mean;
  assert.ok(mean > 5, `mean ${mean}`);
});

test('a record without a reference is named and the others are scored (exit 1); a missing path and a bad --mask are usage errors naming what is wrong', async () => {
  await write(digitizedDir, 'stranger', reference);
  const result = cli(['snr', digitizedDir, '--reference', referenceDir]);
  assert.is(result.status, 1);
  assert.match(result.stderr, 'stranger: no reference record for it');
  assert.match(result.stdout, 'rec1.hea');
  assert.match(result.stdout, 'rec2-0.hea');
  const missing = cli(['snr', join(dir, 'nowhere'), '--reference', referenceDir]);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, 'nowhere: no such file or folder');
  const bad = cli(['snr', digitizedDir, '--reference', referenceDir, '--mask', '4x3']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '3x4');
  assert.match(bad.stderr, 'none');
});

test.run();
