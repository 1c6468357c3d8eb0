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
import { loadPtbxl, type LoadedRecords } from './ptbxl.js';
import { loadWfdbFolder } from './wfdb-folder.js';
import { generateRecord, syntheticOptions } from './synthetic/generator.js';

export interface LoadOptions {
  readonly logger: Logger;
  /** Called after each record (progress bars). */
  readonly onRecord?: (record: EcgRecord) => void;
  readonly signal?: AbortSignal;
}

export async function loadRecords(data: DataConfig, seed: number, options: LoadOptions): Promise<LoadedRecords> {
  if (data.source === 'synthetic') {
    const synthetic = syntheticOptions(data, seed);
    const records: EcgRecord[] = [];
    for (let i = 0; i < data.records; i++) {
      options.signal?.throwIfAborted();
      const record = generateRecord(i, synthetic);
      records.push(record);
      options.onRecord?.(record);
    }
    return { records, acuteMiResolved: true };
  }
  if (data.path === '') throw new EcgError('CONFIG_INVALID', msg.dataPathMissing(data.source));
  const common = { path: data.path, fsHz: data.fsHz, durationS: data.durationS, limit: data.records };
  const loaded =
    data.source === 'ptbxl'
      ? await loadPtbxl({ ...common, plusPath: data.ptbxlPlusPath, logger: options.logger })
      : await loadWfdbFolder(common);
  const records = loaded.records.filter((record) => {
    const blank = blankLeads(record);
    if (blank.length > 0) options.logger.warn(msg.recordBlankLeads(record.name, data.path, blank, record.signals.length));
    return blank.length === 0;
  });
  if (records.length === 0) throw new EcgError('DATA_INVALID', msg.noRecords(data.source, data.path));
  for (const record of records) options.onRecord?.(record);
  return { ...loaded, records };
}

/** Names of the leads without a single finite sample. */
export function blankLeads(record: EcgRecord): string[] {
  return record.signals.flatMap((signal, i) => (signal.some(Number.isFinite) ? [] : [LEADS[i] ?? `signal ${i + 1}`]));
}
