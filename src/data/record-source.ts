/**
 * Records as a source reads them: a count and a reader per record, none
 * read until asked for. The data stage streams a source record by record
 * into its store (dataset-store.ts), so its memory holds a window of records,
 * not the data set; tests and small folders read everything at once
 * (readAll).
 */
import type { EcgRecord } from '../core/ecg.js';
import { mapLimited } from '../core/map-limited.js';

export interface RecordSource {
  readonly count: number;
  /** False when PTB-XL's Acute MI could not be told from Old MI (no PTB-XL+ 12SL files): tag the run with it. */
  readonly acuteMiResolved: boolean;
  /** Record i (0 <= i < count): read, labelled and fitted. */
  read(i: number): Promise<EcgRecord>;
}

export interface LoadedRecords {
  readonly records: EcgRecord[];
  readonly acuteMiResolved: boolean;
}

/** Files read at once while streaming: overlaps the reads' I/O, and bounds what is held to this many records. */
export const READ_WINDOW = 8;

/**
 * Visit every record of `source` in order. Records are read READ_WINDOW at a
 * time, and a window is visited before the next is read: at most one window
 * of records is held, whatever the source's size.
 */
export async function eachRecord(source: RecordSource, visit: (record: EcgRecord, index: number) => void | Promise<void>, signal?: AbortSignal): Promise<void> {
  for (let start = 0; start < source.count; start += READ_WINDOW) {
    signal?.throwIfAborted();
    const indices = Array.from({ length: Math.min(READ_WINDOW, source.count - start) }, (_, k) => start + k);
    const window = await mapLimited(indices, READ_WINDOW, (i) => source.read(i));
    for (const [k, record] of window.entries()) await visit(record, start + k);
  }
}

/** Every record of `source`, in order. */
export async function readAll(source: RecordSource): Promise<LoadedRecords> {
  const records: EcgRecord[] = [];
  await eachRecord(source, (record) => void records.push(record));
  return { records, acuteMiResolved: source.acuteMiResolved };
}
