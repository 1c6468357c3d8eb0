import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { formatTable } from '../table.js';
import { isAlive } from '../runner-env.js';
import { hostname } from 'node:os';
import { RunStore, type SweepRun } from '../../tracking/run-store.js';
import { isActive, slurmCommands } from '../../train/launchers/slurm-commands.js';
import { readSlurmRecord } from '../../train/launchers/slurm-record.js';
import { finishSweep, reconcileWithSlurm, type SlurmCellView } from '../../train/launchers/slurm.js';

export const statusCommand: Command = {
  name: 'status',
  summary: "each cell's state from the run store and, for SLURM sweeps, from squeue/scontrol",
  usage: `ecg-lab status <sweep> [--runs DIR] [--json]

  <sweep>   a sweep id (or a unique prefix of one), or <experiment>/<sweep id>
  --json    one JSON object per cell instead of the table

For a sweep submitted with --launcher slurm, a cell that run.json says is
running but whose SLURM task is gone (scancel, or SIGKILL after the grace
period) is marked killed in the run store; ecg-lab resume <sweep> --launcher
slurm runs it again.`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs'], flags: ['json'] });
    const [ref] = parsed.positionals;
    if (!ref) {
      io.out(this.usage);
      return 2;
    }
    const store = new RunStore(runsDirFor(parsed.options.get('runs'), io.env, io.cwd));
    let sweep = await store.findSweep(ref);
    const slurm = (await readSlurmRecord(store, sweep)) !== undefined;
    const cells = slurm ? await reconcileWithSlurm(sweep, store, slurmCommands, io.logger) : await localCells(store, sweep);
    if (slurm && sweep.status === 'running') sweep = await finishSweep(sweep, { store, logger: io.logger }, slurmCommands);
    if (parsed.flags.has('json')) {
      for (const c of cells) io.out(JSON.stringify({ cell: c.cellId, state: stateOf(c), stored: c.stored, task: c.task?.task, slurm: c.slurmState, log: c.task?.logs.err }));
      return 0;
    }
    io.out(`sweep ${sweep.experiment}/${sweep.id}: ${sweep.status}`);
    const overrides = new Map(sweep.cells.map((c) => [c.id, Object.entries(c.overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')]));
    const header = ['cell', 'overrides', 'state', 'run store', ...(slurm ? ['slurm task', 'slurm state', 'log'] : [])];
    const rows = cells.map((c) => [
      c.cellId,
      overrides.get(c.cellId) ?? '',
      stateOf(c),
      c.stored,
      ...(slurm ? [c.task?.task ?? '', c.slurmState ?? (c.task ? 'gone' : ''), c.task?.logs.err ?? ''] : []),
    ]);
    io.out(formatTable(header, rows));
    return 0;
  },
};

/** What a person wants to know first: queued or running in SLURM, else the run store's status. */
function stateOf(cell: SlurmCellView): string {
  if (cell.status === 'pending' && isActive(cell.slurmState)) return cell.slurmState === 'PENDING' ? 'queued' : 'starting';
  return cell.status;
}

/** A local sweep: run.json alone, a `running` cell of this host whose process is gone shown as killed. */
async function localCells(store: RunStore, sweep: SweepRun): Promise<SlurmCellView[]> {
  const out: SlurmCellView[] = [];
  for (const { id } of sweep.cells) {
    const cell = await store.readCell(sweep.experiment, sweep.id, id);
    const dead = cell?.status === 'running' && cell.host === hostname() && cell.pid !== undefined && !isAlive(cell.pid);
    out.push({ cellId: id, stored: cell?.status ?? 'missing', status: dead ? 'killed' : (cell?.status ?? 'pending') });
  }
  return out;
}
