import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { sweepTrackingUri } from '../tracking-uri.js';
import { runnerEnv } from '../runner-env.js';
import { runCell } from '../../train/runner.js';
import { EXIT_INTERRUPTED } from '../launch-sweep.js';
import { RunStore } from '../../tracking/run-store.js';

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
    const runsDir = runsDirFor(parsed.options.get('runs'), io.env, io.cwd);
    const store = new RunStore(runsDir);
    const sweep = await store.findSweep(ref);
    const env = await runnerEnv(io, runsDir, { jobs: 1, trackingUri: await sweepTrackingUri(store, sweep, io) });
    try {
      const cell = await runCell(sweep, cellId, env.options);
      if (env.interrupted()) return EXIT_INTERRUPTED;
      return cell.status === 'finished' ? 0 : 1;
    } finally {
      env.dispose();
    }
  },
};
