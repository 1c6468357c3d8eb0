/**
 * Records per second of the synthetic generator at 100 and 500 Hz (10 s,
 * 12 leads, default priors and noise), one process, one thread.
 * Run: node --import tsx bench/data-generator.ts [records]
 */
import { generateRecord, type SyntheticOptions } from '../src/data/synthetic/generator.js';
import { DEFAULT_PRIORS } from '../src/data/synthetic/priors.js';
import { measureIntervals } from '../src/data/rpeaks.js';

const count = Number(process.argv[2] ?? 1000);
const noise = { baselineWanderMv: 0.05, mainsHumMv: 0.01, mainsHz: 50, muscleNoiseMv: 0.01 };

for (const fsHz of [100, 500]) {
  const options: SyntheticOptions = { seed: 1, fsHz, durationS: 10, priors: DEFAULT_PRIORS, noise };
  for (let i = 0; i < 50; i++) generateRecord(i, options);
  const n = fsHz === 100 ? count : Math.max(1, Math.round(count / 4));
  let start = performance.now();
  const records = [];
  for (let i = 0; i < n; i++) records.push(generateRecord(i, options));
  const generate = (performance.now() - start) / 1000;
  start = performance.now();
  for (const record of records) measureIntervals(record.signals, fsHz);
  const detect = (performance.now() - start) / 1000;
  console.log(`generator ${fsHz} Hz: ${(n / generate).toFixed(0)} records/s (${n} records in ${generate.toFixed(2)} s); R-peak detector + intervals: ${(n / detect).toFixed(0)} records/s`);
}
