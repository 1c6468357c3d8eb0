/**
 * A data set on disk, as the data stage leaves it for the stages after it:
 *   signals.f32    all samples, float32 little-endian, record after record,
 *                  lead after lead (LEADS order) within a record;
 *   manifest.json  DataManifest: per record its name, split, labels,
 *                  patient, offset and length, plus the data set digest.
 * digest = sha256 over, per record in manifest order: name, NUL, the label
 * vector (11 float32), the samples (float32) — what a figure was computed on.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHALLENGE_CLASSES, LEADS, labelVector, type ChallengeClass, type EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/fs.js';
import { dataMessages as msg } from '../core/messages.js';
import type { Split } from './split.js';

export const DATASET_FORMAT = 'ecg-lab/dataset@1';
export const SIGNALS_FILE = 'signals.f32';
export const MANIFEST_FILE = 'manifest.json';

export interface DatasetRecordEntry {
  readonly name: string;
  readonly split: Split;
  readonly labels: readonly ChallengeClass[];
  readonly patientId?: string;
  readonly stratFold?: number;
  /** Index of the record's first float32 in signals.f32. */
  readonly offset: number;
  /** Samples per lead. */
  readonly length: number;
  readonly meta?: Readonly<Record<string, string | number | boolean>>;
}

export interface DataManifest {
  readonly format: typeof DATASET_FORMAT;
  readonly source: string;
  readonly fsHz: number;
  readonly leads: readonly string[];
  readonly classes: readonly string[];
  /** sha256 hex over names, labels and samples (see the file comment). */
  readonly digest: string;
  /** False when PTB-XL's Acute MI could not be resolved (every MI is Old MI): tag runs with it. */
  readonly acuteMiResolved: boolean;
  readonly signalsFile: string;
  readonly counts: Readonly<Record<Split, number>>;
  /** Records per class and split. */
  readonly labelCounts: Readonly<Record<string, Readonly<Record<Split, number>>>>;
  readonly records: readonly DatasetRecordEntry[];
}

export interface DatasetInput {
  readonly source: string;
  readonly fsHz: number;
  readonly acuteMiResolved: boolean;
  readonly records: readonly EcgRecord[];
  readonly splits: readonly Split[];
}

export async function writeDataset(dir: string, input: DatasetInput): Promise<DataManifest> {
  const total = input.records.reduce((sum, r) => sum + r.signals.length * (r.signals[0]?.length ?? 0), 0);
  const samples = new Float32Array(total);
  const hash = createHash('sha256');
  const entries: DatasetRecordEntry[] = [];
  const counts: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const labelCounts: Record<string, Record<Split, number>> = Object.fromEntries(CHALLENGE_CLASSES.map((c) => [c, { train: 0, val: 0, test: 0 }]));
  let offset = 0;
  input.records.forEach((record, i) => {
    const split = input.splits[i] as Split;
    const length = record.signals[0]?.length ?? 0;
    const start = offset;
    for (const signal of record.signals) {
      samples.set(signal, offset);
      offset += signal.length;
    }
    hash.update(record.name).update('\0');
    hash.update(new Uint8Array(labelVector(record.labels).buffer));
    hash.update(new Uint8Array(samples.buffer, start * 4, (offset - start) * 4));
    counts[split]++;
    for (const label of record.labels) (labelCounts[label] as Record<Split, number>)[split]++;
    entries.push({
      name: record.name,
      split,
      labels: record.labels,
      ...(record.patientId !== undefined ? { patientId: record.patientId } : {}),
      ...(record.stratFold !== undefined ? { stratFold: record.stratFold } : {}),
      offset: start,
      length,
      ...(record.meta ? { meta: record.meta } : {}),
    });
  });
  const manifest: DataManifest = {
    format: DATASET_FORMAT,
    source: input.source,
    fsHz: input.fsHz,
    leads: LEADS,
    classes: CHALLENGE_CLASSES,
    digest: hash.digest('hex'),
    acuteMiResolved: input.acuteMiResolved,
    signalsFile: SIGNALS_FILE,
    counts,
    labelCounts,
    records: entries,
  };
  await writeFileAtomic(join(dir, SIGNALS_FILE), new Uint8Array(samples.buffer));
  await writeJsonAtomic(join(dir, MANIFEST_FILE), manifest);
  return manifest;
}

export type DatasetSplits = Readonly<Record<Split, EcgRecord[]>>;

/** The records of a data set folder, per split, in manifest order. */
export async function readDatasetDir(dir: string, manifest?: DataManifest): Promise<DatasetSplits> {
  const m = manifest ?? (await readManifest(dir));
  const bytes = await readFile(join(dir, m.signalsFile)).catch((error: unknown) => {
    throw new EcgError('DATA_INVALID', msg.datasetCorrupt(dir, `cannot read ${m.signalsFile}`), { cause: error });
  });
  const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: Record<Split, EcgRecord[]> = { train: [], val: [], test: [] };
  for (const entry of m.records) {
    const end = entry.offset + entry.length * m.leads.length;
    if (end > samples.length) throw new EcgError('DATA_INVALID', msg.datasetCorrupt(dir, `record ${entry.name} ends at float ${end}, but ${m.signalsFile} holds ${samples.length}`));
    const signals = m.leads.map((_, i) => samples.subarray(entry.offset + i * entry.length, entry.offset + (i + 1) * entry.length));
    out[entry.split].push({
      name: entry.name,
      fsHz: m.fsHz,
      signals,
      labels: entry.labels,
      ...(entry.patientId !== undefined ? { patientId: entry.patientId } : {}),
      ...(entry.stratFold !== undefined ? { stratFold: entry.stratFold } : {}),
      ...(entry.meta ? { meta: entry.meta } : {}),
    });
  }
  return out;
}

/** The records of the data stage's output, per split. */
export async function readDataset(output: { readonly dir: string; readonly manifest: DataManifest }): Promise<DatasetSplits> {
  return readDatasetDir(output.dir, output.manifest);
}

export async function readManifest(dir: string): Promise<DataManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new EcgError('DATA_INVALID', msg.datasetCorrupt(dir, `cannot read ${MANIFEST_FILE}`), { cause: error });
  }
  if ((parsed as { format?: unknown }).format !== DATASET_FORMAT) {
    throw new EcgError('DATA_INVALID', msg.datasetCorrupt(dir, `${MANIFEST_FILE} is not a ${DATASET_FORMAT} manifest`));
  }
  return parsed as DataManifest;
}
