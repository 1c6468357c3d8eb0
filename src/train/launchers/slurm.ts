/**
 * The slurm launcher: a sweep's cells as one SLURM job array. Phases of
 * `launch`, in order:
 *   1. the sweep's parent run is opened in the trackers (MLflow), here, so
 *      that every task finds it and logs its cell as a child
 *   2. shared stages: stages whose cache key several of the cells have and
 *      the cache lacks run once, as their own array job (one task per
 *      distinct prefix), into the shared cache
 *   3. the cells: one array task per cell, `ecg-lab run-cell <sweep> <cell>`,
 *      after the shared job succeeded (--dependency=afterok); the job ids go
 *      to slurm.json beside sweep.json
 *   4. unless told not to wait: poll squeue/scontrol until the tasks ended,
 *      reconcile the run store with SLURM (a cell `running` whose task is
 *      gone was killed), set the sweep's status, close the parent run
 * Why a dependency job rather than a lock in the cache: docs/slurm.md.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { writeJsonAtomic } from '../../core/fs.js';
import { launchMessages as msg } from '../../core/messages.js';
import type { Config } from '../../config/schema/index.js';
import { RunStore, type CellRun, type RunStatus, type SweepRun } from '../../tracking/run-store.js';
import { StageCache, stageKey } from '../cache.js';
import { resolveStages } from '../graph.js';
import type { RunnerOptions } from '../runner.js';
import { sweepStatusOf, type Launcher } from './launcher.js';
import { isActive, slurmCommands, type SlurmCommands, type SlurmState } from './slurm-commands.js';
import { addSubmission, latestTasks, readSlurmRecord, slurmDir, type CellTask, type SlurmSubmission } from './slurm-record.js';

export interface SlurmResources {
  readonly partition?: string;
  readonly time?: string;
  readonly cpus?: number;
  readonly gpus?: number;
  readonly mem?: string;
}

/** How a task starts ecg-lab: the submitting process's node, its flags (e.g. --import tsx) and script. */
export interface SelfCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** The tasks' working directory (relative paths, ECG_LAB_PLUGINS, tsx resolve from it). */
  readonly cwd: string;
  readonly verbose?: boolean;
}

export interface SlurmLauncherOptions {
  readonly resources: SlurmResources;
  readonly self: SelfCommand;
  /** Wait for the tasks and close the sweep (default); false: submit and return. */
  readonly wait: boolean;
  readonly pollMs?: number;
  readonly commands?: SlurmCommands;
}

/** One cell as the run store and SLURM see it. */
export interface SlurmCellView {
  readonly cellId: string;
  /** run.json's status after reconciling (a `running` cell whose task is gone is `killed`). */
  readonly status: RunStatus;
  /** run.json's status as it was read, before reconciling. */
  readonly stored: RunStatus | 'missing';
  readonly task?: CellTask;
  readonly slurmState?: SlurmState;
}

export function slurmLauncher(opts: SlurmLauncherOptions): Launcher {
  const commands = opts.commands ?? slurmCommands;
  return {
    name: 'slurm',
    async unfinishedCells(sweep, options) {
      const view = await reconcileWithSlurm(sweep, options.store, commands, options.logger);
      const queued = view.filter((c) => c.status !== 'finished' && isActive(c.slurmState)).map((c) => c.cellId);
      if (queued.length > 0) options.logger.warn(msg.stillQueued(queued));
      return view.filter((c) => c.status !== 'finished' && !isActive(c.slurmState)).map((c) => c.cellId);
    },
    async launch(sweep, cellIds, options) {
      for (const tracker of options.trackers ?? []) await tracker.sweepStarted(sweep);
      const running: SweepRun = { ...sweep, status: 'running' };
      await options.store.writeSweep(running);
      if (cellIds.length === 0) return finishSweep(running, options, commands);
      const jobs: string[] = [];
      const shared = await submitShared(running, cellIds, options, opts, commands);
      if (shared) jobs.push(shared);
      jobs.push(await submitCells(running, cellIds, shared, options, opts, commands));
      if (!opts.wait) return running;
      const ended = await waitFor(jobs, commands, options.logger, opts.pollMs ?? 2_000, options.signal);
      if (!ended) {
        options.logger.warn(msg.stoppedWaiting(`${sweep.experiment}/${sweep.id}`));
        return running;
      }
      return finishSweep(running, options, commands);
    },
  };
}

/**
 * Each cell's state from run.json and from SLURM; a cell whose task is gone
 * while run.json says `running` (the task was cancelled, or SIGKILLed after
 * its grace period before the cell could write) is marked `killed` in the
 * run store, a `pending` cell whose task ended without starting it is
 * `killed` (cancelled) or `failed` (the task's log says why).
 */
export async function reconcileWithSlurm(sweep: SweepRun, store: RunStore, commands: SlurmCommands, logger: Logger): Promise<SlurmCellView[]> {
  const stored = new Map<string, CellRun | undefined>();
  for (const { id } of sweep.cells) stored.set(id, await store.readCell(sweep.experiment, sweep.id, id));
  const tasks = latestTasks(await readSlurmRecord(store, sweep));
  const states = await commands.taskStates([...new Set([...tasks.values()].map((t) => t.submission.jobId))]);
  const out: SlurmCellView[] = [];
  for (const { id } of sweep.cells) {
    const cell = stored.get(id);
    const task = tasks.get(id);
    const slurmState = task ? states.get(task.task) : undefined;
    const view = { cellId: id, stored: cell?.status ?? ('missing' as const), task, slurmState };
    if (!cell || !task || isActive(slurmState) || (cell.status !== 'running' && cell.status !== 'pending')) {
      out.push({ ...view, status: cell?.status ?? 'pending' });
      continue;
    }
    // Read again: the cell may have ended between the first read and squeue's answer.
    const now = await store.readCell(sweep.experiment, sweep.id, id);
    if (!now || (now.status !== 'running' && now.status !== 'pending')) {
      out.push({ ...view, status: now?.status ?? 'pending' });
      continue;
    }
    const state = slurmState ?? 'no longer known to SLURM';
    const cancelled = now.status === 'running' || slurmState === undefined || slurmState === 'CANCELLED';
    const error = now.status === 'running' ? msg.taskGone(task.task, state) : msg.taskEndedBeforeStart(task.task, state, task.logs.err);
    const status: RunStatus = cancelled ? 'killed' : 'failed';
    await store.writeCell({ ...now, status, endedAt: new Date().toISOString(), error });
    logger.warn(`${id}: ${error}`);
    out.push({ ...view, status });
  }
  return out;
}

/**
 * Phase 4's end (also `status`'s): once no task of the sweep is queued or
 * running, the sweep's status from its cells, and the parent run closed.
 */
export async function finishSweep(sweep: SweepRun, options: Pick<RunnerOptions, 'store' | 'logger' | 'trackers'>, commands: SlurmCommands): Promise<SweepRun> {
  const view = await reconcileWithSlurm(sweep, options.store, commands, options.logger);
  if (view.some((c) => isActive(c.slurmState))) return sweep;
  const done: SweepRun = { ...sweep, status: sweepStatusOf(view.map((c) => c.status)) };
  await options.store.writeSweep(done);
  for (const tracker of options.trackers ?? []) await tracker.sweepEnded(done);
  return done;
}

async function waitFor(jobs: readonly string[], commands: SlurmCommands, logger: Logger, pollMs: number, signal?: AbortSignal): Promise<boolean> {
  logger.info(msg.waiting(jobs));
  for (;;) {
    if (signal?.aborted) return false;
    const states = await commands.taskStates(jobs);
    if (![...states.values()].some(isActive)) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}

interface Lead {
  readonly cellId: string;
  /** The stages of this cell that other cells share and the cache lacks. */
  readonly stages: string[];
}

/**
 * Stages that two or more of the cells would compute with the same cache
 * key, and the cells that compute them: each lead covers the shared keys no
 * earlier lead covers. A stage's inputs are part of its key, so a shared
 * stage's inputs are shared too: each lead's stages are a prefix of the graph.
 */
export async function sharedStages(sweep: SweepRun, cellIds: readonly string[], options: Pick<RunnerOptions, 'store' | 'registry' | 'logger'>): Promise<Lead[]> {
  const { store } = options;
  const cache = new StageCache(store.cacheDir(), options.logger);
  const stages = resolveStages(options.registry, sweep.stages);
  const keysOf = new Map<string, { stage: string; id: string }[]>();
  const counts = new Map<string, number>();
  for (const cellId of cellIds) {
    const config = JSON.parse(await readFile(join(store.cellDir(sweep.experiment, sweep.id, cellId), 'config.json'), 'utf8')) as Config;
    const keys: Record<string, string> = {};
    const own = stages.map((stage) => {
      keys[stage.name] = stageKey(stage, config, keys);
      return { stage: stage.name, id: `${stage.name}/${keys[stage.name]}` };
    });
    keysOf.set(cellId, own);
    for (const { id } of own) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const isShared = (k: { stage: string; id: string }) => (counts.get(k.id) ?? 0) >= 2 && !cache.has(k.stage, k.id.slice(k.stage.length + 1));
  const covered = new Set<string>();
  const leads: Lead[] = [];
  for (const cellId of cellIds) {
    const shared = (keysOf.get(cellId) ?? []).filter(isShared);
    if (!shared.some((k) => !covered.has(k.id))) continue;
    for (const k of shared) covered.add(k.id);
    leads.push({ cellId, stages: shared.map((k) => k.stage) });
  }
  return leads;
}

/**
 * Phase 2. Each lead runs as a cell of its own scratch sweep under
 * slurm/shared-<n>/, whose `.cache` is a link to the real cache and whose
 * stages are the lead's shared ones: `ecg-lab run-cell` fills the cache and
 * the real cell, later, takes those stages from it. No MLflow for it: the
 * stages' metrics reach MLflow with the cells that read them.
 */
async function submitShared(
  sweep: SweepRun,
  cellIds: readonly string[],
  options: RunnerOptions,
  opts: SlurmLauncherOptions,
  commands: SlurmCommands,
): Promise<string | undefined> {
  const leads = await sharedStages(sweep, cellIds, options);
  if (leads.length === 0) return undefined;
  const { store } = options;
  const n = ((await readSlurmRecord(store, sweep))?.submissions.length ?? 0) + 1;
  const root = join(slurmDir(store, sweep), `shared-${n}`);
  await mkdir(store.cacheDir(), { recursive: true });
  await mkdir(root, { recursive: true });
  if (!existsSync(join(root, '.cache'))) await symlink(store.cacheDir(), join(root, '.cache'), 'dir');
  const scratch = new RunStore(root);
  const tasks: Record<string, { ref: string; cellId: string }> = {};
  for (const [index, lead] of leads.entries()) {
    const id = `shared-${index}`;
    const cellDir = store.cellDir(sweep.experiment, sweep.id, lead.cellId);
    const cell = await store.readCell(sweep.experiment, sweep.id, lead.cellId);
    const config = JSON.parse(await readFile(join(cellDir, 'config.json'), 'utf8')) as Config;
    const cellOfSweep = sweep.cells.find((c) => c.id === lead.cellId);
    await scratch.writeSweep({ ...sweep, id, stages: lead.stages, cells: cellOfSweep ? [cellOfSweep] : [], status: 'pending' });
    await writeJsonAtomic(join(scratch.cellDir(sweep.experiment, id, lead.cellId), 'config.json'), { ...config, tracking: { ...config.tracking, uri: '' } });
    if (cell) await scratch.writeCell({ ...cell, sweepId: id, id: `${id}/${lead.cellId}`, status: 'pending', stages: {} });
    tasks[String(index)] = { ref: `${sweep.experiment}/${id}`, cellId: lead.cellId };
  }
  const stages = [...new Set(leads.flatMap((l) => l.stages))];
  options.logger.info(msg.sharedStages(leads.length, stages));
  const submission = await submit(sweep, options.store, 'shared', n, tasks, root, undefined, opts, commands, options.logger, ['--export=ALL,MLFLOW_TRACKING_URI=']);
  await addSubmission(store, sweep, { ...submission, tasks: Object.fromEntries(Object.entries(tasks).map(([i, t]) => [i, t.cellId])), stages });
  return submission.jobId;
}

/** Phase 3: one task per cell, its array index the cell's position in the sweep. */
async function submitCells(
  sweep: SweepRun,
  cellIds: readonly string[],
  dependsOn: string | undefined,
  options: RunnerOptions,
  opts: SlurmLauncherOptions,
  commands: SlurmCommands,
): Promise<string> {
  const ref = `${sweep.experiment}/${sweep.id}`;
  const tasks: Record<string, { ref: string; cellId: string }> = {};
  for (const cellId of cellIds) tasks[String(sweep.cells.findIndex((c) => c.id === cellId))] = { ref, cellId };
  const n = ((await readSlurmRecord(options.store, sweep))?.submissions.length ?? 0) + 1;
  const submission = await submit(sweep, options.store, 'cells', n, tasks, options.store.root, dependsOn, opts, commands, options.logger, ['--export=ALL']);
  await addSubmission(options.store, sweep, { ...submission, tasks: Object.fromEntries(Object.entries(tasks).map(([i, t]) => [i, t.cellId])) });
  return submission.jobId;
}

/** Write the batch script (kept beside the logs, so a person can read what ran) and sbatch it. */
async function submit(
  sweep: SweepRun,
  store: RunStore,
  kind: SlurmSubmission['kind'],
  n: number,
  tasks: Readonly<Record<string, { ref: string; cellId: string }>>,
  runsDir: string,
  dependsOn: string | undefined,
  opts: SlurmLauncherOptions,
  commands: SlurmCommands,
  logger: Logger,
  extra: readonly string[],
): Promise<Omit<SlurmSubmission, 'tasks'>> {
  const dir = slurmDir(store, sweep);
  await mkdir(dir, { recursive: true });
  const script = join(dir, `${kind}-${n}.sbatch`);
  const output = join(dir, `${kind}-%A_%a.out`);
  const error = join(dir, `${kind}-%A_%a.err`);
  await writeFile(script, batchScript(tasks, runsDir, opts.self));
  await chmod(script, 0o755);
  const { resources } = opts;
  const args = [
    `--job-name=ecg-lab-${sweep.experiment}-${kind}`,
    `--array=${Object.keys(tasks).join(',')}`,
    `--output=${output}`,
    `--error=${error}`,
    `--chdir=${opts.self.cwd}`,
    ...(resources.partition ? [`--partition=${resources.partition}`] : []),
    ...(resources.time ? [`--time=${resources.time}`] : []),
    ...(resources.cpus ? [`--cpus-per-task=${resources.cpus}`] : []),
    ...(resources.gpus ? [`--gpus=${resources.gpus}`] : []),
    ...(resources.mem ? [`--mem=${resources.mem}`] : []),
    // A cells job whose shared job failed would wait forever: cancel it instead (its cells become `killed`).
    ...(dependsOn ? [`--dependency=afterok:${dependsOn}`, '--kill-on-invalid-dep=yes'] : []),
    ...extra,
    script,
  ];
  const jobId = await commands.sbatch(args);
  logger.info(msg.submitted(kind, jobId, Object.keys(tasks).length, dependsOn));
  return { jobId, kind, script, output, error, submittedAt: new Date().toISOString(), ...(dependsOn ? { dependsOn } : {}) };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The batch script: the array index picks the sweep and cell; exec, so SIGTERM from scancel reaches ecg-lab itself. */
export function batchScript(tasks: Readonly<Record<string, { ref: string; cellId: string }>>, runsDir: string, self: SelfCommand): string {
  const entries = Object.entries(tasks);
  const command = [self.command, ...self.args].map(shellQuote).join(' ');
  return [
    '#!/bin/bash',
    '# Written by ecg-lab (slurm launcher): one array task per cell.',
    'set -euo pipefail',
    `refs=(${entries.map(([i, t]) => `[${i}]=${shellQuote(t.ref)}`).join(' ')})`,
    `cells=(${entries.map(([i, t]) => `[${i}]=${shellQuote(t.cellId)}`).join(' ')})`,
    'i="${SLURM_ARRAY_TASK_ID:?not a SLURM array task}"',
    `exec ${command} run-cell "\${refs[$i]}" "\${cells[$i]}" --runs ${shellQuote(runsDir)}${self.verbose ? ' --verbose' : ''}`,
    '',
  ].join('\n');
}
