/**
 * Everything process-bound the runner needs, built in one place: the run
 * store, the stage registry, tags, signal handling, child processes for
 * `--jobs N`, and the backend loader.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EcgError } from '../core/errors.js';
import { runMessages as msg } from '../core/messages.js';
import type { Stage } from '../train/stage.js';
import { createRegistry } from '../train/graph.js';
import type { Io } from './command.js';
import { PACKAGE_ROOT, packageVersion } from './paths.js';
import { RunStore, type SweepRun } from '../tracking/run-store.js';
import { gitPatch, gitTags } from '../tracking/git-info.js';
import { provenanceTags } from '../tracking/provenance.js';
import type { RunnerOptions } from '../train/runner.js';
import type { StageRegistry } from '../train/graph.js';
import { METHOD_STAGES } from '../train/stages/index.js';
import { loadBackendFor } from './backend.js';
import { userInfo } from 'node:os';
import { MlflowClient } from '../tracking/mlflow/client.js';
import { authFromEnv } from '../tracking/mlflow/auth.js';
import { STREAM_RETRY } from '../tracking/mlflow/stream.js';
import { MlflowTracker } from '../tracking/mlflow/tracker.js';
import type { RunTracker } from '../tracking/tracker.js';
import { redactUri } from '../core/redact.js';

export interface RunnerEnv {
  readonly options: RunnerOptions;
  /** Whether a SIGINT or SIGTERM asked the run to stop. */
  interrupted(): boolean;
  /** Stop handling signals (call when the command ends). */
  dispose(): void;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The method's stages plus those of plugin modules named in ECG_LAB_PLUGINS
 * (comma-separated paths; each module exports `stages: Stage[]`): a lab adds
 * its own stage without editing ecg-lab.
 */
export async function stageRegistry(io: Io): Promise<StageRegistry> {
  const modules = (io.env['ECG_LAB_PLUGINS'] ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  const extra: Stage[] = [];
  for (const module of modules) {
    let loaded: { stages?: unknown };
    try {
      loaded = (await import(pathToFileURL(resolve(io.cwd, module)).href)) as { stages?: unknown };
    } catch (cause) {
      throw new EcgError('STAGE_UNKNOWN', msg.pluginUnloadable(module, (cause as Error).message), { cause });
    }
    if (!Array.isArray(loaded.stages)) {
      throw new EcgError('STAGE_UNKNOWN', msg.pluginWithoutStages(module));
    }
    extra.push(...(loaded.stages as Stage[]));
  }
  if (extra.length === 0) return METHOD_STAGES;
  const own = new Set(extra.map((s) => s.name));
  return createRegistry([...Object.values(METHOD_STAGES).filter((s) => !own.has(s.name)), ...extra]);
}

/** The MLflow stream when a tracking URI is set; the local store is written either way. */
function trackers(io: Io, runsDir: string, uri: string | undefined): RunTracker[] {
  if (!uri) return [];
  const client = new MlflowClient({ uri, auth: authFromEnv(io.env), retry: STREAM_RETRY, logger: io.logger });
  io.logger.info(`tracking: local run store ${runsDir} and MLflow ${client.uri}`);
  return [new MlflowTracker({ client, runsDir, logger: io.logger, user: userInfo().username })];
}

/** Cells run in this process report to the sweep's progress through the tracker interface. */
function cellProgressTracker(io: Io): RunTracker {
  return {
    sweepStarted: async () => {},
    cellStarted: async (_sweep, cell) => io.sweep?.cellStarted(cell.cellId),
    metricsLogged: async () => {},
    artifactsAdded: async () => {},
    cellEnded: async (_sweep, cell) => io.sweep?.cellEnded(cell.cellId, cell.status),
    sweepEnded: async () => {},
  };
}

/**
 * The patch of a dirty working tree (`git diff HEAD`), for every cell's
 * artifacts: the commit alone does not give back the code that ran. It is
 * stored and sent like everything else, so it is redacted like everything
 * else (an edited config file may hold a URI with a password).
 */
function dirtyTreeArtifacts(cwd: string): Record<string, string> {
  const patch = gitPatch(cwd);
  return patch === undefined ? {} : { [DIRTY_PATCH_ARTIFACT]: redactUri(patch) };
}

export const DIRTY_PATCH_ARTIFACT = 'provenance/git-diff-HEAD.patch';

export async function runnerEnv(io: Io, runsDir: string, opts: { jobs: number; trackingUri?: string }): Promise<RunnerEnv> {
  const registry = await stageRegistry(io);
  const controller = new AbortController();
  const children = new Set<ReturnType<typeof spawn>>();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      for (const child of children) child.kill('SIGKILL');
      process.exit(130);
    }
    io.logger.warn(msg.interruptFirst(signal));
    controller.abort();
    for (const child of children) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // The store keeps the tracking URI without its user-info: a child cell gets the real one here.
  const childEnv = opts.trackingUri ? { ...io.env, MLFLOW_TRACKING_URI: opts.trackingUri } : io.env;
  // Children run in their own process group: a Ctrl-C reaches them once, forwarded from here, not twice
  // (the terminal's and ours), which they would take for the second one. Their lines go through our logger,
  // above the footer.
  const launchCell = (sweep: SweepRun, cellId: string): Promise<void> =>
    new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [...process.execArgv, process.argv[1] as string, 'run-cell', `${sweep.experiment}/${sweep.id}`, cellId, '--runs', runsDir, ...(io.verbose ? ['--verbose'] : [])],
        { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv, detached: true },
      );
      children.add(child);
      io.sweep?.cellStarted(cellId);
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => io.logger.info(line));
      child.on('close', () => {
        children.delete(child);
        void store.readCell(sweep.experiment, sweep.id, cellId).then(
          (cell) => io.sweep?.cellEnded(cellId, cell?.status ?? 'failed'),
          () => io.sweep?.cellEnded(cellId, 'failed'),
        ).finally(resolve);
      });
    });

  const store = new RunStore(runsDir, io.logger);
  const options: RunnerOptions = {
    store,
    registry,
    logger: io.logger,
    progress: io.progress,
    baseTags: { ...gitTags(io.cwd), ...provenanceTags({ packageRoot: PACKAGE_ROOT, nodeVersion: process.version, ecgLabVersion: packageVersion() }) },
    baseArtifacts: dirtyTreeArtifacts(io.cwd),
    prepareBackend: (config) => loadBackendFor(config, io),
    launchCell,
    jobs: opts.jobs,
    trackers: [...trackers(io, runsDir, opts.trackingUri), cellProgressTracker(io)],
    signal: controller.signal,
    isAlive,
    pid: process.pid,
  };
  return {
    options,
    interrupted: () => controller.signal.aborted,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
