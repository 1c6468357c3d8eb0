/**
 * One comparison, built once and written in any format: the runs' work
 * (split, data, noise), the long table, the ablation pivot and the
 * differences against a baseline. Phases: load (source-*.ts) -> long table
 * (cells-table.ts) -> pivot (ablation.ts) -> text (this file) -> format.
 */
import type { ColumnTable } from 'arquero';
import { reportMessages as msg } from '../core/messages.js';
import { ablationPivot, defaultPivotSpec, hasBaselineRow, pivotDelta, type Pivot, type PivotCell, type PivotSpec } from './ablation.js';
import { baselineText, type Baseline } from './baseline.js';
import { cellsTable, DELTA_PREFIX } from './cells-table.js';
import { combinerWeightsText } from './combiner-weights.js';
import { coordText, isSeedKey, resultMetrics, type CellStatus, type CoordValue, type RunSet } from './run-set.js';
import { workOf, workLine, type Work } from './work.js';
import { statsReport, type StatsReport } from './stats/stats-table.js';
import { evaluateExpect, type ExpectFile, type ExpectReport } from './stats/expect.js';

export interface CompareOptions {
  pivot?: PivotSpec;
  baseline?: Baseline;
  /** Add the statistics over seeds (stats-table.ts). */
  stats?: boolean;
  /** Judge these expected numbers (expect.ts). */
  expect?: ExpectFile;
}

export interface Comparison {
  title: string;
  set: RunSet;
  work: Work;
  metrics: string[];
  table: ColumnTable;
  pivot: Pivot;
  baseline?: Baseline;
  /** Per arm mean and CI, and paired tests against the baseline (compare --stats). */
  stats?: StatsReport;
  /** Expected numbers against the reproduced ones (compare --expect). */
  expect?: ExpectReport;
  /** The combiner's weights per arm and class, where cells have a combiner (combiner-weights.ts). */
  combiner?: TextTable;
  /** Notes for the reader (mixed data, baseline not found). */
  warnings: string[];
}

/** A table as text, ready for Markdown or HTML. */
export interface TextTable {
  header: string[];
  rows: string[][];
}

export function buildComparison(set: RunSet, options: CompareOptions = {}): Comparison {
  const metrics = resultMetrics(set.cells);
  const pivot = ablationPivot(set, options.pivot ?? defaultPivotSpec(set.sweptKeys));
  const work = workOf(set.cells);
  const warnings: string[] = [];
  if (work.data.length > 1) warnings.push(msg.mixedData(work.data));
  let baseline = options.baseline;
  if (baseline && !hasBaselineRow(pivot, baseline)) {
    warnings.push(msg.baselineNotFound(baselineText(baseline)));
    baseline = undefined;
  }
  const table = cellsTable(set, metrics, baseline ? { baseline } : {});
  const sweeps = [...new Set(set.cells.map((c) => `${c.experiment} (sweep ${c.sweepId})`))];
  const stats = options.stats ? statsReport(set, pivot.spec.values, baseline) : undefined;
  const expect = options.expect ? evaluateExpect(options.expect, set) : undefined;
  const combiner = combinerWeightsText(set);
  return {
    title: sweeps.join(', '), set, work, metrics, table, pivot, warnings,
    ...(baseline ? { baseline } : {}), ...(stats ? { stats } : {}), ...(expect ? { expect } : {}), ...(combiner ? { combiner } : {}),
  };
}

export function headline(cmp: Comparison): string {
  const noiseWhere = cmp.pivot.spec.cols.includes('render.noise') ? 'columns' : undefined;
  return workLine(cmp.work, noiseWhere);
}

export function pivotTitle(cmp: Comparison): string {
  const seeds = cmp.set.sweptKeys.some(isSeedKey) ? ', mean ± std over seeds' : '';
  return `Ablation: ${cmp.pivot.spec.values.join(' / ')}${seeds}`;
}

export function deltaTitle(cmp: Comparison): string {
  return `Differences against ${baselineText(cmp.baseline ?? {})} (${cmp.pivot.spec.values.join(' / ')})`;
}

export function pivotText(cmp: Comparison): TextTable {
  const { spec, rows, cols, cells } = cmp.pivot;
  const header = [...spec.rows, ...(cols.length && spec.cols.length ? cols.map((c) => colHeader(c)) : [spec.values.join(' / ')])];
  const body = rows.map((r) => [
    ...spec.rows.map((k) => coordText(r[k])),
    ...cols.map((c) => pivotCellText(cells.get(JSON.stringify([...spec.rows, ...spec.cols].map((k) => ({ ...r, ...c })[k] ?? null))), spec.values)),
  ]);
  return { header, rows: body };
}

export function deltaText(cmp: Comparison): TextTable | undefined {
  const baseline = cmp.baseline;
  if (!baseline) return undefined;
  const { spec, rows, cols } = cmp.pivot;
  const header = pivotText(cmp).header;
  const body = rows.map((r) => [
    ...spec.rows.map((k) => coordText(r[k])),
    ...cols.map((c) => spec.values.map((m) => signed(m, pivotDelta(cmp.pivot, r, c, baseline, m))).join(' / ')),
  ]);
  return { header, rows: body };
}

export function cellsText(cmp: Comparison): TextTable {
  const names = cmp.table.columnNames();
  const statuses = cmp.table.array('status') as unknown as CellStatus[];
  const rows: string[][] = [];
  for (let i = 0; i < cmp.table.numRows(); i++) {
    rows.push(
      names.map((name) => {
        const value = cmp.table.get(name, i) as unknown;
        if (name === 'cell' || name === 'status' || name === 'data') return value === null ? '' : String(value);
        if (name.startsWith(DELTA_PREFIX)) return signed(name.slice(DELTA_PREFIX.length), value as number | null);
        if (cmp.metrics.includes(name)) return metricText(name, value as number | null, statuses[i] ?? 'missing');
        return coordText(value as CoordValue);
      }),
    );
  }
  return { header: names, rows };
}

/** Decimals of a metric: SNR in dB to 0.01, scores to 0.001. */
export function formatMetric(metric: string, value: number): string {
  return value.toFixed(metric.startsWith('snr/') ? 2 : 3);
}

/** A metric value, or why there is none: the cell's status, or n/a for a finished cell without it. */
export function metricText(metric: string, value: number | null, status: CellStatus): string {
  if (value !== null) return formatMetric(metric, value);
  if (status === 'finished') return 'n/a';
  return status === 'pending' ? 'missing' : status;
}

function signed(metric: string, value: number | null): string {
  if (value === null) return 'n/a';
  const text = formatMetric(metric, value);
  return value >= 0 && !text.startsWith('-') ? `+${text}` : text;
}

function colHeader(coords: Record<string, CoordValue>): string {
  return Object.entries(coords)
    .map(([k, v]) => `${k}=${coordText(v)}`)
    .join(', ');
}

/**
 * `0.612 ± 0.010 / 5.31 ± 0.20`; with fewer values than runs the count is
 * shown (`(2/3)`); with none, what the runs are (`failed`, `missing`).
 */
export function pivotCellText(cell: PivotCell | undefined, values: readonly string[]): string {
  if (!cell) return 'missing';
  const scored = Math.max(0, ...values.map((m) => cell.stats[m]?.n ?? 0));
  if (scored === 0) return withoutText(cell);
  const parts = values.map((m) => {
    const s = cell.stats[m];
    if (!s || s.mean === null) return 'n/a';
    return s.std === null ? formatMetric(m, s.mean) : `${formatMetric(m, s.mean)} ± ${formatMetric(m, s.std)}`;
  });
  const suffix = scored < cell.runs ? ` (${scored}/${cell.runs}; ${withoutText(cell)})` : '';
  return `${parts.join(' / ')}${suffix}`;
}

function withoutText(cell: PivotCell): string {
  const entries = Object.entries(cell.without).map(([status, n]) => [status === 'pending' ? 'missing' : status, n] as const);
  if (entries.length === 0) return 'n/a';
  if (entries.length === 1 && cell.runs === (entries[0]?.[1] ?? 0)) return entries[0]?.[0] ?? 'missing';
  return entries.map(([status, n]) => `${n} ${status}`).join(', ');
}
