/**
 * How long a run will take, from what the run store already knows: every
 * stage that ran (not from the cache) in an earlier cell recorded its
 * `durationS` in run.json. A stage run the sweep needs is estimated by the
 * median of earlier runs of the same stage whose values of the stage's
 * config keys are the same as the cell's; failing those, by the median of
 * every earlier run of the stage (other settings); failing that, it has no
 * timing yet. Each distinct (stage, cache key) runs once, so two cells
 * sharing a stage count it once. With --jobs N the total is spread over N.
 */
import { flattenConfig } from '../config/compose.js';
import { resolveStages, type StageRegistry } from '../train/graph.js';
import type { SweepPlan } from '../train/plan.js';
import type { StagePlanLine } from '../train/runner.js';
import type { RunStore } from '../tracking/run-store.js';

/** Earlier sweeps read for timings, newest first (a long-lived store need not be read whole). */
const SWEEPS_READ = 50;

export interface RunEstimate {
  /** Stage runs the sweep needs (not in the cache). */
  readonly stageRuns: number;
  readonly totalMs: number;
  /** Stage runs timed from earlier runs with the same settings, and with other settings. */
  readonly sameSettings: number;
  readonly otherSettings: number;
  /** Stages with no earlier timing: their time is not in totalMs. */
  readonly untimed: readonly string[];
}

interface Timing {
  readonly durationS: number;
  readonly params: Readonly<Record<string, unknown>>;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const matches = (key: string, patterns: readonly string[]) => patterns.some((p) => (p.endsWith('.*') ? key.startsWith(p.slice(0, -1)) : key === p));

async function stageTimings(store: RunStore): Promise<Map<string, Timing[]>> {
  const out = new Map<string, Timing[]>();
  const sweeps = (await store.listSweeps()).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).slice(0, SWEEPS_READ);
  for (const sweep of sweeps) {
    for (const { id } of sweep.cells) {
      const cell = await store.readCell(sweep.experiment, sweep.id, id).catch(() => undefined);
      for (const [stage, record] of Object.entries(cell?.stages ?? {})) {
        if (record.status !== 'finished' || record.cached || record.durationS === undefined) continue;
        const list = out.get(stage) ?? [];
        list.push({ durationS: record.durationS, params: cell?.params ?? {} });
        out.set(stage, list);
      }
    }
  }
  return out;
}

export async function estimateRun(plan: SweepPlan, lines: readonly StagePlanLine[], store: RunStore, registry: StageRegistry, jobs: number): Promise<RunEstimate> {
  const timings = await stageTimings(store);
  const stages = new Map(resolveStages(registry, plan.experiment.stages).map((s) => [s.name, s]));
  const params = new Map(plan.cells.map(({ cell, config }) => [cell.id, flattenConfig(config)]));
  const seen = new Set<string>();
  const untimed = new Set<string>();
  let totalS = 0;
  let sameSettings = 0;
  let otherSettings = 0;
  for (const line of lines) {
    if (line.cached || seen.has(`${line.stage}/${line.key}`)) continue;
    seen.add(`${line.stage}/${line.key}`);
    const earlier = timings.get(line.stage) ?? [];
    if (earlier.length === 0) {
      untimed.add(line.stage);
      continue;
    }
    const keys = stages.get(line.stage)?.configKeys ?? [];
    const mine = params.get(line.cellId) ?? {};
    const same = earlier.filter((t) =>
      Object.keys(mine).filter((k) => matches(k, keys)).every((k) => JSON.stringify(t.params[k]) === JSON.stringify(mine[k])),
    );
    if (same.length > 0) sameSettings += 1;
    else otherSettings += 1;
    totalS += median((same.length > 0 ? same : earlier).map((t) => t.durationS));
  }
  return { stageRuns: seen.size, totalMs: (totalS * 1000) / Math.max(1, Math.min(jobs, plan.cells.length)), sameSettings, otherSettings, untimed: [...untimed] };
}
