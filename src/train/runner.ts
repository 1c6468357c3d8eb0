/**
 * The sweep runner. Phases of `run`, in order:
 *   1. plan (train/plan.ts): compose and validate every cell; nothing written
 *   2. create the sweep in the run store: sweep.json, and per cell run.json
 *      (pending), config.json and config.yaml
 *   3. run cells, `jobs` at a time (in this process, or through `launchCell`
 *      in other processes); a failed cell is recorded and the others go on
 *   4. per cell: stages in dependency order, each from the cache when its key
 *      is there, else run into a temporary folder and renamed into the cache
 *   5. sweep status: finished when every cell finished, else failed/killed
 * `resume` re-enters at 3 with the cells that did not finish.
 *
 * `--no-cache` / `--force <stage>` (a Rebuild) are recorded on the sweep
 * (sweep.rebuild): in phase 4 those stages do not take a cache entry made
 * before the sweep, and the entry they build replaces the old one.
 */
import { existsSync } from 'node:fs';
import { readFile, mkdir, cp, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, dirname } from 'node:path';
import { EcgError, errorMessage, isEcgError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import { runMessages as msg } from '../core/messages.js';
import { writeJsonAtomic } from '../core/fs.js';
import { mapLimited } from '../core/map-limited.js';
import { redactSecrets } from '../core/redact.js';
import { configToYaml, flattenConfig } from '../config/compose.js';
import type { Config } from '../config/schema/index.js';
import { RunStore, type CellRun, type MetricPoint, type SweepRun, type RunStatus } from '../tracking/run-store.js';
import type { RunTracker } from '../tracking/tracker.js';
import { StageCache, stageKey, copyArtifacts, ARTIFACTS_SUBDIR } from './cache.js';
import { resolveStages, type StageRegistry } from './graph.js';
import type { SweepPlan } from './plan.js';
import { stageReads, type Stage, type StageOutput } from './stage.js';
import { scopedConfig } from './scoped-config.js';

export interface RunnerOptions {
  readonly store: RunStore;
  readonly registry: StageRegistry;
  readonly logger: Logger;
  readonly progress: Progress;
  /** Tags every cell gets: git commit, dirty flag, versions, host (tracking/provenance.ts); set again on the cells a resume runs. */
  readonly baseTags?: Readonly<Record<string, string>>;
  /** Files every cell gets in its artifacts when it starts, by relative path (the dirty tree's patch). */
  readonly baseArtifacts?: Readonly<Record<string, string>>;
  /** Loads the TensorFlow.js backend a config names; returns its tags. Called once, before the first stage that uses it. */
  readonly prepareBackend?: (config: Config) => Promise<Record<string, string>>;
  /** Runs one cell in another process; without it cells run in this one. */
  readonly launchCell?: (sweep: SweepRun, cellId: string) => Promise<void>;
  readonly jobs?: number;
  readonly trackers?: readonly RunTracker[];
  readonly signal?: AbortSignal;
  /** Tells whether a process of this host is alive (for stale `running` cells). */
  readonly isAlive?: (pid: number) => boolean;
  /** This process's id, recorded on running cells. */
  readonly pid?: number;
}

/** What `run --no-cache` (every stage) or `--force <stage>` (it and what reads it, directly or not) builds again. */
export type Rebuild = { readonly all: true } | { readonly stages: readonly string[] };

/** The stages of `stages` a Rebuild names: the forced ones and every stage downstream of one. */
export function stagesToRebuild(stages: readonly Stage[], rebuild: Rebuild, configs: readonly Config[] = []): string[] {
  if ('all' in rebuild) return stages.map((s) => s.name);
  for (const name of rebuild.stages) {
    if (!stages.some((s) => s.name === name)) throw new EcgError('USAGE', msg.forcedStageUnknown(name, stages.map((s) => s.name)));
  }
  const out = new Set(rebuild.stages);
  const readsOf = (stage: Stage) => new Set([stage.reads, ...configs.map((config) => stageReads(stage, config))].flat());
  for (const stage of stages) if ([...readsOf(stage)].some((input) => out.has(input))) out.add(stage.name);
  return stages.map((s) => s.name).filter((name) => out.has(name));
}

export interface StagePlanLine {
  readonly cellId: string;
  readonly stage: string;
  readonly key: string;
  readonly cached: boolean;
}

/** Phase 2: the sweep and its cells in the store, all pending. */
export async function createSweep(plan: SweepPlan, options: RunnerOptions, rebuild?: Rebuild): Promise<SweepRun> {
  const { store } = options;
  const configs = plan.cells.map((c) => c.config);
  const resolved = resolveStages(options.registry, plan.experiment.stages, configs);
  const stages = resolved.map((s) => s.name);
  const sweep = await store.createSweep({
    experiment: plan.experiment.name,
    experimentPath: plan.experiment.path,
    status: 'pending',
    args: [...plan.args],
    stages,
    cells: plan.cells.map(({ cell }) => ({ id: cell.id, overrides: { ...cell.overrides }, group: cell.group })),
    tags: { ...options.baseTags },
    ...(rebuild ? { rebuild: { since: new Date().toISOString(), stages: stagesToRebuild(resolved, rebuild, configs) } } : {}),
  });
  for (const planned of plan.cells) {
    const ref = { experiment: sweep.experiment, sweepId: sweep.id, cellId: planned.cell.id };
    const cellDir = store.cellDir(ref.experiment, ref.sweepId, ref.cellId);
    // Stages read config.json back; credentials reach only the MLflow client (cli/runner-env.ts).
    const stored = redactSecrets(planned.config);
    await writeJsonAtomic(join(cellDir, 'config.json'), stored);
    await store.writeCellConfig(ref, configToYaml(stored));
    await store.writeCell({
      id: `${sweep.id}/${planned.cell.id}`,
      ...ref,
      overrides: { ...planned.cell.overrides },
      group: planned.cell.group,
      status: 'pending',
      createdAt: new Date().toISOString(),
      params: flattenConfig(planned.config),
      tags: {
        ...options.baseTags,
        'ecg-lab.configHash': planned.configHash,
        'ecg-lab.seed.data': String(planned.config.seed.data),
        'ecg-lab.seed.train': String(planned.config.seed.train),
        'ecg-lab.sweep': sweep.id,
        'ecg-lab.cell': planned.cell.id,
        'ecg-lab.group': planned.cell.group,
        'ecg-lab.overrides': JSON.stringify(planned.cell.overrides),
      },
      stages: {},
    });
  }
  return sweep;
}

/** `--dry-run`: per cell and stage, its cache key and whether it would come from the cache. */
export function dryRun(plan: SweepPlan, options: Pick<RunnerOptions, 'store' | 'registry' | 'logger'>, rebuild?: Rebuild): StagePlanLine[] {
  const cache = new StageCache(options.store.cacheDir(), options.logger);
  const configs = plan.cells.map((c) => c.config);
  const stages = resolveStages(options.registry, plan.experiment.stages, configs);
  const rebuilt = new Set(rebuild ? stagesToRebuild(stages, rebuild, configs) : []);
  return plan.cells.flatMap(({ cell, config }) => {
    const keys: Record<string, string> = {};
    return stages.map((stage) => {
      const key = stageKey(stage, config, keys);
      keys[stage.name] = key;
      return { cellId: cell.id, stage: stage.name, key, cached: !rebuilt.has(stage.name) && cache.has(stage.name, key) };
    });
  });
}

/** Phases 3 and 5 for the given cells (all cells of a new sweep, or the unfinished ones on resume). */
export async function runCells(sweep: SweepRun, cellIds: readonly string[], options: RunnerOptions): Promise<SweepRun> {
  const { store } = options;
  for (const tracker of options.trackers ?? []) await tracker.sweepStarted(sweep);
  await store.writeSweep({ ...sweep, status: 'running' });
  const jobs = Math.max(1, options.jobs ?? 1);
  const launch = async (cellId: string): Promise<void> => {
    if (options.signal?.aborted) return;
    if (options.launchCell && jobs > 1) await options.launchCell(sweep, cellId);
    else await runCell(sweep, cellId, options);
  };
  await mapLimited(cellIds, jobs, launch);
  const cells = await Promise.all(sweep.cells.map((c) => store.readCell(sweep.experiment, sweep.id, c.id)));
  const status = sweepStatus(cells.map((c) => c?.status ?? 'pending'));
  const done = { ...sweep, status };
  await store.writeSweep(done);
  for (const tracker of options.trackers ?? []) await tracker.sweepEnded(done);
  return done;
}

function sweepStatus(statuses: readonly RunStatus[]): RunStatus {
  if (statuses.every((s) => s === 'finished')) return 'finished';
  if (statuses.some((s) => s === 'killed' || s === 'pending' || s === 'running')) return 'killed';
  return 'failed';
}


/** Cells of a sweep that `resume` must run: not finished, and not alive elsewhere. */
export async function unfinishedCells(sweep: SweepRun, options: Pick<RunnerOptions, 'store' | 'isAlive' | 'logger'>): Promise<string[]> {
  const out: string[] = [];
  for (const { id } of sweep.cells) {
    const cell = await options.store.readCell(sweep.experiment, sweep.id, id);
    if (!cell || cell.status === 'finished') continue;
    const alive = cell.status === 'running' && cell.host === hostname() && cell.pid !== undefined && options.isAlive?.(cell.pid);
    if (alive) {
      options.logger.warn(`cell ${id} is still running (pid ${cell.pid}); leaving it alone`);
      continue;
    }
    out.push(id);
  }
  return out;
}

/** Phase 4 for one cell. Never throws for a stage failure: the cell is marked failed. */
export async function runCell(sweep: SweepRun, cellId: string, options: RunnerOptions): Promise<CellRun> {
  const { store, logger } = options;
  const ref = { experiment: sweep.experiment, sweepId: sweep.id, cellId };
  const stored = await store.readCell(ref.experiment, ref.sweepId, ref.cellId);
  if (!stored) throw new EcgError('RUN_NOT_FOUND', msg.cellRunMissing(cellId, sweep.id));
  const config = JSON.parse(await readFile(join(store.cellDir(ref.experiment, ref.sweepId, cellId), 'config.json'), 'utf8')) as Config;
  let cell: CellRun = {
    ...stored,
    tags: { ...stored.tags, ...options.baseTags },
    status: 'running',
    startedAt: new Date().toISOString(),
    pid: options.pid,
    host: hostname(),
    error: undefined,
  };
  await store.writeCell(cell);
  for (const tracker of options.trackers ?? []) await tracker.cellStarted(sweep, cell);

  const cache = new StageCache(store.cacheDir(), logger);
  const outputs: Record<string, StageOutput> = {};
  const keys: Record<string, string> = {};
  const artifactsDir = store.artifactsDir(ref);
  await writeBaseArtifacts(artifactsDir, options.baseArtifacts ?? {});
  let backendTags: Record<string, string> | undefined;

  try {
    const stages = resolveStages(options.registry, sweep.stages);
    for (const stage of stages) {
      if (options.signal?.aborted) throw abortError();
      const key = stageKey(stage, config, keys);
      keys[stage.name] = key;
      const startedAt = new Date().toISOString();
      cell = { ...cell, stages: { ...cell.stages, [stage.name]: { key, cached: false, status: 'running', startedAt } } };
      await store.writeCell(cell);

      const rebuildSince = sweep.rebuild?.stages.includes(stage.name) ? sweep.rebuild.since : undefined;
      let result = await cache.lookup(stage.name, key);
      if (result && rebuildSince !== undefined && result.entry.createdAt < rebuildSince) result = undefined;
      const cached = result !== undefined;
      if (!result) {
        if (stage.usesBackend && !backendTags) {
          backendTags = (await options.prepareBackend?.(config)) ?? {};
          cell = { ...cell, tags: { ...cell.tags, ...backendTags } };
        }
        const builtBy = provenanceOf(cell.tags);
        result = await runStage(stage, key, config, outputs, keys, cache, options, backendTags ?? {}, { builtBy, rebuildSince });
      }
      outputs[stage.name] = result.output;
      cell = { ...cell, tags: { ...cell.tags, ...(result.entry.tags ?? {}) } };
      await replayMetrics(store, cell, stage.name, result.entry.metrics, sweep, options.trackers);
      await copyArtifacts(result.output.dir, artifactsDir);
      if (existsSync(join(result.output.dir, ARTIFACTS_SUBDIR))) {
        for (const tracker of options.trackers ?? []) await tracker.artifactsAdded(sweep, cell, artifactsDir);
      }
      const endedAt = new Date().toISOString();
      cell = {
        ...cell,
        stages: {
          ...cell.stages,
          [stage.name]: {
            key,
            cached,
            status: 'finished',
            startedAt,
            endedAt,
            durationS: (Date.parse(endedAt) - Date.parse(startedAt)) / 1000,
          },
        },
      };
      await store.writeCell(cell);
      logger.info(`${cellId} ${stage.name}: ${cached ? 'from cache' : 'done'} (${key})`);
    }
    cell = { ...cell, status: 'finished', endedAt: new Date().toISOString() };
  } catch (error) {
    const killed = options.signal?.aborted === true;
    const running = Object.entries(cell.stages).find(([, s]) => s.status === 'running');
    const detail = errorMessage(error);
    if (running) {
      const [name, record] = running;
      cell = { ...cell, stages: { ...cell.stages, [name]: { ...record, status: 'failed', error: detail, endedAt: new Date().toISOString() } } };
    }
    cell = { ...cell, status: killed ? 'killed' : 'failed', endedAt: new Date().toISOString(), error: detail };
    const where = running ? msg.stageFailed(running[0], cellId, detail) : msg.cellFailed(cellId, detail);
    if (killed) logger.warn(`${cellId} killed`);
    else logger.warn(isEcgError(error) ? where : `${where}\n${(error as Error).stack ?? ''}`);
  }
  await store.writeCell(cell);
  for (const tracker of options.trackers ?? []) await tracker.cellEnded(sweep, cell);
  return cell;
}

async function runStage(
  stage: Stage,
  key: string,
  config: Config,
  outputs: Readonly<Record<string, StageOutput>>,
  keys: Readonly<Record<string, string>>,
  cache: StageCache,
  options: RunnerOptions,
  backend: Readonly<Record<string, string>>,
  entry: { readonly builtBy: Record<string, string>; readonly rebuildSince: string | undefined },
) {
  const reads = stageReads(stage, config);
  const inputs = Object.fromEntries(reads.map((name) => [name, outputs[name] as StageOutput]));
  const describe = {
    config: Object.fromEntries(Object.entries(flattenConfig(config)).filter(([k]) => matchesAny(k, stage.configKeys))),
    inputs: Object.fromEntries(reads.map((name) => [name, keys[name] as string])),
    builtBy: entry.builtBy,
  };
  const produceOptions = entry.rebuildSince === undefined ? {} : { replaceOlderThan: entry.rebuildSince };
  return cache.produce(stage, key, describe, async (outDir) => {
    const metrics: MetricPoint[] = [];
    const tags: Record<string, string> = {};
    const manifest = await stage.run({
      config: scopedConfig(config, stage.name, stage.configKeys),
      outDir,
      inputs,
      logger: options.logger,
      progress: options.progress,
      signal: options.signal ?? new AbortController().signal,
      backend,
      metrics: {
        log(name, value, step = 0) {
          metrics.push({ name, value, step, timestamp: Date.now(), stage: stage.name });
        },
      },
      tags: {
        set(name, value) {
          tags[name] = value;
        },
      },
      artifacts: {
        async add(path, name) {
          const target = join(outDir, ARTIFACTS_SUBDIR, name);
          await mkdir(dirname(target), { recursive: true });
          await cp(path, target, { recursive: true });
        },
      },
    });
    return { manifest, metrics, tags };
  }, produceOptions);
}

/** A resumed cell's files replace those of its earlier start (a patch of an older tree would mislead). */
async function writeBaseArtifacts(artifactsDir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const target = join(artifactsDir, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

/** What a cache entry records of what built it: the commit and the backend (cell tags). */
function provenanceOf(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([name]) => name === 'git.commit' || name === 'git.dirty' || name.startsWith('ecg-lab.backend')));
}

function matchesAny(key: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('.*') ? key.startsWith(p.slice(0, -1)) : key === p));
}

/** Append a stage's metrics to the cell once: a resumed cell does not log a stage twice. */
async function replayMetrics(
  store: RunStore,
  cell: CellRun,
  stage: string,
  points: readonly MetricPoint[],
  sweep: SweepRun,
  trackers: readonly RunTracker[] = [],
): Promise<void> {
  if (points.length === 0) return;
  const existing = await store.readMetrics(cell);
  if (existing.some((p) => p.stage === stage)) return;
  await store.appendMetrics(cell, points);
  for (const tracker of trackers) await tracker.metricsLogged(sweep, cell, points);
}

function abortError(): EcgError {
  return new EcgError('STAGE_FAILED', msg.cancelled());
}
