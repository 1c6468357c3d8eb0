/**
 * `compare --stats`, over records: from the per-record outputs a cell keeps
 * (record-outputs.ts), a percentile bootstrap over its test records of
 * macro F1 (hierarchical/predictions.csv) and mean SNR
 * (hierarchical/per-record-snr.csv, else digitizer/per-record-snr.csv);
 * per arm, the mean over its seeds' cells with every cell's records
 * resampled; against the baseline, the paired bootstrap of the difference:
 * both cells of a seed pair resampled with the same indices, which needs
 * the same records of the same data (equal data.digest and record ids).
 *
 * Phases: load each cell's records once -> check that their statistic on
 * all records is the figure the cell reports (a file that disagrees is left
 * out, with a note) -> bootstrap (stats.ts bootstrapCi) per arm and metric,
 * and per comparison.
 *
 * The statistics, as the cell's figures are defined (DESIGN.md, Metrics):
 *   f1/macro: the labelled test records; per class F = 2TP / (2TP + FP + FN)
 *     over the classes present in the (resampled) reference; the mean;
 *   snr/mean: the mean of the finite (record, lead) SNRs of the test records.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHALLENGE_CLASSES } from '../../core/ecg.js';
import { reportMessages as msg } from '../../core/messages.js';
import { coordsKey } from '../baseline.js';
import { F1_MACRO, SNR_MEAN, type CellResult } from '../run-set.js';
import { PREDICTIONS_FILE, RECORD_SNR_FILE, readPredictions, readRecordSnr } from './record-outputs.js';
import { bootstrapCi, type BootstrapInterval, type RecordStatistic } from './stats.js';
import type { StatsReport } from './stats-table.js';

/** The metrics a cell's per-record outputs can be bootstrapped for. */
export const BOOTSTRAP_METRICS: readonly string[] = [F1_MACRO, SNR_MEAN];

/** Where the figures a cell reports were computed, by metric: the first file that exists. */
const SOURCES: Readonly<Record<string, readonly string[]>> = {
  [F1_MACRO]: [join('hierarchical', PREDICTIONS_FILE)],
  [SNR_MEAN]: [join('hierarchical', RECORD_SNR_FILE), join('digitizer', RECORD_SNR_FILE)],
};

/** Agreement between a file's statistic on all records and the logged figure (the SNR file holds 4 decimals). */
const AGREEMENT: Readonly<Record<string, number>> = { [F1_MACRO]: 1e-6, [SNR_MEAN]: 1e-3 };

/** One cell's test records for one metric, ready to resample. */
export interface CellRecords {
  /** data.digest and the record ids: cells with the same key can be resampled together (paired). */
  readonly key: string;
  readonly records: number;
  readonly statistic: (indices: ArrayLike<number>) => number;
}

export interface RecordInterval {
  readonly coords: Record<string, unknown>;
  readonly metric: string;
  /** Cells whose records entered, and their test records (summed). */
  readonly cells: number;
  readonly records: number;
  readonly interval: BootstrapInterval | null;
  /** Why there is no interval. */
  readonly why?: string;
}

export interface RecordBootstrap {
  readonly resamples: number;
  readonly arms: RecordInterval[];
  /** Per comparison of the stats report (same order): the paired bootstrap of the difference. */
  readonly differences: RecordInterval[];
  /** Files left out and why. */
  readonly notes: string[];
}

/** Macro F over the resampled rows of 0/1 reference and prediction matrices (records x classes, row-major). */
export function macroF1Statistic(reference: Uint8Array, predicted: Uint8Array): (indices: ArrayLike<number>) => number {
  const classes = CHALLENGE_CLASSES.length;
  return (indices) => {
    const tp = new Float64Array(classes);
    const fp = new Float64Array(classes);
    const fn = new Float64Array(classes);
    const present = new Uint8Array(classes);
    for (let k = 0; k < indices.length; k++) {
      const row = (indices[k] as number) * classes;
      for (let c = 0; c < classes; c++) {
        const truth = reference[row + c] === 1;
        const guess = predicted[row + c] === 1;
        if (truth) present[c] = 1;
        if (truth && guess) tp[c] = (tp[c] as number) + 1;
        else if (guess) fp[c] = (fp[c] as number) + 1;
        else if (truth) fn[c] = (fn[c] as number) + 1;
      }
    }
    let sum = 0;
    let scored = 0;
    for (let c = 0; c < classes; c++) {
      if (present[c] !== 1) continue;
      sum += (2 * (tp[c] as number)) / (2 * (tp[c] as number) + (fp[c] as number) + (fn[c] as number));
      scored++;
    }
    return scored > 0 ? sum / scored : Number.NaN;
  };
}

/** The mean of the finite values of the resampled rows (records x leads). */
export function meanSnrStatistic(rows: readonly (readonly number[])[]): (indices: ArrayLike<number>) => number {
  const sums = rows.map((r) => r.reduce((s, v) => (Number.isFinite(v) ? s + v : s), 0));
  const counts = rows.map((r) => r.filter(Number.isFinite).length);
  return (indices) => {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < indices.length; k++) {
      sum += sums[indices[k] as number] as number;
      count += counts[indices[k] as number] as number;
    }
    return count > 0 ? sum / count : Number.NaN;
  };
}

const matrix = (rows: readonly (readonly string[])[]) => {
  const out = new Uint8Array(rows.length * CHALLENGE_CLASSES.length);
  rows.forEach((labels, r) => CHALLENGE_CLASSES.forEach((c, k) => (out[r * CHALLENGE_CLASSES.length + k] = labels.includes(c) ? 1 : 0)));
  return out;
};

function recordsKey(cell: CellResult, records: readonly string[]): string {
  const digest = cell.tags['data.digest'];
  // Without a digest the records' content is unknown: the cell pairs with nothing.
  return `${digest ?? `${cell.sweepId}/${cell.cellId}`}\n${records.join('\n')}`;
}

/** A cell's test records for `metric`, from the first of its files that exists; null when it has none. */
export async function loadCellRecords(cell: CellResult, metric: string): Promise<{ records: CellRecords; file: string } | null> {
  const dir = cell.artifactsDir;
  if (!dir) return null;
  const file = (SOURCES[metric] ?? []).map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) return null;
  if (metric === F1_MACRO) {
    const test = (await readPredictions(file)).rows.filter((r) => r.split === 'test' && r.labels.length > 0);
    const ids = test.map((r) => r.record);
    return { file, records: { key: recordsKey(cell, ids), records: test.length, statistic: macroF1Statistic(matrix(test.map((r) => r.labels)), matrix(test.map((r) => r.predicted))) } };
  }
  const test = (await readRecordSnr(file)).filter((r) => r.split === 'test');
  return { file, records: { key: recordsKey(cell, test.map((r) => r.record)), records: test.length, statistic: meanSnrStatistic(test.map((r) => r.snr)) } };
}

/**
 * The record bootstrap of a stats report: per arm and bootstrappable metric,
 * and per comparison with the baseline. Seeded per arm and metric, so a
 * figure does not change when other arms are added.
 */
export async function recordBootstrap(report: StatsReport, options: { resamples?: number } = {}): Promise<RecordBootstrap> {
  const resamples = options.resamples ?? 2000;
  const notes: string[] = [];
  const loaded = new Map<string, CellRecords | null>();
  const recordsOf = async (cell: CellResult, metric: string): Promise<CellRecords | null> => {
    const id = `${cell.sweepId}/${cell.cellId}\n${metric}`;
    if (loaded.has(id)) return loaded.get(id) ?? null;
    const found = await loadCellRecords(cell, metric);
    let value: CellRecords | null = found?.records ?? null;
    const reported = cell.metrics[metric];
    if (found && reported !== undefined) {
      const all = found.records.statistic(Array.from({ length: found.records.records }, (_, i) => i));
      if (!(Math.abs(all - reported) <= (AGREEMENT[metric] ?? 0))) {
        notes.push(msg.recordFileDisagrees(found.file, metric, all, reported));
        value = null;
      }
    }
    loaded.set(id, value);
    return value;
  };
  const metrics = [...new Set(report.arms.flatMap((a) => Object.keys(a.metrics)))].filter((m) => BOOTSTRAP_METRICS.includes(m));
  const arms: RecordInterval[] = [];
  for (const arm of report.arms) {
    for (const metric of metrics) {
      const cells = arm.cells.filter((c) => c.metrics[metric] !== undefined);
      const records = (await Promise.all(cells.map((c) => recordsOf(c, metric)))).filter((r): r is CellRecords => r !== null);
      const base = { coords: arm.coords, metric, cells: records.length, records: records.reduce((s, r) => s + r.records, 0) };
      if (records.length === 0) {
        arms.push({ ...base, interval: null, why: msg.noRecordFiles() });
        continue;
      }
      const samples: RecordStatistic[] = records.map((r) => ({ key: r.key, records: r.records, value: r.statistic }));
      arms.push({ ...base, interval: bootstrapCi(samples, { resamples, seed: `${coordsKey(arm.coords, report.armKeys)}|${metric}` }) });
    }
  }
  const differences: RecordInterval[] = [];
  for (const comparison of report.comparisons) {
    const base = { coords: comparison.coords, metric: comparison.metric };
    if (!BOOTSTRAP_METRICS.includes(comparison.metric)) {
      differences.push({ ...base, cells: 0, records: 0, interval: null, why: msg.notBootstrapped(BOOTSTRAP_METRICS) });
      continue;
    }
    const samples: RecordStatistic[] = [];
    let why: string | undefined;
    for (const [a, b] of comparison.cellPairs) {
      const [ra, rb] = [await recordsOf(a, comparison.metric), await recordsOf(b, comparison.metric)];
      if (!ra || !rb) why = msg.noRecordFiles();
      else if (ra.key !== rb.key) why = msg.recordsDiffer(a.cellId, b.cellId);
      else samples.push({ key: ra.key, records: ra.records, value: (indices) => ra.statistic(indices) - rb.statistic(indices) });
    }
    const counted = { cells: samples.length * 2, records: samples.reduce((s, r) => s + r.records, 0) };
    if (why || samples.length === 0) differences.push({ ...base, ...counted, interval: null, why: why ?? msg.noRecordFiles() });
    else differences.push({ ...base, ...counted, interval: bootstrapCi(samples, { resamples, seed: `${coordsKey(comparison.coords, report.armKeys)}|${comparison.metric}|paired` }) });
  }
  if ([...arms, ...differences].some((x) => x.why === msg.noRecordFiles())) notes.push(msg.noRecordFilesWhy());
  return { resamples, arms, differences, notes };
}
