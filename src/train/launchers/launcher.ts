/**
 * A launcher decides where a sweep's cells run: `local` in this process (or
 * `--jobs N` child processes), `slurm` as a SLURM job array. The run store
 * is the one truth either way: every cell, wherever it runs, writes its
 * run.json, and `status` / `resume` read it.
 */
import type { RunStatus, SweepRun } from '../../tracking/run-store.js';
import type { RunnerOptions } from '../runner.js';

export const LAUNCHERS = ['local', 'slurm'] as const;
export type LauncherName = (typeof LAUNCHERS)[number];

export interface Launcher {
  readonly name: LauncherName;
  /** Cells `resume` must (re)run: not finished, and not alive in this process's view (a pid, a SLURM task). */
  unfinishedCells(sweep: SweepRun, options: RunnerOptions): Promise<string[]>;
  /**
   * Run the cells, or hand them over. The sweep comes back `finished`,
   * `failed` or `killed` when its cells ended, `running` when they were
   * handed over and still run elsewhere.
   */
  launch(sweep: SweepRun, cellIds: readonly string[], options: RunnerOptions): Promise<SweepRun>;
}

/** A sweep's status from its cells' (as the runner computes it once every cell ended). */
export function sweepStatusOf(statuses: readonly RunStatus[]): RunStatus {
  if (statuses.every((s) => s === 'finished')) return 'finished';
  if (statuses.some((s) => s === 'killed' || s === 'pending' || s === 'running')) return 'killed';
  return 'failed';
}
