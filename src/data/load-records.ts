/**
 * Records for a run, from whichever source `data.source` names.
 *
 * A record with a lead that holds no valid sample (WFDB's invalid marker,
 * NaN once read, throughout the lead) is left out with a warning naming it:
 * the renderer would draw that lead as an empty panel under the record's
 * labels, the classifier would learn those labels from a page missing a
 * lead, and the digitizer's SNR has no reference for it. Leads with some
 * invalid samples stay: the renderer breaks the trace there and the SNR
 * skips them.
 */
import { EcgError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { dataMessages as msg } from '../core/messages.js';
import type { DataConfig } from '../config/schema/data.js';
import { LEADS, type EcgRecord } from '../core/ecg.js';
import { ptbxlSource } from './ptbxl.js';
import { wfdbFolderSource } from './wfdb-folder.js';
import { eachRecord, type LoadedRecords, type RecordSource } from './record-source.js';
import { generateRecord, syntheticOptions } from './synthetic/generator.js';

export interface LoadOptions {
  readonly logger: Logger;
  /** Called once the source is open, with how many records it will read (progress bars). */
  readonly onCount?: (count: number) => void;
  /** Called after each record kept (progress bars). */
  readonly onRecord?: (record: EcgRecord) => void;
  readonly signal?: AbortSignal;
}

/** The records `data.source` names, none read yet. */
export async function recordSource(data: DataConfig, seed: number, logger: Logger): Promise<RecordSource> {
  if (data.source === 'synthetic') {
    const synthetic = syntheticOptions(data, seed);
    return { count: data.records, acuteMiResolved: true, read: async (i) => generateRecord(i, synthetic) };
  }
  if (data.path === '') throw new EcgError('CONFIG_INVALID', msg.dataPathMissing(data.source));
  const common = { path: data.path, fsHz: data.fsHz, durationS: data.durationS, limit: data.records };
  return data.source === 'ptbxl' ? ptbxlSource({ ...common, plusPath: data.ptbxlPlusPath, logger }) : wfdbFolderSource(common);
}

/**
 * Visit every record of `data.source` that has no blank lead, in order, a
 * window of records at a time (record-source.ts): the data stage stores
 * each as it comes, so memory does not grow with the data set. `index` is
 * the record's in the returned source, which reads it again on demand.
 * Throws when no record is left.
 */
export async function streamRecords(
  data: DataConfig,
  seed: number,
  options: LoadOptions,
  visit: (record: EcgRecord, index: number) => void | Promise<void>,
): Promise<{ readonly acuteMiResolved: boolean; readonly kept: number; readonly source: RecordSource }> {
  const source = await recordSource(data, seed, options.logger);
  options.onCount?.(source.count);
  let kept = 0;
  await eachRecord(
    source,
    async (record, index) => {
      const blank = blankLeads(record);
      if (blank.length > 0) return options.logger.warn(msg.recordBlankLeads(record.name, data.path, blank, record.signals.length));
      kept++;
      await visit(record, index);
      options.onRecord?.(record);
    },
    options.signal,
  );
  if (kept === 0) throw new EcgError('DATA_INVALID', msg.noRecords(data.source, data.path));
  return { acuteMiResolved: source.acuteMiResolved, kept, source };
}

/** Every record streamRecords visits, held at once (`generate`, benches, tests). */
export async function loadRecords(data: DataConfig, seed: number, options: LoadOptions): Promise<LoadedRecords> {
  const records: EcgRecord[] = [];
  const { acuteMiResolved } = await streamRecords(data, seed, options, (record) => void records.push(record));
  return { records, acuteMiResolved };
}

/** Names of the leads without a single finite sample. */
export function blankLeads(record: EcgRecord): string[] {
  return record.signals.flatMap((signal, i) => (signal.some(Number.isFinite) ? [] : [LEADS[i] ?? `signal ${i + 1}`]));
}
