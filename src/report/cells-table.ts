/**
 * The long table: one row per cell, the swept keys as columns, then the
 * result metrics (null where a cell has no value: it never becomes 0).
 * With a baseline, `Δ <metric>` columns hold the difference to the baseline
 * cell that shares every other coordinate (same noise, same seed).
 */
import { from, type ColumnTable } from 'arquero';
import { baselineCoords, coordsKey, type Baseline } from './baseline.js';
import { dataCells, dataText } from './work.js';
import { F1_MACRO, SNR_MEAN, type CellResult, type RunSet } from './run-set.js';

export const DELTA_PREFIX = 'Δ ';

export interface CellsTableOptions {
  baseline?: Baseline;
  /** Metrics to take differences of (default: macro F1 and mean SNR). */
  deltaMetrics?: readonly string[];
}

export function cellsTable(set: RunSet, metrics: readonly string[], options: CellsTableOptions = {}): ColumnTable {
  const multiSweep = new Set(set.cells.map((c) => `${c.experiment}/${c.sweepId}`)).size > 1;
  const mixedData = new Set(dataCells(set.cells).map((c) => dataText(c.tags))).size > 1;
  const index = new Map(set.cells.map((c) => [coordsKey(c.coords, set.sweptKeys), c]));
  const deltas = options.baseline ? (options.deltaMetrics ?? [F1_MACRO, SNR_MEAN]).filter((m) => metrics.includes(m)) : [];
  const rows = set.cells.map((cell) => {
    const row: Record<string, unknown> = { cell: multiSweep ? `${cell.sweepId}/${cell.cellId}` : cell.cellId, status: cell.status };
    for (const key of set.sweptKeys) row[key] = cell.coords[key] ?? null;
    if (mixedData) row['data'] = cell.tags['data.digest'] === undefined ? null : dataText(cell.tags);
    for (const m of metrics) row[m] = metricValue(cell, m);
    if (options.baseline) {
      const base = index.get(coordsKey(baselineCoords(cell.coords, options.baseline, set.sweptKeys), set.sweptKeys));
      for (const m of deltas) row[`${DELTA_PREFIX}${m}`] = difference(metricValue(cell, m), base ? metricValue(base, m) : null);
    }
    return row;
  });
  return from(rows);
}

export function metricValue(cell: CellResult, metric: string): number | null {
  if (cell.status !== 'finished') return null;
  const value = cell.metrics[metric];
  return value !== undefined && Number.isFinite(value) ? value : null;
}

function difference(value: number | null, base: number | null): number | null {
  return value === null || base === null ? null : value - base;
}
