/**
 * A folder of 12-lead WFDB records with challenge `# Labels:` lines (as
 * `ecg-lab generate signals` and the Challenge 2024 write them), searched
 * recursively, in path order.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EcgError } from '../core/errors.js';
import { dataMessages as msg } from '../core/messages.js';
import { fitRecord } from './fit-record.js';
import { readAll, type LoadedRecords, type RecordSource } from './record-source.js';
import { readWfdbRecord, recordFiles } from './wfdb.js';
import { wfdbToEcgRecord } from './wfdb-ecg.js';

export interface WfdbFolderOptions {
  readonly path: string;
  readonly fsHz: number;
  readonly durationS: number;
  readonly limit: number;
}

/** The folder's chosen records, none read yet (see RecordSource). */
export function wfdbFolderSource(options: WfdbFolderOptions): RecordSource {
  const chosen = chosenHeaders(options);
  const read = async (i: number) => {
    const record = wfdbToEcgRecord(await readWfdbRecord(chosen[i] as string));
    return fitRecord({ ...record, meta: { ...record.meta, source: 'wfdb-folder' } }, options.fsHz, options.durationS);
  };
  return { count: chosen.length, acuteMiResolved: true, read };
}

/** Every chosen record, read at once (tests and small folders; the data stage streams wfdbFolderSource). */
export async function loadWfdbFolder(options: WfdbFolderOptions): Promise<LoadedRecords> {
  return readAll(wfdbFolderSource(options));
}

/** Every file loadWfdbFolder reads with these options, in the order it reads them (for the data stage's cache key). */
export function wfdbFolderFiles(options: Pick<WfdbFolderOptions, 'path' | 'limit'>): string[] {
  return chosenHeaders(options).flatMap(recordFiles);
}

/** The first `limit` headers (0 = all) in path order. */
function chosenHeaders(options: Pick<WfdbFolderOptions, 'path' | 'limit'>): string[] {
  const headers = findHeaders(options.path);
  if (headers.length === 0) throw new EcgError('DATA_INVALID', msg.wfdbFolderEmpty(options.path));
  return options.limit > 0 ? headers.slice(0, options.limit) : headers;
}

export function findHeaders(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.hea'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}
