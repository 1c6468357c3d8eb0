import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { sweepTrackingUri } from '../tracking-uri.js';
import { resolveCellRef } from '../../inference/load-cell.js';
import { EcgError } from '../../core/errors.js';
import { runMessages } from '../../core/messages.js';
import { RunStore } from '../../tracking/run-store.js';
import { MlflowClient } from '../../tracking/mlflow/client.js';
import { authFromEnv } from '../../tracking/mlflow/auth.js';
import { SYNC_STATE_FILE, syncRunStore } from '../../tracking/mlflow/sync.js';

/** Tag names ecg-lab writes itself: a user tag may not overwrite them. */
const RESERVED = /^(ecg-lab\.|git\.|mlflow\.|runtime\.|host\.|deps\.|data\.)/;

export const tagCommand: Command = {
  name: 'tag',
  summary: "set user tags on a cell (run.json), mirrored to the cell's MLflow run when it has one",
  usage: `ecg-lab tag <cell> name=value [name=value ...] [--runs DIR]

  <cell>   <experiment>/<sweep>/<cell> or <sweep>/<cell> (unique prefixes), as digitize --model takes it
  Names of ecg-lab's own tags (ecg-lab.*, git.*, mlflow.*, runtime.*, host.*, deps.*, data.*) are refused.`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs'] });
    const [ref, ...pairs] = parsed.positionals;
    if (!ref || pairs.length === 0) {
      io.out(this.usage);
      return 2;
    }
    const tags = Object.fromEntries(pairs.map(parseTag));
    const runsDir = runsDirFor(parsed.options.get('runs'), io.env, io.cwd);
    const { label } = await resolveCellRef(ref, runsDir, io.cwd);
    const [experiment, sweepId, cellId] = label.split('/');
    if (!experiment || !sweepId || !cellId) throw new EcgError('USAGE', runMessages.tagNeedsStoreCell(label));
    const store = new RunStore(runsDir, io.logger);
    const cell = await store.readCell(experiment, sweepId, cellId);
    if (!cell) throw new EcgError('RUN_NOT_FOUND', runMessages.cellRunMissing(cellId, sweepId));
    await store.writeCell({ ...cell, tags: { ...cell.tags, ...tags } });
    io.out(`${label}: ${pairs.join(' ')}`);

    const synced = existsSync(join(store.cellDir(experiment, sweepId, cellId), SYNC_STATE_FILE));
    const sweep = await store.readSweep(experiment, sweepId);
    const uri = synced ? await sweepTrackingUri(store, sweep, io) : undefined;
    if (uri === undefined) return 0;
    const client = new MlflowClient({ uri, auth: authFromEnv(io.env), logger: io.logger });
    const counts = await syncRunStore(runsDir, client, { logger: io.logger, user: userInfo().username, experiment, sweepId });
    io.out(`${client.uri}: ${counts.tags} tag(s) sent`);
    return 0;
  },
};

function parseTag(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq).trim();
  if (eq <= 0 || name === '') throw new EcgError('USAGE', runMessages.tagBadPair(pair));
  if (RESERVED.test(name)) throw new EcgError('USAGE', runMessages.tagReserved(name));
  return [name, pair.slice(eq + 1)];
}
