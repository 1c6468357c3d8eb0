/**
 * When the ventricles beat and what kind of beat each is. Sinus rhythm has
 * respiratory sinus arrhythmia (ECGSYN's RR process reduced to its HF
 * component plus jitter); atrial fibrillation has irregular RR with no P;
 * flutter conducts every 3rd-5th flutter wave. PVCs come early with a full
 * compensatory pause; PACs come early and reset the sinus node.
 */
import type { ChallengeClass } from '../../core/ecg.js';
import type { Rng } from '../../core/rng.js';

export type BeatKind = 'sinus' | 'pac' | 'pvc' | 'conducted';

export interface Beat {
  readonly tS: number;
  readonly kind: BeatKind;
  /** The RR interval preceding the beat in the underlying rhythm (for QT). */
  readonly rrS: number;
}

export type Atrial = { readonly kind: 'sinus' } | { readonly kind: 'fibrillation' } | { readonly kind: 'flutter'; readonly rateHz: number };

export interface Rhythm {
  readonly beats: readonly Beat[];
  readonly atrial: Atrial;
  readonly rateBpm: number;
}

export function scheduleBeats(labels: readonly ChallengeClass[], durationS: number, rng: Rng): Rhythm {
  const has = (c: ChallengeClass) => labels.includes(c);
  const af = has('AFIB/AFL');
  const flutter = af && rng.chance(0.3);
  const rateBpm = has('TACHY') ? rng.uniform(106, 150) : has('BRADY') ? rng.uniform(38, 55) : af ? rng.uniform(68, 90) : has('PAC') ? rng.uniform(62, 84) : rng.uniform(62, 94);
  const rr0 = 60 / rateBpm;
  const atrial: Atrial = flutter ? { kind: 'flutter', rateHz: rng.uniform(4.3, 5.3) } : af ? { kind: 'fibrillation' } : { kind: 'sinus' };

  const nextRr = rrProcess(atrial, rr0, rng);
  const expected = Math.ceil(durationS / rr0) + 2;
  const ectopic = new Map<number, 'pac' | 'pvc'>();
  const slots = rng.shuffle(Array.from({ length: Math.max(0, expected - 3) }, (_, i) => i + 1));
  if (has('PVC') && rng.chance(0.12)) {
    for (let i = 1; i < expected - 1; i += 2) ectopic.set(i, 'pvc');
  } else if (has('PVC')) {
    for (const slot of slots.slice(0, rng.int(1, 3))) ectopic.set(slot, 'pvc');
  }
  if (has('PAC')) {
    const free = slots.filter((s) => !ectopic.has(s) && !ectopic.has(s - 1) && !ectopic.has(s + 1));
    for (const slot of free.slice(0, rng.int(1, 3))) ectopic.set(slot, 'pac');
  }

  const beats: Beat[] = [];
  const base: BeatKind = af ? 'conducted' : 'sinus';
  let t = -rng.uniform(0.1, 1) * rr0;
  let rr = nextRr(t);
  for (let k = 0; t < durationS + 1; k++) {
    beats.push({ tS: t, kind: base, rrS: rr });
    const event = ectopic.get(k);
    const next = nextRr(t);
    if (event === 'pvc') {
      const at = t + rng.uniform(0.45, 0.62) * next;
      beats.push({ tS: at, kind: 'pvc', rrS: at - t });
      t = af ? at + next * rng.uniform(1.15, 1.5) : t + 2 * next;
    } else if (event === 'pac') {
      const at = t + rng.uniform(0.6, 0.75) * next;
      beats.push({ tS: at, kind: 'pac', rrS: at - t });
      t = at + next * rng.uniform(1.0, 1.08);
    } else {
      t += next;
    }
    rr = next;
  }
  return { beats, atrial, rateBpm };
}

function rrProcess(atrial: Atrial, rr0: number, rng: Rng): (t: number) => number {
  if (atrial.kind === 'fibrillation') {
    const cv = rng.uniform(0.14, 0.26);
    return () => rr0 * Math.min(1.7, Math.max(0.6, Math.exp(rng.normal(-0.5 * cv * cv, cv))));
  }
  if (atrial.kind === 'flutter') {
    const allowed = [3, 4, 5].filter((k) => (60 * atrial.rateHz) / k >= 62 && (60 * atrial.rateHz) / k <= 98);
    const ratios = allowed.length > 0 ? allowed : [4];
    const fixed = rng.chance(0.5) ? rng.pick(ratios) : undefined;
    return () => (fixed ?? rng.pick(ratios)) / atrial.rateHz;
  }
  const rsa = rng.uniform(0.01, 0.05);
  const respHz = rng.uniform(0.2, 0.33);
  const phase = rng.uniform(0, 2 * Math.PI);
  return (t) => rr0 * (1 + rsa * Math.sin(2 * Math.PI * respHz * t + phase) + rng.normal(0, 0.01));
}
