import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { runnerEnv } from '../runner-env.js';
import { runCell } from '../../train/runner.js';

/** Internal: one cell of an existing sweep, in this process (used by --jobs N and launchers). */
export const runCellCommand: Command = {
  name: 'run-cell',
  summary: 'run one cell of an existing sweep (used by --jobs and cluster launchers)',
  usage: 'ecg-lab run-cell <experiment>/<sweep id> <cell id> [--runs DIR]',
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs'] });
    const [ref, cellId] = parsed.positionals;
    if (!ref || !cellId) {
      io.out(this.usage);
      return 2;
    }
    const env = await runnerEnv(io, runsDirFor(parsed.options.get('runs'), io.env, io.cwd), { jobs: 1 });
    try {
      const sweep = await env.options.store.findSweep(ref);
      const cell = await runCell(sweep, cellId, env.options);
      return cell.status === 'finished' ? 0 : 1;
    } finally {
      env.dispose();
    }
  },
};
