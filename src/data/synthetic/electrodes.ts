/**
 * From the dipole to the 12 leads through electrode potentials. Each of the
 * nine electrodes (RA, LA, LL, V1-V6) sees the dipole through its lead
 * vector plus its own noise (baseline wander, mains hum, muscle noise);
 * the leads are differences of electrode potentials, so Einthoven's and
 * Goldberger's identities hold exactly whatever the noise:
 *   I = LA - RA, II = LL - RA, III = LL - LA,
 *   aVR = RA - (LA + LL)/2, aVL = LA - (RA + LL)/2, aVF = LL - (RA + LA)/2,
 *   Vi = phi(Vi) - WCT, WCT = (RA + LA + LL)/3.
 * Limb electrode vectors form Einthoven's triangle (I along x, II at 60
 * degrees) and sum to zero; precordial vectors lie in the transverse plane
 * at Dower-like angles from the patient's left towards anterior.
 */
import type { Rng } from '../../core/rng.js';
import type { Dipole } from './dipole.js';
import type { Vec3 } from './vec.js';

const LIMB: readonly Vec3[] = [
  [-0.5, -0.5 / Math.sqrt(3), 0],
  [0.5, -0.5 / Math.sqrt(3), 0],
  [0, 1 / Math.sqrt(3), 0],
];
/** V1..V6: angle in degrees from +x towards +z, inferior component, gain. */
const PRECORDIAL: readonly (readonly [number, number, number])[] = [
  [115, 0.0, 1.0],
  [95, 0.0, 1.6],
  [75, 0.05, 1.6],
  [58, 0.1, 1.5],
  [30, 0.1, 1.2],
  [5, 0.1, 1.0],
];

export interface NoiseLevels {
  readonly baselineWanderMv: number;
  readonly mainsHumMv: number;
  readonly mainsHz: number;
  readonly muscleNoiseMv: number;
}

export function projectToLeads(dipole: Dipole, fsHz: number, noise: NoiseLevels, rng: Rng): Float32Array[] {
  const n = dipole[0].length;
  const vectors: Vec3[] = [
    ...LIMB,
    ...PRECORDIAL.map(([angle, y, gain]): Vec3 => {
      const a = ((angle + rng.normal(0, 5)) * Math.PI) / 180;
      const g = gain * Math.exp(rng.normal(0, 0.12));
      return [g * Math.cos(a), g * y, g * Math.sin(a)];
    }),
  ];
  const phi = vectors.map((v) => electrodePotential(dipole, v, fsHz, noise, rng));
  const [ra, la, ll] = phi as [Float64Array, Float64Array, Float64Array];
  const leads = Array.from({ length: 12 }, () => new Float32Array(n));
  for (let k = 0; k < n; k++) {
    const r = ra[k] as number;
    const l = la[k] as number;
    const f = ll[k] as number;
    const wct = (r + l + f) / 3;
    (leads[0] as Float32Array)[k] = l - r;
    (leads[1] as Float32Array)[k] = f - r;
    (leads[2] as Float32Array)[k] = f - l;
    (leads[3] as Float32Array)[k] = r - (l + f) / 2;
    (leads[4] as Float32Array)[k] = l - (r + f) / 2;
    (leads[5] as Float32Array)[k] = f - (r + l) / 2;
    for (let i = 0; i < 6; i++) (leads[6 + i] as Float32Array)[k] = ((phi[3 + i] as Float64Array)[k] as number) - wct;
  }
  return leads;
}

function electrodePotential(dipole: Dipole, v: Vec3, fsHz: number, noise: NoiseLevels, rng: Rng): Float64Array {
  const [x, y, z] = dipole;
  const n = x.length;
  const out = new Float64Array(n);
  const wander = [0, 1].map(() => ({ a: noise.baselineWanderMv * rng.uniform(0.2, 0.8), f: rng.uniform(0.05, 0.5), p: rng.uniform(0, 2 * Math.PI) }));
  const hum = noise.mainsHumMv * rng.uniform(0, 1);
  const humPhase = rng.uniform(0, 2 * Math.PI);
  const emg = noise.muscleNoiseMv * rng.uniform(0.3, 1);
  const w = (2 * Math.PI) / fsHz;
  for (let k = 0; k < n; k++) {
    let s = v[0] * (x[k] as number) + v[1] * (y[k] as number) + v[2] * (z[k] as number);
    for (const c of wander) s += c.a * Math.sin(w * c.f * k + c.p);
    if (hum > 0) s += hum * Math.sin(w * noise.mainsHz * k + humPhase);
    if (emg > 0) s += rng.normal(0, emg);
    out[k] = s;
  }
  return out;
}
