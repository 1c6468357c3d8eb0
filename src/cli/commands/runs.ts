import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { formatTable } from '../table.js';
import { RunStore } from '../../tracking/run-store.js';

const KEY_METRICS = ['f1/macro', 'snr/mean'];

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list sweeps and their cells with status and key metrics',
  usage: 'ecg-lab runs [experiment] [--runs DIR]',
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs'] });
    const store = new RunStore(runsDirFor(parsed.options.get('runs'), io.env, io.cwd), io.logger);
    const sweeps = await store.listSweeps(parsed.positionals[0]);
    if (sweeps.length === 0) {
      io.out(`no runs in ${store.root}`);
      return 0;
    }
    const rows: string[][] = [];
    for (const sweep of sweeps) {
      for (const { id, overrides } of sweep.cells) {
        const cell = await store.readCell(sweep.experiment, sweep.id, id);
        const metrics = cell ? await store.latestMetrics(cell) : {};
        const duration = cell?.startedAt && cell.endedAt ? `${((Date.parse(cell.endedAt) - Date.parse(cell.startedAt)) / 1000).toFixed(0)}s` : '';
        rows.push([
          sweep.experiment,
          sweep.id,
          id,
          cell?.status ?? 'missing',
          Object.entries(overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' '),
          ...KEY_METRICS.map((m) => (metrics[m] === undefined ? '' : (metrics[m] as number).toFixed(3))),
          duration,
        ]);
      }
    }
    io.out(formatTable(['experiment', 'sweep', 'cell', 'status', 'overrides', ...KEY_METRICS, 'time'], rows));
    return 0;
  },
};
