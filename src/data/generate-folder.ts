/**
 * Write the configured records (data.source, usually synthetic) as a folder
 * of challenge-style WFDB records: `<name>.hea` with `# Labels:` lines and
 * `<name>.dat` in format 16 (gain 1000/mV), plus RECORDS listing them, as
 * PhysioNet folders do. Readable by wfdb-python and by loadWfdbFolder.
 *
 * A record with none of the 11 classes (a synthetic record whose only finding
 * lies outside them, as PTB-XL records without a diagnostic superclass) keeps
 * its `# Labels:` line, empty: the Challenge's prepare_ptbxl_data.py writes
 * such records the same way, and its helper_code reads a missing line as
 * "no labels available" (held-out data), not as "none of the classes".
 */
import { join } from 'node:path';
import type { Config } from '../config/schema/index.js';
import { writeFileAtomic } from '../core/fs.js';
import type { Logger } from '../core/logger.js';
import { silentProgress, type Progress } from '../core/progress.js';
import { generateRecord, syntheticOptions } from './synthetic/generator.js';
import { loadRecords } from './load-records.js';
import { ecgRecordToWfdb } from './wfdb-ecg.js';
import { writeWfdbRecord } from './wfdb.js';
import type { EcgRecord } from '../core/ecg.js';

export interface GenerateFolderOptions {
  readonly logger: Logger;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Called with each record once written (to count, e.g., records without a class). */
  readonly onRecord?: (record: EcgRecord) => void;
}

/** Write `n` records of the configured source to `outDir`; returns their names. */
export async function generateSignalsToFolder(config: Config, n: number, outDir: string, options: GenerateFolderOptions): Promise<string[]> {
  const progress = options.progress ?? silentProgress;
  const names: string[] = [];
  const write = async (record: EcgRecord) => {
    await writeWfdbRecord(outDir, ecgRecordToWfdb(record));
    names.push(record.name);
    options.onRecord?.(record);
    progress.tick();
  };
  progress.start('generate signals', n);
  if (config.data.source === 'synthetic') {
    const synthetic = syntheticOptions(config.data, config.seed.data);
    for (let i = 0; i < n; i++) {
      options.signal?.throwIfAborted();
      await write(generateRecord(i, synthetic));
    }
  } else {
    const loaded = await loadRecords({ ...config.data, records: n }, config.seed.data, { logger: options.logger, ...(options.signal ? { signal: options.signal } : {}) });
    for (const record of loaded.records) await write(record);
  }
  progress.stop();
  await writeFileAtomic(join(outDir, 'RECORDS'), names.map((name) => `${name}\n`).join(''));
  return names;
}
