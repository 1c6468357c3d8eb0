/**
 * `compare --stats`: per arm (the cells that differ only in their seeds),
 * each value metric's mean with its 95% Student-t interval over the seeds;
 * with `--baseline`, each arm against its baseline arm (the arm with the
 * baseline's values and the arm's own values elsewhere), paired by seed: the
 * mean difference with its t interval, the paired t-test, the exact
 * Wilcoxon signed-rank test and the effect size d_z (stats.ts). An arm with
 * one seed says n = 1 instead of an interval; seeds present in only one of
 * the two arms are left out of the pairing and counted.
 */
import { baselineCoords, baselineText, coordsKey, type Baseline } from './baseline.js';
import { metricValue } from './cells-table.js';
import { coordText, isSeedKey, type CellResult, type CoordValue, type RunSet } from './run-set.js';
import { meanCi, pairedComparison, type MeanCi, type PairedComparison } from './stats.js';
import type { TextTable } from './comparison.js';

export interface ArmStats {
  /** The arm's coordinates: every swept key but the seeds. */
  readonly coords: Record<string, CoordValue>;
  /** Per metric, over the arm's finished cells with a value. */
  readonly metrics: Record<string, MeanCi>;
}

export interface ArmComparison {
  readonly coords: Record<string, CoordValue>;
  readonly metric: string;
  /** Seeds in both arms (the pairs) and seeds in one arm only. */
  readonly pairs: number;
  readonly unpaired: number;
  readonly paired: PairedComparison | null;
}

export interface StatsReport {
  readonly armKeys: string[];
  readonly arms: ArmStats[];
  readonly comparisons: ArmComparison[];
  readonly baseline?: Baseline;
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
  const valuesBySeed = (cells: readonly CellResult[], metric: string) =>
    new Map(cells.flatMap((c) => {
      const v = metricValue(c, metric);
      return v === null ? [] : [[seedOf(c, seedKeys), v] as const];
    }));
  const arms: ArmStats[] = [...groups.values()].map((cells) => ({
    coords: Object.fromEntries(armKeys.map((k) => [k, cells[0]?.coords[k] ?? null])),
    metrics: Object.fromEntries(metrics.map((m) => [m, meanCi([...valuesBySeed(cells, m).values()])])),
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
        comparisons.push({ coords: arm.coords, metric, pairs: shared.length, unpaired, paired });
      }
    }
  }
  return { armKeys, arms, comparisons, ...(baseline ? { baseline } : {}) };
}

const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function intervalText(ci: MeanCi): string {
  if (ci.n === 0) return 'no value';
  if (ci.n === 1) return `${num(ci.mean)} (n = 1)`;
  return `${num(ci.mean)} [${num(ci.low)}, ${num(ci.high)}] (n = ${ci.n})`;
}

/** One row per arm: its coordinates, then per metric mean [95% CI] (n). */
export function armsText(report: StatsReport, metrics: readonly string[]): TextTable {
  return {
    header: [...report.armKeys, ...metrics.map((m) => `${m} mean [95% CI]`)],
    rows: report.arms.map((arm) => [...report.armKeys.map((k) => coordText(arm.coords[k])), ...metrics.map((m) => intervalText(arm.metrics[m] as MeanCi))]),
  };
}

/** One row per arm and metric against the baseline. */
export function pairedText(report: StatsReport): TextTable {
  return {
    header: [...report.armKeys, 'metric', 'pairs', 'difference [95% CI]', 't', 'p (t)', 'W', 'p (Wilcoxon)', 'd_z'],
    rows: report.comparisons.map((c) => {
      const p = c.paired;
      const pairs = `${c.pairs}${c.unpaired > 0 ? ` (${c.unpaired} unpaired)` : ''}`;
      const cells = p
        ? [intervalText(p.difference), num(p.t, 2), num(p.tP), num(p.wilcoxonW, 1), num(p.wilcoxonP), num(p.effectSize, 2)]
        : ['no paired seeds', '-', '-', '-', '-', '-'];
      return [...report.armKeys.map((k) => coordText(c.coords[k])), c.metric, pairs, ...cells];
    }),
  };
}

export const STATS_TITLE = 'Statistics over seeds (mean, 95% Student-t interval)';

export function pairedTitle(report: StatsReport): string {
  return `Paired by seed against ${report.baseline ? baselineText(report.baseline) : 'the baseline'}: difference, t-test, Wilcoxon signed-rank, effect size`;
}

/** The statistics as flat rows (CSV, JSON): per arm and metric, its interval and, where it has one, its paired comparison. */
export function statsRows(report: StatsReport): Record<string, CoordValue>[] {
  return report.arms.flatMap((arm) =>
    Object.entries(arm.metrics).map(([metric, ci]) => {
      const c = report.comparisons.find((x) => x.metric === metric && coordsKey(x.coords, report.armKeys) === coordsKey(arm.coords, report.armKeys));
      const p = c?.paired;
      const value = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
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
      };
    }),
  );
}
