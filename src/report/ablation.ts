/**
 * The ablation pivot, in the shape of a paper's table: rows = some swept
 * keys (default: all but render.noise and seed), columns = others (default:
 * render.noise), each cell the mean ± sample standard deviation over the
 * seeds of the cells it gathers, per value metric (default: macro F1 and
 * mean SNR). Aggregation is arquero's groupby + rollup over the long table;
 * a cell whose runs failed or never ran says so instead of showing a number.
 */
import { from, op } from 'arquero';
import { EcgError } from '../core/errors.js';
import { reportMessages as msg } from '../core/messages.js';
import { baselineCoords, coordsKey, type Baseline } from './baseline.js';
import { metricValue } from './cells-table.js';
import { F1_MACRO, NOISE_KEY, isSeedKey, SNR_MEAN, compareCoords, type CellStatus, type CoordValue, type RunSet } from './run-set.js';

export interface PivotSpec {
  rows: string[];
  cols: string[];
  values: string[];
}

export interface Stat {
  mean: number | null;
  std: number | null;
  /** Cells with a value. */
  n: number;
}

export interface PivotCell {
  /** Cells gathered (seeds). */
  runs: number;
  /** What the cells that have no value are: failed, missing, running... (counts). */
  without: Partial<Record<CellStatus, number>>;
  stats: Record<string, Stat>;
}

export interface Pivot {
  spec: PivotSpec;
  rows: Record<string, CoordValue>[];
  cols: Record<string, CoordValue>[];
  /** By coordsKey over rows + cols. */
  cells: Map<string, PivotCell>;
}

/** Statuses of cells that have no metrics to average. */
const UNSCORED = ['failed', 'killed', 'running', 'pending', 'missing'] as const;

export function defaultPivotSpec(sweptKeys: readonly string[]): PivotSpec {
  const hasNoise = sweptKeys.includes(NOISE_KEY);
  return {
    rows: sweptKeys.filter((k) => k !== NOISE_KEY && !isSeedKey(k)),
    cols: hasNoise ? [NOISE_KEY] : [],
    values: [F1_MACRO, SNR_MEAN],
  };
}

/** `rows=a,b cols=c value=f1/macro,snr/mean`; parts not given keep the default. */
export function parsePivotSpec(text: string, sweptKeys: readonly string[]): PivotSpec {
  const spec = defaultPivotSpec(sweptKeys);
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new EcgError('USAGE', msg.badPivot(text));
    const name = part.slice(0, eq);
    const list = part.slice(eq + 1).split(',').map((s) => s.trim()).filter(Boolean);
    if (name === 'rows') spec.rows = list;
    else if (name === 'cols' || name === 'columns') spec.cols = list;
    else if (name === 'value' || name === 'values') spec.values = list;
    else throw new EcgError('USAGE', msg.badPivot(text));
  }
  for (const key of [...spec.rows, ...spec.cols]) {
    if (!sweptKeys.includes(key)) throw new EcgError('USAGE', msg.unknownKey('--pivot key', key, sweptKeys));
  }
  return spec;
}

export function ablationPivot(set: RunSet, spec: PivotSpec): Pivot {
  const keys = [...spec.rows, ...spec.cols];
  const long = from(
    set.cells.map((cell) => ({
      ...Object.fromEntries(keys.map((k) => [k, cell.coords[k] ?? null])),
      status: cell.status,
      ...Object.fromEntries(spec.values.map((m, i) => [`v${i}`, metricValue(cell, m)])),
    })),
  );
  const rollups: Record<string, string | object> = { runs: op.count() as object };
  spec.values.forEach((_, i) => {
    rollups[`n${i}`] = `d => op.valid(d.v${i})`;
    rollups[`mean${i}`] = `d => op.mean(d.v${i})`;
    rollups[`std${i}`] = `d => op.stdev(d.v${i})`;
  });
  for (const status of UNSCORED) rollups[`count_${status}`] = `d => op.sum(d.status === '${status}' ? 1 : 0)`;
  const grouped = (keys.length > 0 ? long.groupby(keys) : long).rollup(rollups as Parameters<typeof long.rollup>[0]).objects() as Record<string, unknown>[];

  const cells = new Map<string, PivotCell>();
  for (const g of grouped) {
    const coords = g as Record<string, CoordValue>;
    const stats: Record<string, Stat> = {};
    spec.values.forEach((m, i) => {
      const n = Number(g[`n${i}`] ?? 0);
      stats[m] = { n, mean: n > 0 ? finite(g[`mean${i}`]) : null, std: n > 1 ? finite(g[`std${i}`]) : null };
    });
    const without: PivotCell['without'] = {};
    for (const status of UNSCORED) {
      const count = Number(g[`count_${status}`] ?? 0);
      if (count > 0) without[status] = count;
    }
    cells.set(coordsKey(coords, keys), { runs: Number(g['runs']), without, stats });
  }
  return { spec, rows: distinctCoords(set, spec.rows, false), cols: distinctCoords(set, spec.cols, true), cells };
}

/** The pivot cell's difference to its baseline (row and column keys as the baseline names them). */
export function pivotDelta(pivot: Pivot, rowCoords: Record<string, CoordValue>, colCoords: Record<string, CoordValue>, baseline: Baseline, metric: string): number | null {
  const keys = [...pivot.spec.rows, ...pivot.spec.cols];
  const coords = { ...rowCoords, ...colCoords };
  const own = pivot.cells.get(coordsKey(coords, keys))?.stats[metric]?.mean ?? null;
  const base = pivot.cells.get(coordsKey(baselineCoords(coords, baseline, keys), keys))?.stats[metric]?.mean ?? null;
  return own === null || base === null ? null : own - base;
}

export function hasBaselineRow(pivot: Pivot, baseline: Baseline): boolean {
  const keys = [...pivot.spec.rows, ...pivot.spec.cols];
  return [...pivot.cells.keys()].some((k) => {
    const values = JSON.parse(k) as CoordValue[];
    return keys.every((key, i) => !(key in baseline) || values[i] === baseline[key]);
  });
}

function distinctCoords(set: RunSet, keys: readonly string[], sorted: boolean): Record<string, CoordValue>[] {
  const seen = new Map<string, Record<string, CoordValue>>();
  for (const cell of set.cells) {
    const coords = Object.fromEntries(keys.map((k) => [k, cell.coords[k] ?? null]));
    const key = coordsKey(coords, keys);
    if (!seen.has(key)) seen.set(key, coords);
  }
  const out = [...seen.values()];
  if (!sorted) return out;
  return out.sort((a, b) => {
    for (const k of keys) {
      const c = compareCoords(a[k] ?? null, b[k] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  });
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
