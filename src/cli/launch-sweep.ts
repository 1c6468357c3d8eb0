/**
 * What `run` and `resume` share once their cells are known: the sweep's
 * progress while the launcher runs them, the results table when they ended,
 * and the exit code: 0 finished (or handed over to SLURM), 1 a cell failed,
 * 130 stopped by Ctrl-C (the shell's code for SIGINT), with the command that
 * finishes the sweep.
 */
import { runMessages as msg } from '../core/messages.js';
import type { Launcher } from '../train/launchers/launcher.js';
import type { SweepRun } from '../tracking/run-store.js';
import type { Io } from './command.js';
import { resultsTable } from './results-table.js';
import type { RunnerEnv } from './runner-env.js';

export const EXIT_INTERRUPTED = 130;

export async function launchSweep(
  io: Io,
  env: RunnerEnv,
  launcher: Launcher,
  sweep: SweepRun,
  cellIds: readonly string[],
  cellEstimateMs?: number,
): Promise<number> {
  const ref = `${sweep.experiment}/${sweep.id}`;
  if (launcher.name === 'local') io.sweep?.begin(`sweep ${ref}`, cellIds, env.options.jobs ?? 1, cellEstimateMs);
  let done: SweepRun;
  try {
    done = await launcher.launch(sweep, cellIds, env.options);
  } finally {
    io.sweep?.end();
  }
  if (done.status !== 'running' && cellIds.length > 0) io.out(await resultsTable(env.options.store, done));
  io.out(`sweep ${ref} ${done.status}`);
  if (env.interrupted()) {
    io.logger.warn(msg.interrupted(ref));
    return EXIT_INTERRUPTED;
  }
  return done.status === 'finished' || done.status === 'running' ? 0 : 1;
}
