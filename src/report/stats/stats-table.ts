/**
 * `compare --stats`: per arm (the cells that differ only in their seeds),
 * each value metric's mean with its 95% Student-t interval over the seeds;
 * with `--baseline`, each arm against its baseline arm (the arm with the
 * baseline's values and the arm's own values elsewhere), paired by seed: the
 * mean difference with its t interval, the paired t-test, the exact
 * Wilcoxon signed-rank test and the effect size d_z (stats.ts). An arm with
 * one seed says n = 1 instead of an interval; seeds present in only one of
 * the two arms are left out of the pairing and counted. With the record
 * bootstrap (record-bootstrap.ts, compare --bootstrap), every table and row
 * also carries its percentile interval over test records.
 */
import { baselineCoords, baselineText, coordsKey, type Baseline } from '../baseline.js';
import { metricValue } from '../cells-table.js';
import { coordText, isSeedKey, type CellResult, type CoordValue, type RunSet } from '../run-set.js';
import { meanCi, pairedComparison, type MeanCi, type PairedComparison } from './stats.js';
import type { TextTable } from '../comparison.js';
import type { RecordBootstrap, RecordInterval } from './record-bootstrap.js';

export interface ArmStats {
  /** The arm's coordinates: every swept key but the seeds. */
  readonly coords: Record<string, CoordValue>;
  /** Per metric, over the arm's finished cells with a value. */
  readonly metrics: Record<string, MeanCi>;
  /** The arm's finished cells. */
  readonly cells: readonly CellResult[];
}

export interface ArmComparison {
  readonly coords: Record<string, CoordValue>;
  readonly metric: string;
  /** Seeds in both arms (the pairs) and seeds in one arm only. */
  readonly pairs: number;
  readonly unpaired: number;
  readonly paired: PairedComparison | null;
  /** The cells of the pairs: (arm, baseline) with the same seed. */
  readonly cellPairs: readonly (readonly [CellResult, CellResult])[];
}

export interface StatsReport {
  readonly armKeys: string[];
  readonly arms: ArmStats[];
  readonly comparisons: ArmComparison[];
  readonly baseline?: Baseline;
  /** The bootstrap over test records (record-bootstrap.ts), when it was asked for. */
  records?: RecordBootstrap;
}

/** The seed of a cell as one text (all seed keys it sets), for pairing arms. */
function seedOf(cell: CellResult, seedKeys: readonly string[]): string {
  return JSON.stringify(seedKeys.map((k) => cell.coords[k] ?? cell.params[k] ?? null));
}

export function statsReport(set: RunSet, metrics: readonly string[], baseline?: Baseline): StatsReport {
  const armKeys = set.sweptKeys.filter((k) => !isSeedKey(k));
  const seedKeys = set.sweptKeys.filter(isSeedKey);
  const groups = new Map<string, CellResult[]>();
  for (const cell of set.cells) {
    if (cell.status !== 'finished') continue;
    const key = coordsKey(cell.coords, armKeys);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const cellsBySeed = (cells: readonly CellResult[], metric: string) =>
    new Map(cells.flatMap((c) => (metricValue(c, metric) === null ? [] : [[seedOf(c, seedKeys), c] as const])));
  const valuesBySeed = (cells: readonly CellResult[], metric: string) => new Map([...cellsBySeed(cells, metric)].map(([seed, c]) => [seed, metricValue(c, metric) as number]));
  const arms: ArmStats[] = [...groups.values()].map((cells) => ({
    coords: Object.fromEntries(armKeys.map((k) => [k, cells[0]?.coords[k] ?? null])),
    metrics: Object.fromEntries(metrics.map((m) => [m, meanCi([...valuesBySeed(cells, m).values()])])),
    cells,
  }));
  const comparisons: ArmComparison[] = [];
  if (baseline) {
    for (const arm of arms) {
      const baseCoords = baselineCoords(arm.coords, baseline, armKeys);
      const baseKey = coordsKey(baseCoords, armKeys);
      if (baseKey === coordsKey(arm.coords, armKeys)) continue;
      const base = groups.get(baseKey);
      if (!base) continue;
      const own = groups.get(coordsKey(arm.coords, armKeys)) ?? [];
      for (const metric of metrics) {
        const a = valuesBySeed(own, metric);
        const b = valuesBySeed(base, metric);
        const shared = [...a.keys()].filter((s) => b.has(s)).sort();
        const unpaired = new Set([...a.keys(), ...b.keys()]).size - shared.length;
        const paired = shared.length > 0 ? pairedComparison(shared.map((s) => a.get(s) as number), shared.map((s) => b.get(s) as number)) : null;
        const [ownCells, baseCells] = [cellsBySeed(own, metric), cellsBySeed(base, metric)];
        const cellPairs = shared.map((s) => [ownCells.get(s) as CellResult, baseCells.get(s) as CellResult] as const);
        comparisons.push({ coords: arm.coords, metric, pairs: shared.length, unpaired, paired, cellPairs });
      }
    }
  }
  return { armKeys, arms, comparisons, ...(baseline ? { baseline } : {}) };
}

const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

export function intervalText(ci: MeanCi): string {
  if (ci.n === 0) return 'no value';
  if (ci.n === 1) return `${num(ci.mean)} (n = 1)`;
  return `${num(ci.mean)} [${num(ci.low)}, ${num(ci.high)}] (n = ${ci.n})`;
}

function findInterval(intervals: readonly RecordInterval[], coords: Record<string, CoordValue>, metric: string, armKeys: readonly string[]): RecordInterval | undefined {
  return intervals.find((x) => x.metric === metric && coordsKey(x.coords as Record<string, CoordValue>, armKeys) === coordsKey(coords, armKeys));
}

/** `0.612 [0.55, 0.67] (2 cells, 80 records)`, or why there is none. */
function recordIntervalText(x: RecordInterval | undefined): string {
  if (!x) return '-';
  if (!x.interval) return x.why ?? '-';
  return `${num(x.interval.estimate)} [${num(x.interval.low)}, ${num(x.interval.high)}] (${x.cells} cell${x.cells === 1 ? '' : 's'}, ${x.records} records)`;
}

/** The metrics of `metrics` the record bootstrap covers, when it ran. */
function bootstrapped(report: StatsReport, metrics: readonly string[]): string[] {
  const records = report.records;
  return records ? metrics.filter((m) => records.arms.some((x) => x.metric === m)) : [];
}

/** One row per arm: its coordinates, then per metric mean [95% CI] (n); with the record bootstrap, its interval per metric too. */
export function armsText(report: StatsReport, metrics: readonly string[]): TextTable {
  const boot = bootstrapped(report, metrics);
  return {
    header: [...report.armKeys, ...metrics.map((m) => `${m} mean [95% CI]`), ...boot.map((m) => `${m} [95% bootstrap over test records]`)],
    rows: report.arms.map((arm) => [
      ...report.armKeys.map((k) => coordText(arm.coords[k])),
      ...metrics.map((m) => intervalText(arm.metrics[m] as MeanCi)),
      ...boot.map((m) => recordIntervalText(findInterval(report.records?.arms ?? [], arm.coords, m, report.armKeys))),
    ]),
  };
}

/** One row per arm and metric against the baseline. */
export function pairedText(report: StatsReport): TextTable {
  return {
    header: [...report.armKeys, 'metric', 'pairs', 'difference [95% CI]', 't', 'p (t)', 'W', 'p (Wilcoxon)', 'd_z', ...(report.records ? ['difference [95% paired bootstrap over test records]'] : [])],
    rows: report.comparisons.map((c, i) => {
      const p = c.paired;
      const pairs = `${c.pairs}${c.unpaired > 0 ? ` (${c.unpaired} unpaired)` : ''}`;
      const cells = p
        ? [intervalText(p.difference), num(p.t, 2), num(p.tP), num(p.wilcoxonW, 1), num(p.wilcoxonP), num(p.effectSize, 2)]
        : ['no paired seeds', '-', '-', '-', '-', '-'];
      const records = report.records ? [recordIntervalText(report.records.differences[i])] : [];
      return [...report.armKeys.map((k) => coordText(c.coords[k])), c.metric, pairs, ...cells, ...records];
    }),
  };
}

export const STATS_TITLE = 'Statistics over seeds (mean, 95% Student-t interval)';

/** The line under the statistics when the record bootstrap ran: B, and the files it left out. */
export function recordBootstrapNotes(report: StatsReport): string[] {
  if (!report.records) return [];
  return [
    `Bootstrap over test records: ${report.records.resamples} resamples, percentile interval; an arm's cells (seeds) are resampled together where they share records, and an arm's difference to its baseline is paired on the same records.`,
    ...report.records.notes,
  ];
}

export function pairedTitle(report: StatsReport): string {
  return `Paired by seed against ${report.baseline ? baselineText(report.baseline) : 'the baseline'}: difference, t-test, Wilcoxon signed-rank, effect size`;
}

/** The statistics as flat rows (CSV, JSON): per arm and metric, its interval and, where it has one, its paired comparison. */
export function statsRows(report: StatsReport): Record<string, CoordValue>[] {
  return report.arms.flatMap((arm) =>
    Object.entries(arm.metrics).map(([metric, ci]) => {
      const index = report.comparisons.findIndex((x) => x.metric === metric && coordsKey(x.coords, report.armKeys) === coordsKey(arm.coords, report.armKeys));
      const c = report.comparisons[index];
      const p = c?.paired;
      const value = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
      const records = report.records;
      const boot = records ? findInterval(records.arms, arm.coords, metric, report.armKeys) : undefined;
      const bootDifference = records && index >= 0 ? records.differences[index] : undefined;
      return {
        ...arm.coords,
        metric,
        n: ci.n,
        mean: value(ci.mean),
        sd: value(ci.sd),
        ci_low: value(ci.low),
        ci_high: value(ci.high),
        pairs: c ? c.pairs : null,
        difference: value(p?.difference.mean),
        difference_ci_low: value(p?.difference.low),
        difference_ci_high: value(p?.difference.high),
        t: value(p?.t),
        p_t: value(p?.tP),
        wilcoxon_w: value(p?.wilcoxonW),
        p_wilcoxon: value(p?.wilcoxonP),
        d_z: value(p?.effectSize),
        ...(records
          ? {
              boot_ci_low: value(boot?.interval?.low),
              boot_ci_high: value(boot?.interval?.high),
              boot_records: boot?.interval ? boot.records : null,
              boot_difference_ci_low: value(bootDifference?.interval?.low),
              boot_difference_ci_high: value(bootDifference?.interval?.high),
            }
          : {}),
      };
    }),
  );
}
