/**
 * Train / validation / test assignment. strat_fold: PTB-XL's folds 1-8 /
 * 9 / 10 (the folds already keep a patient's records together). seeded: the
 * patients (sorted, then shuffled by the seed) are cut so that about the
 * requested fractions of records go to test and validation; every record of
 * a patient lands in one split.
 */
import type { EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { dataMessages as msg } from '../core/messages.js';
import { createRng } from '../core/rng.js';

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitOptions {
  readonly method: 'seeded' | 'strat_fold';
  readonly val: number;
  readonly test: number;
  readonly seed: number;
}

/** What a split is decided by: a record's name, patient and PTB-XL fold (a record, or its entry in a data set being written). */
export type SplitSubject = Pick<EcgRecord, 'name' | 'patientId' | 'stratFold'>;

export function assignSplits(records: readonly SplitSubject[], options: SplitOptions): Split[] {
  return options.method === 'strat_fold' ? byStratFold(records) : byPatient(records, options);
}

function byStratFold(records: readonly SplitSubject[]): Split[] {
  return records.map((record) => {
    const fold = record.stratFold;
    if (fold === undefined) {
      throw new EcgError('CONFIG_INVALID', msg.stratFoldMissing(record.name));
    }
    return fold === 10 ? 'test' : fold === 9 ? 'val' : 'train';
  });
}

function byPatient(records: readonly SplitSubject[], options: SplitOptions): Split[] {
  const byPatientId = new Map<string, number[]>();
  records.forEach((record, i) => {
    const id = record.patientId ?? record.name;
    byPatientId.set(id, [...(byPatientId.get(id) ?? []), i]);
  });
  const patients = createRng(`ecg-lab/split/${options.seed}`).shuffle([...byPatientId.keys()].sort());
  const out: Split[] = records.map(() => 'train');
  const testTarget = Math.round(options.test * records.length);
  const valTarget = Math.round(options.val * records.length);
  let test = 0;
  let val = 0;
  for (const patient of patients) {
    const members = byPatientId.get(patient) ?? [];
    let split: Split = 'train';
    if (test < testTarget) {
      split = 'test';
      test += members.length;
    } else if (val < valTarget) {
      split = 'val';
      val += members.length;
    }
    for (const i of members) out[i] = split;
  }
  return out;
}

/** Refuse a split layout a run cannot use (an empty split that was asked for). */
export function checkSplits(splits: readonly Split[], options: SplitOptions): void {
  const wanted: Split[] = options.method === 'strat_fold' ? ['train'] : (['train', 'val', 'test'] as Split[]).filter((s) => s === 'train' || options[s] > 0);
  for (const split of wanted) if (!splits.includes(split)) throw new EcgError('DATA_INVALID', msg.splitEmpty(split, splits.length));
}
