import type { Command } from '../command.js';
import { parseArgs, intOption } from '../args.js';
import { runsDirFor } from '../paths.js';
import { sweepTrackingUri } from '../tracking-uri.js';
import { runnerEnv } from '../runner-env.js';
import { LAUNCHER_ARGS, LAUNCHER_USAGE, launcherFrom } from '../launcher-options.js';
import { StageCache } from '../../train/cache.js';
import { launchSweep } from '../launch-sweep.js';
import { RunStore } from '../../tracking/run-store.js';
import { runMessages } from '../../core/messages.js';

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'finish a sweep that was stopped or killed: only the cells and stages that did not finish',
  usage: `ecg-lab resume <sweep> [--jobs N] [--runs DIR] [--launcher local|slurm [--slurm.partition P ...] [--no-wait]]

  <sweep>   a sweep id (or a unique prefix of one), or <experiment>/<sweep id>
${LAUNCHER_USAGE}`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['jobs', 'runs', ...LAUNCHER_ARGS.withValue], flags: [...LAUNCHER_ARGS.flags] });
    const [ref] = parsed.positionals;
    if (!ref) {
      io.out(this.usage);
      return 2;
    }
    const runsDir = runsDirFor(parsed.options.get('runs'), io.env, io.cwd);
    const launcher = launcherFrom(parsed, io);
    const store = new RunStore(runsDir);
    const sweep = await store.findSweep(ref);
    const env = await runnerEnv(io, runsDir, { jobs: intOption(parsed, 'jobs', 1), trackingUri: await sweepTrackingUri(store, sweep, io) });
    try {
      const removed = await new StageCache(store.cacheDir(), io.logger).sweepStaleTemporaries((pid) => env.options.isAlive?.(pid) ?? false);
      if (removed > 0) io.logger.info(`removed ${removed} unfinished cache folder(s) of killed runs`);
      const now = env.options.baseTags?.['git.commit'];
      const then = sweep.tags['git.commit'];
      if (now !== undefined && then !== undefined && now !== then) io.logger.warn(runMessages.headMoved(`${sweep.experiment}/${sweep.id}`, then, now));
      const todo = await launcher.unfinishedCells(sweep, env.options);
      io.logger.info(`sweep ${sweep.experiment}/${sweep.id}: ${todo.length} of ${sweep.cells.length} cell(s) to finish${todo.length ? `: ${todo.join(', ')}` : ''}`);
      return await launchSweep(io, env, launcher, sweep, todo);
    } finally {
      env.dispose();
    }
  },
};
