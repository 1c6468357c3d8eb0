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
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CHALLENGE_CLASSES, LEADS, labelVector, type ChallengeClass, type EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { ensureDir, tempSibling, writeJsonAtomic } from '../core/fs.js';
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

/** A record's entry before its split is known (splits are assigned once every record is stored). */
export type UnsplitEntry = Omit<DatasetRecordEntry, 'split'>;

/**
 * A data set written record by record: append() writes a record's samples
 * to a temporary signals file and hashes them; finish() assigns the splits,
 * renames the file into place and writes the manifest. Memory holds the
 * entries (names, labels, offsets), never the samples; a writer that fails
 * or is abandoned leaves only its temporary file, which abort() removes.
 */
export class DatasetWriter {
  readonly entries: UnsplitEntry[] = [];
  private readonly hash = createHash('sha256');
  private offset = 0;

  private constructor(
    private readonly dir: string,
    private readonly tmp: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(dir: string): Promise<DatasetWriter> {
    await ensureDir(dir);
    const tmp = tempSibling(join(dir, SIGNALS_FILE));
    return new DatasetWriter(dir, tmp, await open(tmp, 'w'));
  }

  async append(record: EcgRecord): Promise<void> {
    const length = record.signals[0]?.length ?? 0;
    const samples = new Float32Array(record.signals.length * length);
    record.signals.forEach((signal, i) => samples.set(signal, i * length));
    const bytes = new Uint8Array(samples.buffer);
    this.hash.update(record.name).update('\0');
    this.hash.update(new Uint8Array(labelVector(record.labels).buffer));
    this.hash.update(bytes);
    await this.handle.write(bytes);
    this.entries.push({
      name: record.name,
      labels: record.labels,
      ...(record.patientId !== undefined ? { patientId: record.patientId } : {}),
      ...(record.stratFold !== undefined ? { stratFold: record.stratFold } : {}),
      offset: this.offset,
      length,
      ...(record.meta ? { meta: record.meta } : {}),
    });
    this.offset += samples.length;
  }

  /** Store the manifest with each entry's split (splits[i] for entries[i]); the data set is in place only after this. */
  async finish(input: Omit<DatasetInput, 'records'>): Promise<DataManifest> {
    const counts: Record<Split, number> = { train: 0, val: 0, test: 0 };
    const labelCounts: Record<string, Record<Split, number>> = Object.fromEntries(CHALLENGE_CLASSES.map((c) => [c, { train: 0, val: 0, test: 0 }]));
    const records = this.entries.map((entry, i): DatasetRecordEntry => {
      const split = input.splits[i] as Split;
      counts[split]++;
      for (const label of entry.labels) (labelCounts[label] as Record<Split, number>)[split]++;
      const { name, labels, ...rest } = entry;
      return { name, split, labels, ...rest };
    });
    const manifest: DataManifest = {
      format: DATASET_FORMAT,
      source: input.source,
      fsHz: input.fsHz,
      leads: LEADS,
      classes: CHALLENGE_CLASSES,
      digest: this.hash.digest('hex'),
      acuteMiResolved: input.acuteMiResolved,
      signalsFile: SIGNALS_FILE,
      counts,
      labelCounts,
      records,
    };
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tmp, join(this.dir, SIGNALS_FILE));
    await writeJsonAtomic(join(this.dir, MANIFEST_FILE), manifest);
    return manifest;
  }

  /** Close and remove the temporary signals file (after a failure). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** Store records already in memory (writeDataset's streaming form is DatasetWriter). */
export async function writeDataset(dir: string, input: DatasetInput): Promise<DataManifest> {
  const writer = await DatasetWriter.open(dir);
  try {
    for (const record of input.records) await writer.append(record);
    return await writer.finish(input);
  } catch (error) {
    await writer.abort();
    throw error;
  }
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
    out[entry.split].push(recordOf(entry, m, samples, entry.offset));
  }
  return out;
}

/** The records of the data stage's output, per split. */
export async function readDataset(output: { readonly dir: string; readonly manifest: DataManifest }): Promise<DatasetSplits> {
  return readDatasetDir(output.dir, output.manifest);
}

/**
 * A stored data set read record by record (the render stage, which never
 * needs all records at once): read(entry) reads that record's samples from
 * signals.f32 at its offset. Call close() when done.
 */
export interface DatasetReader {
  readonly manifest: DataManifest;
  read(entry: DatasetRecordEntry): Promise<EcgRecord>;
  close(): Promise<void>;
}

export async function openDataset(output: { readonly dir: string; readonly manifest?: DataManifest }): Promise<DatasetReader> {
  const { dir } = output;
  const m = output.manifest ?? (await readManifest(dir));
  const handle = await open(join(dir, m.signalsFile), 'r').catch((error: unknown) => {
    throw new EcgError('DATA_INVALID', msg.datasetCorrupt(dir, `cannot read ${m.signalsFile}`), { cause: error });
  });
  const floats = (await handle.stat()).size / 4;
  const read = async (entry: DatasetRecordEntry): Promise<EcgRecord> => {
    const count = entry.length * m.leads.length;
    if (entry.offset + count > floats) throw new EcgError('DATA_INVALID', msg.datasetCorrupt(dir, `record ${entry.name} ends at float ${entry.offset + count}, but ${m.signalsFile} holds ${floats}`));
    const samples = new Float32Array(count);
    await handle.read(new Uint8Array(samples.buffer), 0, count * 4, entry.offset * 4);
    return recordOf(entry, m, samples);
  };
  return { manifest: m, read, close: () => handle.close() };
}

function recordOf(entry: DatasetRecordEntry, m: DataManifest, samples: Float32Array, start = 0): EcgRecord {
  const signals = m.leads.map((_, i) => samples.subarray(start + i * entry.length, start + (i + 1) * entry.length));
  return {
    name: entry.name,
    fsHz: m.fsHz,
    signals,
    labels: entry.labels,
    ...(entry.patientId !== undefined ? { patientId: entry.patientId } : {}),
    ...(entry.stratFold !== undefined ? { stratFold: entry.stratFold } : {}),
    ...(entry.meta ? { meta: entry.meta } : {}),
  };
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
