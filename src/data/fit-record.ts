/**
 * Bring a loaded record to the data set's sampling rate and at most its
 * duration (longer records are cut at the end; shorter ones stay shorter).
 */
import type { EcgRecord } from '../core/ecg.js';
import { resampleSinc } from './sinc-resample.js';

export function fitRecord(record: EcgRecord, fsHz: number, durationS: number): EcgRecord {
  const length = Math.round(fsHz * durationS);
  const signals = record.signals.map((signal) => {
    const at = resampleSinc(signal, record.fsHz, fsHz);
    return at.length > length ? at.slice(0, length) : at;
  });
  const meta = record.fsHz === fsHz ? record.meta : { ...record.meta, originalFsHz: record.fsHz };
  return { ...record, fsHz, signals, ...(meta ? { meta } : {}) };
}
