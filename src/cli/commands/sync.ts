import { userInfo } from 'node:os';
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { EcgError } from '../../core/errors.js';
import { cliMessages } from '../../core/messages.js';
import { MlflowClient } from '../../tracking/mlflow/client.js';
import { authFromEnv, trackingUri } from '../../tracking/mlflow/auth.js';
import { syncRunStore, sentNothing } from '../../tracking/mlflow/sync.js';
import { RunStore } from '../../tracking/run-store.js';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'send to MLflow what the server has not yet received from the local run store (exactly once)',
  usage: `ecg-lab sync [experiment | sweep] [--uri URI] [--runs DIR]

  --uri URI   the MLflow server (default: $MLFLOW_TRACKING_URI)
  credentials: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['uri', 'runs'] });
    const uri = trackingUri(parsed.options.get('uri'), parsed.options.has('uri') ? {} : io.env);
    if (!uri) throw new EcgError('USAGE', cliMessages.syncNeedsUri());
    const runsDir = runsDirFor(parsed.options.get('runs'), io.env, io.cwd);
    const scope = await resolveScope(new RunStore(runsDir), parsed.positionals[0]);
    const client = new MlflowClient({ uri, auth: authFromEnv(io.env), logger: io.logger });
    const counts = await syncRunStore(runsDir, client, { logger: io.logger, user: userInfo().username, ...scope });
    io.out(
      sentNothing(counts)
        ? `${client.uri}: already up to date`
        : `${client.uri}: ${counts.runsCreated} run(s) created, ${counts.metrics} metric point(s), ${counts.params} param(s), ${counts.tags} tag(s), ${counts.artifacts} artifact(s), ${counts.statuses} status update(s)`,
    );
    return 0;
  },
};

/** An experiment name, or a sweep id (prefix), or everything. */
async function resolveScope(store: RunStore, ref: string | undefined): Promise<{ experiment?: string; sweepId?: string }> {
  if (!ref) return {};
  const experiments = new Set((await store.listSweeps()).map((s) => s.experiment));
  if (experiments.has(ref)) return { experiment: ref };
  const sweep = await store.findSweep(ref);
  return { experiment: sweep.experiment, sweepId: sweep.id };
}
