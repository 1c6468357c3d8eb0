/**
 * Between WFDB records and EcgRecord: leads reordered to LEADS (names matched
 * case-insensitively, AVR -> aVR), challenge labels from `# Labels:` lines,
 * age and sex from `# Age:` / `# Sex:` comments.
 */
import { CHALLENGE_CLASSES, LEADS, isChallengeClass, type ChallengeClass, type EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { dataMessages as msg } from '../core/messages.js';
import { standardLeadOrder } from './leads.js';
import { commentFields } from './wfdb-header.js';
import { readWfdbRecord, type WfdbRecord, type WfdbWriteInput } from './wfdb.js';

export function wfdbToEcgRecord(record: WfdbRecord, overrides: Partial<Pick<EcgRecord, 'name' | 'labels' | 'patientId' | 'stratFold'>> = {}): EcgRecord {
  const descriptions = record.header.signals.map((s) => s.description);
  const order = standardLeadOrder(descriptions);
  if (order === undefined) throw new EcgError('DATA_INVALID', msg.wfdbNotTwelveLead(record.headerPath, descriptions));
  const fields = commentFields(record.header.comments);
  const labels = overrides.labels ?? parseLabels(fields.get('Labels'), record.headerPath);
  const meta: Record<string, string | number> = {};
  const age = fields.get('Age');
  if (age !== undefined && age !== '' && Number.isFinite(Number(age))) meta['age'] = Number(age);
  const sex = fields.get('Sex');
  if (sex !== undefined && sex !== '') meta['sex'] = sex;
  return {
    name: overrides.name ?? record.header.recordName,
    fsHz: record.header.fsHz,
    signals: order.map((i) => record.physical[i] as Float32Array),
    labels,
    ...(overrides.patientId !== undefined ? { patientId: overrides.patientId } : {}),
    ...(overrides.stratFold !== undefined ? { stratFold: overrides.stratFold } : {}),
    meta,
  };
}

export async function readEcgRecord(recordPath: string): Promise<EcgRecord> {
  return wfdbToEcgRecord(await readWfdbRecord(recordPath));
}

/** `NORM, STTC` -> classes in CHALLENGE_CLASSES order; empty or absent -> none. */
export function parseLabels(text: string | undefined, file: string): ChallengeClass[] {
  if (text === undefined) return [];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!isChallengeClass(name)) throw new EcgError('DATA_INVALID', msg.wfdbUnknownLabel(file, name, CHALLENGE_CLASSES));
  }
  return CHALLENGE_CLASSES.filter((c) => names.includes(c));
}

/** The challenge's header comment for labels: `Labels: NORM, STTC` in CHALLENGE_CLASSES order. */
export function labelsComment(labels: readonly ChallengeClass[]): string {
  return `Labels: ${CHALLENGE_CLASSES.filter((c) => labels.includes(c)).join(', ')}`;
}

/** What writeWfdbRecord needs to store an EcgRecord challenge-style. */
export function ecgRecordToWfdb(record: EcgRecord): WfdbWriteInput {
  const comments: string[] = [];
  const age = record.meta?.['age'];
  const sex = record.meta?.['sex'];
  if (age !== undefined) comments.push(`Age: ${age}`);
  if (sex !== undefined) comments.push(`Sex: ${sex === 'M' ? 'Male' : sex === 'F' ? 'Female' : sex}`);
  comments.push(labelsComment(record.labels));
  return { name: record.name, fsHz: record.fsHz, signals: record.signals, leads: LEADS, comments };
}
