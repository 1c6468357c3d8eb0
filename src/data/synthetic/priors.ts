/**
 * Which classes a synthetic record has. The draw is structured so that the
 * marginal frequency of every class equals its prior exactly while the label
 * sets stay physiological:
 *   rhythm:      one of AFIB/AFL, TACHY, BRADY or none (categorical);
 *   NORM:        Bernoulli(p_NORM);
 *   morphology:  only when not NORM; Acute MI / Old MI / neither
 *                (categorical), STTC, CD, HYP (Bernoulli), each with its
 *                prior divided by (1 - p_NORM);
 *   ectopy:      PVC Bernoulli; PAC only outside AFIB/AFL, with p / (1 - p_AFIB).
 * A record that is neither NORM nor has a morphology class gets a finding
 * outside the 11 classes (low voltage, axis deviation), as PTB-XL's records
 * without a diagnostic superclass do.
 */
import { CHALLENGE_CLASSES, isChallengeClass, type ChallengeClass } from '../../core/ecg.js';
import { EcgError } from '../../core/errors.js';
import { dataMessages as msg } from '../../core/messages.js';
import type { Rng } from '../../core/rng.js';

export type Priors = Readonly<Record<ChallengeClass, number>>;

export const DEFAULT_PRIORS: Priors = Object.freeze({
  NORM: 0.4,
  'Acute MI': 0.08,
  'Old MI': 0.15,
  STTC: 0.2,
  CD: 0.2,
  HYP: 0.12,
  PAC: 0.08,
  PVC: 0.08,
  'AFIB/AFL': 0.1,
  TACHY: 0.08,
  BRADY: 0.1,
});

/** Defaults overlaid with the configured priors, checked for range and consistency. */
export function resolvePriors(overrides: Readonly<Record<string, number>>): Priors {
  const priors: Record<string, number> = { ...DEFAULT_PRIORS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!isChallengeClass(name)) throw new EcgError('CONFIG_INVALID', msg.priorUnknownClass(name, CHALLENGE_CLASSES));
    if (!(value >= 0 && value <= 1)) throw new EcgError('CONFIG_INVALID', msg.priorOutOfRange(name, value));
    priors[name] = value;
  }
  const p = priors as Priors;
  const notNorm = 1 - p.NORM;
  const problems: string[] = [];
  if (p['AFIB/AFL'] + p.TACHY + p.BRADY > 1 + 1e-9) problems.push('AFIB/AFL + TACHY + BRADY must not exceed 1 (they exclude each other)');
  if (p['Acute MI'] + p['Old MI'] > notNorm + 1e-9) problems.push('Acute MI + Old MI must not exceed 1 - NORM');
  for (const name of ['STTC', 'CD', 'HYP'] as const) if (p[name] > notNorm + 1e-9) problems.push(`${name} must not exceed 1 - NORM`);
  if (p.PAC > 1 - p['AFIB/AFL'] + 1e-9) problems.push('PAC must not exceed 1 - AFIB/AFL (no PACs in atrial fibrillation)');
  if (problems.length > 0) throw new EcgError('CONFIG_INVALID', msg.priorsInconsistent(problems.join('; ')));
  return p;
}

export function drawLabels(priors: Priors, rng: Rng): ChallengeClass[] {
  const labels = new Set<ChallengeClass>();
  const rhythm = rng.next();
  if (rhythm < priors['AFIB/AFL']) labels.add('AFIB/AFL');
  else if (rhythm < priors['AFIB/AFL'] + priors.TACHY) labels.add('TACHY');
  else if (rhythm < priors['AFIB/AFL'] + priors.TACHY + priors.BRADY) labels.add('BRADY');
  if (rng.chance(priors.NORM)) {
    labels.add('NORM');
  } else {
    const scale = 1 / (1 - priors.NORM);
    const mi = rng.next();
    if (mi < priors['Acute MI'] * scale) labels.add('Acute MI');
    else if (mi < (priors['Acute MI'] + priors['Old MI']) * scale) labels.add('Old MI');
    for (const name of ['STTC', 'CD', 'HYP'] as const) if (rng.chance(priors[name] * scale)) labels.add(name);
  }
  if (rng.chance(priors.PVC)) labels.add('PVC');
  const pac = rng.chance(priors['AFIB/AFL'] < 1 ? priors.PAC / (1 - priors['AFIB/AFL']) : 0);
  if (pac && !labels.has('AFIB/AFL')) labels.add('PAC');
  return CHALLENGE_CLASSES.filter((c) => labels.has(c));
}
