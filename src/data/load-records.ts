/**
 * Records for a run, from whichever source `data.source` names.
 */
import { EcgError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { dataMessages as msg } from '../core/messages.js';
import type { DataConfig } from '../config/schema/data.js';
import type { EcgRecord } from '../core/ecg.js';
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
  if (loaded.records.length === 0) throw new EcgError('DATA_INVALID', msg.noRecords(data.source, data.path));
  for (const record of loaded.records) options.onRecord?.(record);
  return loaded;
}
