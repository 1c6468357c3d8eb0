/**
 * Speed of the challenge SNR (alignment included) per lead, for 10 s leads at
 * 100 Hz and 500 Hz, on ECG-like signals: a clean digitization, a noisy one,
 * a lead plotted for 2.5 s only, and a periodic sine (the worst case for the
 * pruned correlation). Prints figures; never fails on time.
 *   node --import tsx bench/metrics-snr.ts
 */
import { leadSnr } from '../src/metrics/snr.js';
import { createRng } from '../src/core/rng.js';

function ecgLike(length: number, fsHz: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const x = new Float64Array(length);
  let beat = 0.3;
  while (beat < length / fsHz) {
    for (let n = 0; n < length; n++) {
      const t = n / fsHz - beat;
      x[n]! += 1.2 * Math.exp(-((t / 0.012) ** 2)) + 0.25 * Math.exp(-(((t - 0.25) / 0.05) ** 2)) + 0.1 * Math.exp(-(((t + 0.16) / 0.03) ** 2));
    }
    beat += 0.8 + 0.1 * rng.next();
  }
  return x;
}

function time(label: string, reference: Float64Array, output: Float64Array, fsHz: number): void {
  leadSnr(reference, output, fsHz);
  const runs = 10;
  const start = performance.now();
  let snr = 0;
  for (let i = 0; i < runs; i++) snr = leadSnr(reference, output, fsHz);
  const ms = (performance.now() - start) / runs;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms/lead  ${(12 * ms).toFixed(0).padStart(5)} ms/record  SNR ${snr.toFixed(2)} dB`);
}

for (const fsHz of [100, 500]) {
  const length = 10 * fsHz;
  const rng = createRng(1);
  const x = ecgLike(length, fsHz, 2);
  const clean = x.map((v, n) => (n >= 5 ? (x[n - 5] as number) + 0.1 : NaN));
  const noisy = x.map((v) => v + rng.normal(0, 0.05));
  const partial = x.map((v, n) => (n >= 2.5 * fsHz && n < 5 * fsHz ? v : NaN));
  const partialOut = partial.map((v) => v + rng.normal(0, 0.02));
  const sine = new Float64Array(length).map((_, n) => Math.sin((2 * Math.PI * n) / (0.5 * fsHz)));
  time(`${fsHz} Hz ECG-like, delayed + offset copy`, x, clean, fsHz);
  time(`${fsHz} Hz ECG-like, gaussian noise 0.05 mV`, x, noisy, fsHz);
  time(`${fsHz} Hz 2.5 s plotted of 10 s`, partial, partialOut, fsHz);
  time(`${fsHz} Hz sine 2 Hz + alternating 1e-3`, sine, sine.map((v, n) => v + (n % 2 ? 1e-3 : -1e-3)), fsHz);
}
