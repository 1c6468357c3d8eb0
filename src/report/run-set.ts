/**
 * What every report is made from, whichever store it came from: the cells
 * of one or more sweeps, each with its sweep coordinates, status, tags and
 * latest metrics. The local run store and MLflow both load into this shape
 * (source-local.ts, source-mlflow.ts), so tables from either are the same.
 */
import { CHALLENGE_CLASSES, LEADS } from '../core/ecg.js';

/** A cell's state as reports show it; `missing` = planned in the sweep but never started. */
export type CellStatus = 'finished' | 'failed' | 'killed' | 'running' | 'pending' | 'missing';

/** A swept value as compared and printed: JSON scalars, strings as they are. */
export type CoordValue = string | number | boolean | null;

export interface MetricSeriesPoint {
  step: number;
  value: number;
}

export interface CellResult {
  experiment: string;
  sweepId: string;
  cellId: string;
  /** Shared by cells that differ only in seed. */
  group: string;
  status: CellStatus;
  /** The cell's sweep coordinates (its overrides), normalised with coordValue. */
  coords: Record<string, CoordValue>;
  /** The flattened config where known (empty for missing cells). */
  params: Record<string, CoordValue>;
  tags: Record<string, string>;
  /** Last value of each metric. */
  metrics: Record<string, number>;
  /** Folder of the cell's artifacts, for local runs. */
  artifactsDir?: string;
}

export interface RunSet {
  source: 'local' | 'mlflow';
  /** Where it came from: the runs folder or the server URI. */
  where: string;
  cells: CellResult[];
  /** The keys cells are told apart by: the sweeps' own, then config keys that differ otherwise (config-coords.ts). */
  sweptKeys: string[];
  /** What the reader should know about how the cells were chosen (e.g. which of an experiment's sweeps). */
  notes: string[];
  /** Every point of every metric of a cell, loaded on demand (learning curves). */
  history(cell: CellResult): Promise<Record<string, MetricSeriesPoint[]>>;
}

/** The seed axes (`seed` of older run stores, `seed.data`, `seed.train`): cells differing only in them are averaged. */
export { isSeedKey } from '../config/schema/run.js';
/** The noise axis: the columns of the default ablation table. */
export const NOISE_KEY = 'render.noise';
export const F1_MACRO = 'f1/macro';
export const SNR_MEAN = 'snr/mean';

/** The text MLflow stores for a param (same rule as tracking/mlflow/sync.ts), parsed back to a scalar. */
/**
 * A cell's metrics with the run's final SNR under `snr/*`: the hierarchical
 * stage logs the final digitizer's figures there; a run that stops at the
 * digitizer (e.g. `stages: [digitizer]` on unlabelled records) has only the
 * digitizer stage's `digitizer/snr/*`, which are then its final figures.
 */
export function withFinalSnr(metrics: Record<string, number>): Record<string, number> {
  if (SNR_MEAN in metrics) return metrics;
  const final = Object.entries(metrics).filter(([name]) => name.startsWith('digitizer/snr/')).map(([name, v]) => [name.slice('digitizer/'.length), v] as const);
  return final.length === 0 ? metrics : { ...metrics, ...Object.fromEntries(final) };
}

export function coordValue(value: unknown): CoordValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (value === 'true' || value === 'false') return value === 'true';
    if (value === 'null') return null;
    if (value.trim() !== '' && Number.isFinite(Number(value)) && /^-?[\d.]/.test(value.trim())) return Number(value);
    return value;
  }
  return JSON.stringify(value);
}

export function coordText(value: CoordValue | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  return String(value);
}

/** Order for column values: numbers numerically, then everything else as text. */
export function compareCoords(a: CoordValue, b: CoordValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return coordText(a).localeCompare(coordText(b));
}

/**
 * The result metrics in report order: macro F1, mean SNR, SNR per lead,
 * F1 per class; only those some cell has. Learning curves
 * (`<stage>/loss`, `<stage>/val_f1`) are not result metrics.
 */
export function resultMetrics(cells: readonly CellResult[]): string[] {
  const present = new Set(cells.flatMap((c) => Object.keys(c.metrics)));
  const order = [F1_MACRO, SNR_MEAN, ...LEADS.map((l) => `snr/${l}`), ...CHALLENGE_CLASSES.map((c) => `f1/${c}`)];
  return order.filter((m) => present.has(m));
}

/** Union of keys in first-seen order. */
export function unionKeys(records: readonly Record<string, unknown>[]): string[] {
  const keys: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  return keys;
}
