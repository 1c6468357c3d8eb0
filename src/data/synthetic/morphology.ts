/**
 * The waves of one patient's beats: each wave is a Gaussian in time with a
 * 3-D vector amplitude (the cardiac dipole). This is the closed form of
 * ECGSYN's z-equation (McSharry et al. 2003: a sum of Gaussian events
 * P, Q, R, S, T on each beat's phase) carried to a rotating dipole as in
 * Sameni et al. 2007 (IEEE TBME 54(12)), with asymmetric widths for T and
 * a separate ST-segment event. Normal vectors follow the textbook mean
 * axes: QRS left-inferior and slightly posterior, T close to it, P
 * left-inferior; each class adds its signature (see classSignature).
 */
import type { ChallengeClass } from '../../core/ecg.js';
import type { Rng } from '../../core/rng.js';
import { add, apply, reduceAlong, rotation, scale, unit, type Mat3, type Vec3 } from './vec.js';

export interface Wave {
  /** Peak time relative to the beat's R time, in s. */
  readonly atS: number;
  readonly sigmaBeforeS: number;
  readonly sigmaAfterS: number;
  readonly v: Vec3;
}

export interface Morphology {
  /** Sinus P wave vector and width; PR interval (P onset to QRS onset). */
  readonly p: Vec3;
  readonly pSigmaS: number;
  readonly prS: number;
  /** Ectopic atrial P vector (PAC beats). */
  readonly pacP: Vec3;
  /** QRS onset relative to R, in s (negative). */
  readonly qrsOnsetS: number;
  readonly qrsMs: number;
  readonly qrs: readonly Wave[];
  /** ST-segment deviation vector (elevation toward where it points). */
  readonly st: Vec3;
  readonly t: Vec3;
  readonly tSigmaBeforeS: number;
  readonly tSigmaAfterS: number;
  /** Corrected QT (Bazett) in s: QT = qtc * sqrt(RR). */
  readonly qtcS: number;
  readonly pvc: { readonly qrs: readonly Wave[]; readonly t: Wave };
  /** Facts for the record's meta (territory, conduction type...). */
  readonly facts: Readonly<Record<string, string | number>>;
}

/** Where a coronary territory points in body coordinates. */
const TERRITORIES: Readonly<Record<string, Vec3>> = {
  anterior: unit([-0.1, 0.05, 1]),
  inferior: unit([-0.1, 1, 0.05]),
  lateral: unit([1, -0.35, -0.1]),
};

const deg = (d: number) => (d * Math.PI) / 180;

export function buildMorphology(labels: readonly ChallengeClass[], rng: Rng): Morphology {
  const has = (c: ChallengeClass) => labels.includes(c);
  const facts: Record<string, string | number> = {};
  const amp = Math.exp(rng.normal(0, 0.18));
  const qrsMs0 = rng.uniform(80, 104);
  const w = qrsMs0 / 1000;
  const onsetS = -0.45 * w;
  let prS = rng.uniform(0.13, 0.19);
  let qrsMs = qrsMs0;
  let p: Vec3 = scale([0.07, 0.13, 0.03], rng.uniform(0.7, 1.3));
  let q: Vec3 = scale([-0.15, 0, 0.25], rng.uniform(0.5, 1.2));
  let r: Vec3 = scale([0.85, 0.9, -0.2], amp * rng.uniform(0.8, 1.25));
  let s: Vec3 = scale([-0.25, -0.25, -0.6], amp * rng.uniform(0.7, 1.3));
  let t: Vec3 = scale([0.3, 0.28, 0.22], amp * rng.uniform(0.6, 1.15));
  let st: Vec3 = [0, 0, 0];
  let qtcS = rng.uniform(0.38, 0.43);
  const extraQrs: Wave[] = [];
  let septalQ = true;

  if (!has('NORM') && !['Acute MI', 'Old MI', 'STTC', 'CD', 'HYP'].some((c) => has(c as ChallengeClass))) {
    const finding = rng.pick(['low-voltage', 'left-axis', 'right-axis'] as const);
    facts['finding'] = finding;
    if (finding === 'low-voltage') [r, s, t] = [scale(r, 0.45), scale(s, 0.45), scale(t, 0.6)];
  }
  if (has('HYP')) {
    const rvh = rng.chance(0.2);
    facts['hyp'] = rvh ? 'RVH' : 'LVH';
    if (rvh) {
      r = add(scale(r, 0.6), scale([-0.6, 0.5, 0.7], amp * rng.uniform(1, 1.6)));
      s = add(s, scale([0.5, -0.1, -0.3], amp));
    } else {
      const k = rng.uniform(1.6, 2.4);
      r = add(scale(r, k * 0.8), scale([0.3, 0, -0.3], amp * k * 0.3));
      s = scale(s, rng.uniform(1.5, 2.2));
      qrsMs += rng.uniform(0, 10);
    }
  }
  if (has('CD')) {
    const type = rng.pick(['RBBB', 'RBBB', 'LBBB', 'IVCD', 'AVB1', 'AVB1'] as const);
    facts['conduction'] = type;
    if (type === 'AVB1') prS = rng.uniform(0.22, 0.32);
    if (type === 'RBBB') {
      qrsMs = rng.uniform(125, 160);
      extraQrs.push({ atS: onsetS + qrsMs / 1000 - 0.045, sigmaBeforeS: 0.018, sigmaAfterS: 0.02, v: scale([-0.45, 0.05, 0.6], amp * rng.uniform(0.8, 1.3)) });
      t = add(t, [0.05, 0, -0.2]);
    }
    if (type === 'LBBB' || type === 'IVCD') {
      qrsMs = rng.uniform(128, 170);
      septalQ = type !== 'LBBB';
      const lv: Vec3 = scale([0.9, 0.15, -0.65], amp * rng.uniform(0.9, 1.4));
      extraQrs.push({ atS: onsetS + qrsMs / 1000 - 0.055, sigmaBeforeS: 0.018, sigmaAfterS: 0.022, v: lv });
      r = scale(r, 0.7);
      if (type === 'LBBB') t = scale(add(t, scale(lv, -0.5)), 0.8);
    }
    if (rng.chance(0.25) && type !== 'AVB1') prS = rng.uniform(0.21, 0.28);
  }
  if (has('Old MI')) {
    const territory = rng.pick(['anterior', 'inferior', 'inferior', 'lateral'] as const);
    facts['oldMiTerritory'] = territory;
    const u = TERRITORIES[territory] as Vec3;
    extraQrs.push({ atS: onsetS + 0.02, sigmaBeforeS: rng.uniform(0.011, 0.016), sigmaAfterS: 0.012, v: scale(u, -amp * rng.uniform(0.35, 0.8)) });
    r = reduceAlong(r, u, rng.uniform(0.4, 0.8));
    septalQ = false;
    if (rng.chance(0.3)) t = reduceAlong(t, u, rng.uniform(1.2, 1.8));
  }
  if (has('Acute MI')) {
    const territory = rng.pick(['anterior', 'anterior', 'inferior', 'inferior', 'lateral'] as const);
    facts['acuteMiTerritory'] = territory;
    const u = TERRITORIES[territory] as Vec3;
    const elevation = rng.uniform(0.15, 0.45);
    st = add(st, scale(u, elevation));
    t = add(t, scale(u, elevation * rng.uniform(0.5, 1.2)));
  }
  if (has('STTC')) {
    const kind = rng.pick(['st-depression', 't-inversion', 't-inversion', 'both', 'long-qt'] as const);
    facts['sttc'] = kind;
    const apex = unit([0.7, 0.55, 0.25]);
    if (kind === 'st-depression' || kind === 'both') st = add(st, scale(apex, -rng.uniform(0.08, 0.22)));
    if (kind === 't-inversion' || kind === 'both') t = scale(t, -rng.uniform(0.3, 1.0));
    if (kind === 'long-qt') {
      qtcS = rng.uniform(0.48, 0.55);
      t = scale(t, rng.uniform(0.5, 0.8));
    }
  }

  const axis = facts['finding'] === 'left-axis' ? deg(-55) : facts['finding'] === 'right-axis' ? deg(65) : deg(rng.normal(0, 14));
  const rot: Mat3 = rotation(axis, deg(rng.normal(0, 12)), deg(rng.normal(0, 8)));
  const qrs: Wave[] = [
    { atS: 0, sigmaBeforeS: 0.11 * w, sigmaAfterS: 0.11 * w, v: r },
    { atS: 0.27 * w, sigmaBeforeS: 0.08 * w, sigmaAfterS: 0.09 * w, v: s },
    ...(septalQ ? [{ atS: -0.3 * w, sigmaBeforeS: 0.07 * w, sigmaAfterS: 0.07 * w, v: q }] : []),
    ...extraQrs,
  ].map((wave) => ({ ...wave, v: apply(rot, wave.v) }));

  facts['prMs'] = Math.round(prS * 1000);
  facts['qrsMs'] = Math.round(qrsMs);
  return {
    p: apply(rot, p),
    pSigmaS: rng.uniform(0.017, 0.022),
    prS,
    pacP: apply(rot, rng.pick<Vec3>([[0.05, -0.12, 0.03], [-0.06, 0.05, 0.08], [0.02, 0.04, -0.09]])),
    qrsOnsetS: onsetS,
    qrsMs,
    qrs,
    st: apply(rot, st),
    t: apply(rot, t),
    tSigmaBeforeS: rng.uniform(0.045, 0.065),
    tSigmaAfterS: rng.uniform(0.03, 0.042),
    qtcS,
    pvc: ectopicVentricle(amp, rng),
    facts,
  };
}

/** A premature ventricular beat: one wide QRS from an ectopic focus, T opposite to it. */
function ectopicVentricle(amp: number, rng: Rng): Morphology['pvc'] {
  const focus = rng.pick<Vec3>([[0.8, 0.6, -0.6], [-0.7, 0.7, 0.5], [0.6, -0.7, 0.4], [0.5, 0.8, 0.7]]);
  const v = scale(unit(focus), amp * rng.uniform(1.6, 2.6));
  const sigma = rng.uniform(0.026, 0.034);
  return {
    qrs: [
      { atS: 0, sigmaBeforeS: sigma, sigmaAfterS: sigma * 1.2, v },
      { atS: 0.05, sigmaBeforeS: 0.02, sigmaAfterS: 0.025, v: scale(v, -0.25) },
    ],
    t: { atS: rng.uniform(0.24, 0.3), sigmaBeforeS: 0.07, sigmaAfterS: 0.05, v: scale(v, -rng.uniform(0.25, 0.4)) },
  };
}
