import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Io } from './command.js';
import type { Config } from '../config/schema/index.js';
import { trackingUri } from '../tracking/mlflow/auth.js';
import type { RunStore, SweepRun } from '../tracking/run-store.js';

/** The MLflow server of an existing sweep: MLFLOW_TRACKING_URI, else the tracking.uri its cells were run with. */
export async function sweepTrackingUri(store: RunStore, sweep: SweepRun, io: Io): Promise<string | undefined> {
  const first = sweep.cells[0];
  if (!first) return trackingUri(undefined, io.env);
  try {
    const config = JSON.parse(await readFile(join(store.cellDir(sweep.experiment, sweep.id, first.id), 'config.json'), 'utf8')) as Config;
    return trackingUri(config.tracking.uri, io.env);
  } catch {
    return trackingUri(undefined, io.env);
  }
}
