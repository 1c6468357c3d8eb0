/**
 * Exactly-once sync of the local run store to an MLflow tracking server.
 *
 * Mapping: one MLflow experiment per experiment name, a parent run per sweep
 * (named by its id, params = the config its cells share), a child run per
 * cell (tag mlflow.parentRunId; named by its overrides, e.g.
 * `render.noise=0.5,model.hierarchy=false`, or its cell id when it has
 * none); a child's params are the cell's flattened config, tags the store's
 * tags plus MLflow's system tags, metrics
 * the lines of metrics.jsonl, artifacts the cell's artifacts/ folder and its
 * config.yaml. Every MLflow run carries the tag ecg-lab.key
 * (<experiment>/<sweep>[/<cell>]), so a run created on the server but never
 * recorded locally (a crash right after runs/create) is found, not duplicated.
 *
 * What was sent is recorded per server URI in mlflow.json beside sweep.json
 * and run.json, written atomically after every confirmed request:
 *   metrics   the number of lines (and bytes) of metrics.jsonl sent. Before
 *             a batch is sent its line range is recorded as `pending`; after
 *             the server confirms, the offset moves past it and `pending` is
 *             cleared. A `pending` range found on the next sync is a batch
 *             whose confirmation was lost: the server's metric history counts
 *             say how much of it landed (MLflow writes a batch's metrics in
 *             order), and only the rest is sent.
 *   params    hashes of the values sent (MLflow params are immutable).
 *   tags      hashes of the values sent (tags can change: changed ones are re-sent).
 *   artifacts size and mtime of each file sent (a changed file is re-uploaded; uploads overwrite).
 *   status    the run status last set on the server.
 * Credentials never reach these files: the URI key is the redacted one.
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { EcgError } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/fs.js';
import { hashValue } from '../../core/hash.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { mlflowMessages as msg, runMessages as runMsg } from '../../core/messages.js';
import type { MlflowClient } from './client.js';
import { SYSTEM_TAGS } from './client.js';
import type { MetricInput } from './batch.js';
import { LOG_BATCH_LIMITS } from './batch.js';
import type { Experiment, RunInfo, RunStatus as MlflowStatus } from './types.js';
import { RunStore, type CellRun, type RunStatus, type SweepRun } from '../run-store.js';

export const SYNC_STATE_FILE = 'mlflow.json';
export const KEY_TAG = 'ecg-lab.key';

/** Run-store tags that have an MLflow system tag of their own. */
const SYSTEM_TAG_SOURCES: Record<string, string> = { 'git.commit': SYSTEM_TAGS.gitCommit };

export interface SyncCounts {
  experimentsCreated: number;
  runsCreated: number;
  metrics: number;
  params: number;
  tags: number;
  artifacts: number;
  statuses: number;
}

export function emptyCounts(): SyncCounts {
  return { experimentsCreated: 0, runsCreated: 0, metrics: 0, params: 0, tags: 0, artifacts: 0, statuses: 0 };
}

/** Whether a sync sent anything at all. */
export function sentNothing(counts: SyncCounts): boolean {
  return Object.values(counts).every((n) => n === 0);
}

export interface SyncOptions {
  logger?: Logger;
  /** Only this experiment, or this sweep (id) of it. */
  experiment?: string;
  sweepId?: string;
  /** Sent as mlflow.user on runs created by this sync. */
  user?: string;
  /** Metric lines per log-batch request (at most 1000). */
  metricsPerRequest?: number;
}

/** Send everything in the run store that this server has not yet received. */
export async function syncRunStore(runsDir: string, client: MlflowClient, options: SyncOptions = {}): Promise<SyncCounts> {
  const syncer = new MlflowSyncer(new RunStore(runsDir), client, options);
  const sweeps = await syncer.store.listSweeps(options.experiment);
  for (const sweep of sweeps) {
    if (options.sweepId !== undefined && sweep.id !== options.sweepId) continue;
    await syncer.syncSweep(sweep);
  }
  return syncer.counts;
}

interface RunSyncState {
  experimentId: string;
  runId: string;
  artifactUri: string;
  status: MlflowStatus;
  params: Record<string, string>;
  tags: Record<string, string>;
  artifacts: Record<string, string>;
  metricLines: number;
  metricBytes: number;
  pending?: { fromLine: number; fromByte: number; toLine: number; toByte: number };
}

interface SyncFile {
  version: 1;
  servers: Record<string, RunSyncState>;
}

interface MetricLine {
  point: MetricInput | undefined;
  endByte: number;
}

/**
 * The sync engine, shared by `syncRunStore` and the streaming sink: all of
 * its state is on disk, so two syncs of the same store (one after the other)
 * agree on what was sent.
 */
export class MlflowSyncer {
  readonly counts: SyncCounts = emptyCounts();
  private readonly logger: Logger;
  private readonly experiments = new Map<string, Experiment>();
  /** Per sweep (experiment/id): the params its cells share, read once. */
  private readonly sharedParams = new Map<string, Record<string, string>>();
  private readonly metricsPerRequest: number;

  constructor(
    readonly store: RunStore,
    readonly client: MlflowClient,
    private readonly options: SyncOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.metricsPerRequest = Math.min(options.metricsPerRequest ?? LOG_BATCH_LIMITS.metrics, LOG_BATCH_LIMITS.metrics);
  }

  /** The sweep's parent run, then each cell that has started, then the parent's status. */
  async syncSweep(sweep: SweepRun): Promise<void> {
    const parent = await this.syncParent(sweep, false);
    for (const cell of sweep.cells) {
      const run = await this.store.readCell(sweep.experiment, sweep.id, cell.id);
      if (run && run.status !== 'pending') await this.syncCellRun(sweep, run, parent);
    }
    await this.syncParent(sweep, true);
  }

  /** One cell (the streaming sink calls this as the cell's files grow). */
  async syncCell(experiment: string, sweepId: string, cellId: string): Promise<void> {
    const sweep = await this.store.readSweep(experiment, sweepId);
    const run = await this.store.readCell(experiment, sweepId, cellId);
    if (!run || run.status === 'pending') return;
    const parent = await this.syncParent(sweep, false);
    await this.syncCellRun(sweep, run, parent);
  }

  /** The parent run's tags, and (with `withStatus`) its status once the sweep has one to report. */
  async syncParent(sweep: SweepRun, withStatus: boolean): Promise<RunSyncState> {
    const file = join(this.store.sweepDir(sweep.experiment, sweep.id), SYNC_STATE_FILE);
    const key = `${sweep.experiment}/${sweep.id}`;
    const tags: Record<string, string> = {
      ...withSystemTags(sweep.tags),
      [KEY_TAG]: key,
      'ecg-lab.sweep': sweep.id,
      'ecg-lab.experimentPath': sweep.experimentPath,
      'ecg-lab.args': sweep.args.join(' '),
    };
    let state = await this.ensureRun(file, key, sweep.experiment, { runName: sweep.id, startTime: Date.parse(sweep.createdAt), tags });
    state = await this.sendParamsAndTags(file, state, await this.paramsShared(sweep), tags, key);
    if (withStatus) state = await this.sendStatus(file, state, sweep.status, undefined);
    return state;
  }

  private async syncCellRun(sweep: SweepRun, cell: CellRun, parent: RunSyncState): Promise<void> {
    const dir = this.store.cellDir(cell.experiment, cell.sweepId, cell.cellId);
    const file = join(dir, SYNC_STATE_FILE);
    const key = `${cell.experiment}/${cell.sweepId}/${cell.cellId}`;
    const tags: Record<string, string> = {
      ...withSystemTags(cell.tags),
      [KEY_TAG]: key,
      'ecg-lab.group': cell.group,
      [SYSTEM_TAGS.parentRunId]: parent.runId,
    };
    const startTime = Date.parse(cell.startedAt ?? cell.createdAt);
    const created = this.counts.runsCreated;
    let state = await this.ensureRun(file, key, sweep.experiment, { runName: childRunName(cell), startTime, tags });
    const params = Object.fromEntries(Object.entries(cell.params).map(([k, v]) => [k, paramText(v)]));
    state = await this.sendParamsAndTags(file, state, params, tags, key);
    const before = this.counts.metrics;
    state = await this.sendMetrics(file, state, join(dir, 'metrics.jsonl'), key);
    state = await this.sendArtifacts(file, state, dir);
    await this.sendStatus(file, state, cell.status, cell.endedAt);
    this.logger.debug(msg.syncCell(key, this.counts.metrics - before, this.counts.runsCreated > created));
  }

  /**
   * The parent's params: the config keys no cell sweeps, with the value the
   * cells share (every cell has its run record before any cell starts, so
   * the first call sees them all; MLflow params cannot change later).
   */
  private async paramsShared(sweep: SweepRun): Promise<Record<string, string>> {
    const key = `${sweep.experiment}/${sweep.id}`;
    const known = this.sharedParams.get(key);
    if (known) return known;
    const swept = new Set(sweep.cells.flatMap((c) => Object.keys(c.overrides)));
    const cells: CellRun[] = [];
    for (const { id } of sweep.cells) {
      const cell = await this.store.readCell(sweep.experiment, sweep.id, id);
      if (cell) cells.push(cell);
    }
    const [first, ...rest] = cells;
    const shared: Record<string, string> = {};
    for (const [name, value] of Object.entries(first?.params ?? {})) {
      const text = paramText(value);
      if (!swept.has(name) && rest.every((c) => paramText(c.params[name]) === text)) shared[name] = text;
    }
    this.sharedParams.set(key, shared);
    return shared;
  }

  private async experiment(name: string): Promise<Experiment> {
    const cached = this.experiments.get(name);
    if (cached) return cached;
    const existing = await this.client.getExperimentByName(name);
    const experiment = existing ?? (await this.client.getOrCreateExperiment(name));
    if (!existing) this.counts.experimentsCreated++;
    this.experiments.set(name, experiment);
    return experiment;
  }

  /** The state of this run on this server: recorded, or found by its key tag, or a new run. */
  private async ensureRun(
    file: string,
    key: string,
    experimentName: string,
    create: { runName: string; startTime: number; tags: Record<string, string> },
  ): Promise<RunSyncState> {
    const recorded = await readState(file, this.client.uri);
    if (recorded) return recorded;
    if (existsSync(file)) this.logger.debug(msg.syncStateOtherServer(file));
    const experiment = await this.experiment(experimentName);
    const found = await this.findRun(experiment.experimentId, key);
    let info: RunInfo;
    let adopted = false;
    if (found) {
      info = found;
      adopted = true;
    } else {
      const input = {
        experimentId: experiment.experimentId,
        runName: create.runName,
        startTime: Number.isFinite(create.startTime) ? create.startTime : Date.now(),
        tags: { [KEY_TAG]: key, ...(create.tags[SYSTEM_TAGS.parentRunId] ? { [SYSTEM_TAGS.parentRunId]: create.tags[SYSTEM_TAGS.parentRunId] as string } : {}) },
        ...(this.options.user !== undefined ? { user: this.options.user } : {}),
      };
      info = await this.client.createRun(input);
      this.counts.runsCreated++;
    }
    const state: RunSyncState = {
      experimentId: info.experimentId,
      runId: info.runId,
      artifactUri: info.artifactUri,
      status: 'RUNNING',
      params: {},
      tags: {},
      artifacts: {},
      metricLines: 0,
      metricBytes: 0,
    };
    // A run found on the server but unknown here may hold metrics already:
    // treat everything as one unconfirmed batch, checked against the server.
    if (adopted) {
      state.status = info.status;
      state.pending = { fromLine: 0, fromByte: 0, toLine: Number.MAX_SAFE_INTEGER, toByte: Number.MAX_SAFE_INTEGER };
    }
    await writeState(file, this.client.uri, state);
    return state;
  }

  private async findRun(experimentId: string, key: string): Promise<RunInfo | undefined> {
    const runs = await this.client.searchAllRuns({
      experimentIds: [experimentId],
      filter: `tags.\`${KEY_TAG}\` = '${key.replace(/'/g, "\\'")}'`,
      orderBy: ['attributes.start_time ASC'],
    });
    const first = runs[0];
    if (!first) return undefined;
    if (runs.length > 1) this.logger.warn(msg.duplicateRuns(key, runs.length, first.info.runId));
    return first.info;
  }

  private async sendParamsAndTags(
    file: string,
    state: RunSyncState,
    params: Record<string, string>,
    tags: Record<string, string>,
    where: string,
  ): Promise<RunSyncState> {
    const newParams: { key: string; value: string }[] = [];
    for (const [key, value] of Object.entries(params)) {
      const sent = state.params[key];
      if (sent === undefined) newParams.push({ key, value });
      else if (sent !== hashValue(value)) this.logger.warn(msg.paramChanged(key, where));
    }
    const newTags = Object.entries(tags)
      .filter(([key, value]) => state.tags[key] !== hashValue(value))
      .map(([key, value]) => ({ key, value }));
    if (newParams.length === 0 && newTags.length === 0) return state;
    const result = await this.client.logBatch(state.runId, { params: newParams, tags: newTags });
    for (const key of result.truncatedParams) {
      this.logger.warn(msg.paramTruncated(key, params[key]?.length ?? 0, LOG_BATCH_LIMITS.paramValueLength));
      await this.client.uploadArtifact(state, msg.longParamArtifact(key), params[key] ?? '');
    }
    const next: RunSyncState = {
      ...state,
      params: { ...state.params, ...Object.fromEntries(newParams.map((p) => [p.key, hashValue(p.value)])) },
      tags: { ...state.tags, ...Object.fromEntries(newTags.map((t) => [t.key, hashValue(t.value)])) },
    };
    await writeState(file, this.client.uri, next);
    this.counts.params += newParams.length;
    this.counts.tags += newTags.length;
    return next;
  }

  private async sendMetrics(file: string, state: RunSyncState, metricsFile: string, where: string): Promise<RunSyncState> {
    if (!existsSync(metricsFile)) return state;
    let current = state.pending ? await this.reconcilePending(file, state, metricsFile, where) : state;
    const lines = await readCompleteLines(metricsFile, current.metricBytes, current.metricLines, this.logger);
    let line = current.metricLines;
    let byte = current.metricBytes;
    for (let i = 0; i < lines.length; i += this.metricsPerRequest) {
      const chunk = lines.slice(i, i + this.metricsPerRequest);
      const last = chunk[chunk.length - 1] as MetricLine;
      const pending = { fromLine: line, fromByte: byte, toLine: line + chunk.length, toByte: last.endByte };
      await writeState(file, this.client.uri, { ...current, pending });
      const points = chunk.flatMap((l) => (l.point ? [l.point] : []));
      if (points.length > 0) await this.client.logBatch(current.runId, { metrics: points });
      current = { ...current, metricLines: pending.toLine, metricBytes: pending.toByte };
      delete current.pending;
      await writeState(file, this.client.uri, current);
      this.counts.metrics += points.length;
      line = pending.toLine;
      byte = pending.toByte;
    }
    return current;
  }

  /**
   * A batch was sent but its confirmation not recorded. Per metric key, the
   * server's history count minus the points of that key before the batch is
   * how many of the batch's points (in order) landed; send the others.
   */
  private async reconcilePending(file: string, state: RunSyncState, metricsFile: string, where: string): Promise<RunSyncState> {
    const pending = state.pending as NonNullable<RunSyncState['pending']>;
    const all = await readCompleteLines(metricsFile, 0, 0, this.logger);
    const toLine = Math.min(pending.toLine, all.length);
    const before = countByKey(all.slice(0, pending.fromLine));
    const batch = all.slice(pending.fromLine, toLine);
    const keys = [...new Set(batch.flatMap((l) => (l.point ? [l.point.key] : [])))];
    const landedByKey = new Map<string, number>();
    for (const key of keys) {
      const onServer = (await this.client.getMetricHistory(state.runId, key)).length;
      landedByKey.set(key, Math.max(0, onServer - (before.get(key) ?? 0)));
    }
    const missing: MetricInput[] = [];
    let landed = 0;
    for (const l of batch) {
      if (!l.point) continue;
      const left = landedByKey.get(l.point.key) ?? 0;
      if (left > 0) {
        landedByKey.set(l.point.key, left - 1);
        landed++;
      } else {
        missing.push(l.point);
      }
    }
    if (missing.length > 0) await this.client.logBatch(state.runId, { metrics: missing });
    const endByte = toLine === 0 ? 0 : (all[toLine - 1] as MetricLine).endByte;
    const next: RunSyncState = { ...state, metricLines: toLine, metricBytes: endByte };
    delete next.pending;
    await writeState(file, this.client.uri, next);
    this.counts.metrics += missing.length;
    this.logger.info(msg.pendingBatchChecked(where, landed, missing.length));
    return next;
  }

  private async sendArtifacts(file: string, state: RunSyncState, cellDir: string): Promise<RunSyncState> {
    const files: { local: string; path: string }[] = [];
    const config = join(cellDir, 'config.yaml');
    if (existsSync(config)) files.push({ local: config, path: 'config.yaml' });
    const artifactsDir = join(cellDir, 'artifacts');
    for (const local of await listFiles(artifactsDir)) {
      files.push({ local, path: relative(artifactsDir, local).split(sep).join('/') });
    }
    let current = state;
    for (const { local, path } of files) {
      const info = await stat(local);
      const signature = `${info.size}:${Math.trunc(info.mtimeMs)}`;
      if (current.artifacts[path] === signature) continue;
      await this.client.uploadArtifact(current, path, { file: local });
      current = { ...current, artifacts: { ...current.artifacts, [path]: signature } };
      await writeState(file, this.client.uri, current);
      this.counts.artifacts++;
    }
    return current;
  }

  private async sendStatus(file: string, state: RunSyncState, local: RunStatus, endedAt: string | undefined): Promise<RunSyncState> {
    const status = mlflowStatus(local);
    if (state.status === status) return state;
    const endTime = endedAt ? Date.parse(endedAt) : Date.now();
    if (status === 'RUNNING') await this.client.updateRun(state.runId, { status });
    else await this.client.terminateRun(state.runId, status, Number.isFinite(endTime) ? endTime : Date.now());
    const next = { ...state, status };
    await writeState(file, this.client.uri, next);
    this.counts.statuses++;
    return next;
  }
}

function mlflowStatus(status: RunStatus): 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' {
  switch (status) {
    case 'finished':
      return 'FINISHED';
    case 'failed':
      return 'FAILED';
    case 'killed':
      return 'KILLED';
    case 'pending':
    case 'running':
      return 'RUNNING';
  }
}

function withSystemTags(tags: Record<string, string>): Record<string, string> {
  const out = { ...tags };
  for (const [from, to] of Object.entries(SYSTEM_TAG_SOURCES)) {
    const value = tags[from];
    if (value !== undefined && value !== 'none') out[to] = value;
  }
  return out;
}

/**
 * A child run's name: the cell's overrides as `key=value` joined by commas,
 * in the sweep's key order (`render.noise=0.5,model.hierarchy=false`), so
 * the MLflow UI tells cells apart without opening them; the cell id when the
 * cell sets nothing (a sweep of one cell).
 */
export function childRunName(cell: Pick<CellRun, 'cellId' | 'overrides'>): string {
  const parts = Object.entries(cell.overrides).map(([key, value]) => `${key}=${paramText(value)}`);
  return parts.length > 0 ? parts.join(',') : cell.cellId;
}

/** A param as MLflow shows it: strings as they are, everything else as JSON (0.5, true, [1,2]). */
function paramText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
}

function countByKey(lines: readonly MetricLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of lines) if (l.point) counts.set(l.point.key, (counts.get(l.point.key) ?? 0) + 1);
  return counts;
}

/**
 * The complete lines of metrics.jsonl from a byte offset: a last line without
 * its newline is still being written (or was cut by a kill) and waits. A line
 * that is not a metric point is counted (so offsets stay true) and skipped.
 */
async function readCompleteLines(file: string, fromByte: number, fromLine: number, logger: Logger): Promise<MetricLine[]> {
  const handle = await open(file, 'r');
  let buffer: Buffer;
  try {
    const { size } = await handle.stat();
    if (size <= fromByte) return [];
    buffer = Buffer.alloc(size - fromByte);
    await handle.read(buffer, 0, buffer.length, fromByte);
  } finally {
    await handle.close();
  }
  const lines: MetricLine[] = [];
  let start = 0;
  for (let i = buffer.indexOf(10, start); i !== -1; i = buffer.indexOf(10, start)) {
    const text = buffer.subarray(start, i).toString('utf8');
    start = i + 1;
    const endByte = fromByte + start;
    if (text.trim() === '') {
      lines.push({ point: undefined, endByte });
      continue;
    }
    const point = parsePoint(text);
    if (!point) logger.warn(runMsg.metricLineSkipped(file, fromLine + lines.length + 1, `not sent: ${text.slice(0, 80)}`));
    lines.push({ point, endByte });
  }
  return lines;
}

function parsePoint(text: string): MetricInput | undefined {
  let raw: { name?: unknown; value?: unknown; step?: unknown; timestamp?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return undefined;
  }
  if (typeof raw.name !== 'string') return undefined;
  // JSON.stringify writes NaN and the infinities as null.
  const value = typeof raw.value === 'number' ? raw.value : raw.value === null ? Number.NaN : Number(raw.value);
  const timestamp = typeof raw.timestamp === 'number' ? raw.timestamp : Date.parse(String(raw.timestamp));
  return {
    key: raw.name,
    value,
    step: typeof raw.step === 'number' ? Math.trunc(raw.step) : 0,
    timestamp: Number.isFinite(timestamp) ? Math.trunc(timestamp) : 0,
  };
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile() && !entry.name.startsWith('.')) out.push(path);
  }
  return out.sort();
}

async function readState(file: string, uri: string): Promise<RunSyncState | undefined> {
  return (await readSyncFile(file)).servers[uri];
}

async function writeState(file: string, uri: string, state: RunSyncState): Promise<void> {
  const current = await readSyncFile(file);
  await writeJsonAtomic(file, { ...current, servers: { ...current.servers, [uri]: state } });
}

async function readSyncFile(file: string): Promise<SyncFile> {
  if (!existsSync(file)) return { version: 1, servers: {} };
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<SyncFile>;
    return { version: 1, servers: parsed.servers ?? {} };
  } catch (cause) {
    throw new EcgError('RUN_STORE_CORRUPT', msg.syncFileCorrupt(file), { cause });
  }
}
