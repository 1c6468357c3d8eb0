/**
 * Shared vocabulary of the ECG domain: lead names, the challenge's classes and
 * the in-memory record. Plain data, no I/O: every folder may import it.
 */

/** The 12 standard leads in the order the challenge and PTB-XL use. */
export const LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
export type Lead = (typeof LEADS)[number];

/** The PhysioNet Challenge 2024 classes, names exactly so, in the challenge's order. */
export const CHALLENGE_CLASSES = [
  'NORM',
  'Acute MI',
  'Old MI',
  'STTC',
  'CD',
  'HYP',
  'PAC',
  'PVC',
  'AFIB/AFL',
  'TACHY',
  'BRADY',
] as const;
export type ChallengeClass = (typeof CHALLENGE_CLASSES)[number];

export function isChallengeClass(name: string): name is ChallengeClass {
  return (CHALLENGE_CLASSES as readonly string[]).includes(name);
}

/** A multi-label target as a 0/1 vector in CHALLENGE_CLASSES order. */
export function labelVector(labels: readonly ChallengeClass[]): Float32Array {
  const out = new Float32Array(CHALLENGE_CLASSES.length);
  for (const label of labels) out[CHALLENGE_CLASSES.indexOf(label)] = 1;
  return out;
}

/**
 * A 12-lead recording in physical units. `signals[i]` is lead `LEADS[i]` in mV,
 * all of the same length `fsHz * durationS`.
 */
export interface EcgRecord {
  /** Record name, unique within its data set (e.g. `00001_lr`, `syn-000042`). */
  readonly name: string;
  readonly fsHz: number;
  readonly signals: readonly Float32Array[];
  readonly labels: readonly ChallengeClass[];
  /** Patient id where known: splits keep a patient's records together. */
  readonly patientId?: string;
  /** PTB-XL strat_fold (1-10) where known. */
  readonly stratFold?: number;
  /** Free key/value facts (age, sex, source, generator parameters). */
  readonly meta?: Readonly<Record<string, string | number | boolean>>;
}

export function recordLength(record: EcgRecord): number {
  return record.signals[0]?.length ?? 0;
}
