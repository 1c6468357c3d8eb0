/**
 * The cardiac dipole over time: every wave of every beat added as a
 * band-limited Gaussian. Sampling a 10 ms-wide Gaussian at 100 Hz would
 * alias (the R peak would jump from beat to beat), so each wave is first
 * convolved analytically with a Gaussian anti-alias kernel of sigma
 * 0.45/fs: widths add in quadrature, area is preserved.
 */
import type { Rng } from '../../core/rng.js';
import type { Morphology, Wave } from './morphology.js';
import type { Atrial, Beat } from './rhythm.js';
import { scale, unit, type Vec3 } from './vec.js';

export type Dipole = readonly [Float64Array, Float64Array, Float64Array];

export function renderDipole(beats: readonly Beat[], morph: Morphology, atrial: Atrial, fsHz: number, n: number, rng: Rng): Dipole {
  const dipole: Dipole = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const aa = 0.45 / fsHz;
  const add = (tS: number, wave: Wave) => addWave(dipole, fsHz, n, tS, wave, aa);
  for (const beat of beats) {
    if (beat.kind === 'pvc') {
      for (const wave of morph.pvc.qrs) add(beat.tS, wave);
      add(beat.tS, morph.pvc.t);
      continue;
    }
    const onset = beat.tS + morph.qrsOnsetS;
    if (beat.kind === 'sinus' || beat.kind === 'pac') {
      const pr = beat.kind === 'pac' ? morph.prS * 0.92 : morph.prS;
      const v = beat.kind === 'pac' ? morph.pacP : morph.p;
      add(onset - pr + 2.5 * morph.pSigmaS, { atS: 0, sigmaBeforeS: morph.pSigmaS, sigmaAfterS: morph.pSigmaS, v });
    }
    for (const wave of morph.qrs) add(beat.tS, wave);
    const qt = morph.qtcS * Math.sqrt(Math.min(2, Math.max(0.3, beat.rrS)));
    const tPeak = onset + qt - 2.3 * morph.tSigmaAfterS;
    const j = onset + morph.qrsMs / 1000;
    const stWidth = Math.max(0.02, (tPeak - j) / 2.5);
    add((j + tPeak) / 2, { atS: 0, sigmaBeforeS: stWidth, sigmaAfterS: stWidth, v: morph.st });
    add(tPeak, { atS: 0, sigmaBeforeS: morph.tSigmaBeforeS, sigmaAfterS: morph.tSigmaAfterS, v: morph.t });
  }
  if (atrial.kind !== 'sinus') addAtrialActivity(dipole, fsHz, n, atrial, rng);
  return dipole;
}

function addWave(dipole: Dipole, fsHz: number, n: number, tS: number, wave: Wave, aa: number): void {
  const [vx, vy, vz] = wave.v;
  if (vx === 0 && vy === 0 && vz === 0) return;
  const sb = Math.hypot(wave.sigmaBeforeS, aa);
  const sa = Math.hypot(wave.sigmaAfterS, aa);
  const gain = (wave.sigmaBeforeS + wave.sigmaAfterS) / (sb + sa);
  const center = (tS + wave.atS) * fsHz;
  const lo = Math.max(0, Math.ceil(center - 4.5 * sb * fsHz));
  const hi = Math.min(n - 1, Math.floor(center + 4.5 * sa * fsHz));
  const [x, y, z] = dipole;
  for (let k = lo; k <= hi; k++) {
    const dt = (k - center) / fsHz;
    const s = dt < 0 ? sb : sa;
    const g = gain * Math.exp((-0.5 * dt * dt) / (s * s));
    x[k] = (x[k] as number) + g * vx;
    y[k] = (y[k] as number) + g * vy;
    z[k] = (z[k] as number) + g * vz;
  }
}

/**
 * Fibrillatory waves: three drifting sinusoids of 4-9 Hz on an atrial
 * vector that shows best in V1 and the inferior leads. Flutter: a
 * band-limited sawtooth (4 harmonics), negative in II, III and aVF.
 */
function addAtrialActivity(dipole: Dipole, fsHz: number, n: number, atrial: Exclude<Atrial, { kind: 'sinus' }>, rng: Rng): void {
  let signal: (tS: number) => number;
  let v: Vec3;
  if (atrial.kind === 'fibrillation') {
    v = scale(unit([-0.3, 0.45, 0.85]), rng.uniform(0.03, 0.09));
    const parts = [0, 1, 2].map(() => ({ f: rng.uniform(4.5, 8.5), phase: rng.uniform(0, 2 * Math.PI), a: rng.uniform(0.4, 1), drift: rng.uniform(0.1, 0.4) }));
    signal = (t) => parts.reduce((sum, p) => sum + p.a * Math.sin(2 * Math.PI * p.f * t + p.phase + 2 * Math.sin(2 * Math.PI * p.drift * t)), 0) / 1.5;
  } else {
    v = scale(unit([0.1, -1, 0.25]), rng.uniform(0.1, 0.2));
    const phase = rng.uniform(0, 2 * Math.PI);
    signal = (t) => {
      let sum = 0;
      for (let h = 1; h <= 4; h++) sum += Math.sin(h * (2 * Math.PI * atrial.rateHz * t + phase)) / h;
      return sum * 0.6;
    };
  }
  const [x, y, z] = dipole;
  for (let k = 0; k < n; k++) {
    const s = signal(k / fsHz);
    x[k] = (x[k] as number) + s * v[0];
    y[k] = (y[k] as number) + s * v[1];
    z[k] = (z[k] as number) + s * v[2];
  }
}
