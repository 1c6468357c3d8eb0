/**
 * A typed, thin client of MLflow's tracking REST API (/api/2.0/mlflow/...)
 * and of the server's artifact proxy (/api/2.0/mlflow-artifacts/...).
 *
 * Why not the npm package `mlflow` (2.0.7, one maintainer, last published as
 * a wrapper of the REST API with isomorphic-unfetch): it has no artifact
 * upload or download (only artifacts/list), no retries, does not split
 * log-batch at the server's limits, returns untyped `any` from requests and
 * throws plain errors without MLflow's error_code. Those are exactly the
 * parts ecg-lab needs, so wrapping it would mean rewriting most of it; the
 * REST API itself is small and stable, and Node 20's fetch is enough.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { EcgError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { mlflowMessages as msg } from '../../core/messages.js';
import { endpoint, type MlflowAuth } from './auth.js';
import { fitParam, fitTag, LOG_BATCH_LIMITS, metricJsonValue, splitBatch, type BatchInput, type KeyValue } from './batch.js';
import { isMlflowError, MlflowHttp, type FetchFn, type RequestBody, type RetryPolicy } from './http.js';
import {
  toExperiment,
  toMetric,
  toRun,
  toRunInfo,
  type Experiment,
  type FileInfo,
  type Metric,
  type Run,
  type RunInfo,
  type RunStatus,
  type TerminalStatus,
  type WireExperiment,
  type WireMetric,
  type WireRun,
  type WireRunInfo,
} from './types.js';

const API = '/api/2.0/mlflow';
const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts';

/** MLflow's system tags, by the names its UI reads. */
export const SYSTEM_TAGS = {
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  gitCommit: 'mlflow.source.git.commit',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
} as const;

export interface MlflowClientOptions {
  uri: string;
  /** From authFromEnv(process.env) at the CLI; credentials in the URI are used when this is absent. */
  auth?: MlflowAuth;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  fetch?: FetchFn;
  /** Param values longer than this are truncated with a marker (older servers: 500). */
  maxParamValueLength?: number;
}

export interface CreateRunInput {
  experimentId: string;
  runName?: string;
  /** Milliseconds since the epoch; now when absent. */
  startTime?: number;
  parentRunId?: string;
  gitCommit?: string;
  user?: string;
  tags?: Record<string, string>;
}

export interface LogBatchResult {
  requests: number;
  /** Keys whose value was cut to the server's limit: upload the full value as artifact params/<key>.txt. */
  truncatedParams: string[];
}

export interface SearchRunsInput {
  experimentIds: readonly string[];
  /** MLflow's filter syntax, e.g. `tags.ecg_lab.sweep = 'x' and params.render.noise = '0.5'`. */
  filter?: string;
  orderBy?: readonly string[];
  /** Per page; the server caps it (50000). */
  maxResults?: number;
  pageToken?: string;
  /** ACTIVE_ONLY (default), DELETED_ONLY or ALL. */
  runViewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

export class MlflowClient {
  readonly uri: string;
  private readonly http: MlflowHttp;
  private readonly maxParamValueLength: number;

  constructor(options: MlflowClientOptions) {
    const resolved = endpoint(options.uri, options.auth);
    this.uri = resolved.uri;
    this.http = new MlflowHttp(resolved, { retry: options.retry, logger: options.logger, fetch: options.fetch });
    this.maxParamValueLength = options.maxParamValueLength ?? LOG_BATCH_LIMITS.paramValueLength;
  }

  // --- experiments ---------------------------------------------------------

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const answer = await this.http.json<{ experiment: WireExperiment }>({
        method: 'GET',
        path: `${API}/experiments/get-by-name`,
        query: { experiment_name: name },
      });
      return toExperiment(answer.experiment);
    } catch (error) {
      if (isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw error;
    }
  }

  async createExperiment(name: string, tags: Record<string, string> = {}): Promise<string> {
    const answer = await this.http.json<{ experiment_id: string }>({
      method: 'POST',
      path: `${API}/experiments/create`,
      json: { name, tags: keyValues(tags) },
    });
    return answer.experiment_id;
  }

  /** The experiment of that name, created when missing (safe against a concurrent creator). */
  async getOrCreateExperiment(name: string): Promise<Experiment> {
    const existing = await this.getExperimentByName(name);
    if (existing) return existing;
    try {
      await this.createExperiment(name);
    } catch (error) {
      if (!isMlflowError(error, 'RESOURCE_ALREADY_EXISTS')) throw error;
    }
    const created = await this.getExperimentByName(name);
    if (!created) throw new EcgError('MLFLOW_ERROR', msg.badAnswer(this.uri, 'experiments/create', `experiment '${name}' not found after creating it`));
    return created;
  }

  // --- runs ----------------------------------------------------------------

  async createRun(input: CreateRunInput): Promise<RunInfo> {
    const tags: Record<string, string> = { ...input.tags };
    if (input.runName !== undefined) tags[SYSTEM_TAGS.runName] = input.runName;
    if (input.parentRunId !== undefined) tags[SYSTEM_TAGS.parentRunId] = input.parentRunId;
    if (input.gitCommit !== undefined) tags[SYSTEM_TAGS.gitCommit] = input.gitCommit;
    if (input.user !== undefined) tags[SYSTEM_TAGS.user] = input.user;
    const answer = await this.http.json<{ run: WireRun }>({
      method: 'POST',
      path: `${API}/runs/create`,
      json: {
        experiment_id: input.experimentId,
        run_name: input.runName,
        user_id: input.user,
        start_time: input.startTime ?? Date.now(),
        tags: keyValues(tags).map((t) => fitTag(t)),
      },
    });
    return toRunInfo(answer.run.info);
  }

  async getRun(runId: string): Promise<Run> {
    const answer = await this.http.json<{ run: WireRun }>({ method: 'GET', path: `${API}/runs/get`, query: { run_id: runId } });
    return toRun(answer.run);
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    const answer = await this.http.json<{ run_info: WireRunInfo }>({
      method: 'POST',
      path: `${API}/runs/update`,
      json: { run_id: runId, status: update.status, end_time: update.endTime, run_name: update.runName },
    });
    return toRunInfo(answer.run_info);
  }

  /** End a run: FINISHED, FAILED or KILLED, at endTime (now when absent). */
  async terminateRun(runId: string, status: TerminalStatus, endTime: number = Date.now()): Promise<RunInfo> {
    return this.updateRun(runId, { status, endTime });
  }

  /**
   * Log metrics, params and tags in as many requests as the limits need
   * (each kind keeps its order). Param values over the limit are truncated
   * with a marker and reported, so the caller can upload the full value.
   */
  async logBatch(runId: string, input: BatchInput): Promise<LogBatchResult> {
    const truncatedParams: string[] = [];
    const params = (input.params ?? []).map((p) => {
      const fitted = fitParam(p, this.maxParamValueLength);
      if (fitted.truncated) truncatedParams.push(p.key);
      return fitted.param;
    });
    const batches = splitBatch({ metrics: input.metrics, params, tags: (input.tags ?? []).map((t) => fitTag(t)) });
    for (const batch of batches) {
      await this.http.json({
        method: 'POST',
        path: `${API}/runs/log-batch`,
        json: {
          run_id: runId,
          metrics: batch.metrics.map((m) => ({ key: m.key, value: metricJsonValue(m.value), timestamp: m.timestamp, step: m.step })),
          params: batch.params,
          tags: batch.tags,
        },
      });
    }
    return { requests: batches.length, truncatedParams };
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.json({ method: 'POST', path: `${API}/runs/set-tag`, json: { run_id: runId, key, value: fitTag({ key, value }).value } });
  }

  /** Every point of one metric of a run, in the server's order (all pages). */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const points: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const answer = await this.http.json<{ metrics?: WireMetric[]; next_page_token?: string }>({
        method: 'GET',
        path: `${API}/metrics/get-history`,
        query: { run_id: runId, metric_key: key, max_results: 25_000, page_token: pageToken },
      });
      points.push(...(answer.metrics ?? []).map(toMetric));
      pageToken = answer.next_page_token || undefined;
    } while (pageToken);
    return points;
  }

  /** One page of runs/search. */
  async searchRuns(input: SearchRunsInput): Promise<{ runs: Run[]; nextPageToken?: string }> {
    const answer = await this.http.json<{ runs?: WireRun[]; next_page_token?: string }>({
      method: 'POST',
      path: `${API}/runs/search`,
      json: {
        experiment_ids: input.experimentIds,
        filter: input.filter,
        order_by: input.orderBy,
        max_results: input.maxResults ?? 1000,
        page_token: input.pageToken,
        run_view_type: input.runViewType,
      },
    });
    const page: { runs: Run[]; nextPageToken?: string } = { runs: (answer.runs ?? []).map(toRun) };
    if (answer.next_page_token) page.nextPageToken = answer.next_page_token;
    return page;
  }

  /** Every run that matches, following next_page_token. */
  async searchAllRuns(input: Omit<SearchRunsInput, 'pageToken'>): Promise<Run[]> {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchRuns({ ...input, ...(pageToken ? { pageToken } : {}) });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return runs;
  }

  // --- artifacts, through the server's proxy (mlflow server --serve-artifacts) ---

  /** Upload bytes or a local file as `path` (slash-separated, relative to the run's artifact root). */
  async uploadArtifact(run: Pick<RunInfo, 'artifactUri'>, path: string, content: Uint8Array | string | { file: string }): Promise<void> {
    const target = `${ARTIFACTS_API}/${encodePath(this.proxyPath(run.artifactUri, path))}`;
    if (typeof content === 'object' && 'file' in content) {
      const file = content.file;
      const { size } = await stat(file);
      await this.http.send({
        method: 'PUT',
        path: target,
        body: async () => ({ data: Readable.toWeb(createReadStream(file)) as unknown as RequestBody, length: size }),
      });
      return;
    }
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Uint8Array.from(content);
    await this.http.send({ method: 'PUT', path: target, body: async () => ({ data: bytes, length: bytes.byteLength }) });
  }

  /** The files and folders directly under `path` (the artifact root when empty). */
  async listArtifacts(run: Pick<RunInfo, 'artifactUri'>, path = ''): Promise<FileInfo[]> {
    const answer = await this.http.json<{ files?: { path: string; is_dir?: boolean; file_size?: number | string }[] }>({
      method: 'GET',
      path: ARTIFACTS_API,
      query: { path: this.proxyPath(run.artifactUri, path) },
    });
    return (answer.files ?? []).map((f) => {
      const base = path ? `${path.replace(/\/+$/, '')}/` : '';
      const info: FileInfo = { path: `${base}${f.path}`, isDir: f.is_dir ?? false };
      if (f.file_size !== undefined) info.fileSize = Number(f.file_size);
      return info;
    });
  }

  /** Every file below `path`, recursively. */
  async listArtifactsDeep(run: Pick<RunInfo, 'artifactUri'>, path = ''): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    for (const entry of await this.listArtifacts(run, path)) {
      if (entry.isDir) out.push(...(await this.listArtifactsDeep(run, entry.path)));
      else out.push(entry);
    }
    return out;
  }

  async downloadArtifact(run: Pick<RunInfo, 'artifactUri'>, path: string): Promise<Uint8Array> {
    return this.http.bytes({ method: 'GET', path: `${ARTIFACTS_API}/${encodePath(this.proxyPath(run.artifactUri, path))}` });
  }

  /**
   * The proxy path of an artifact: the run's artifact URI is
   * mlflow-artifacts:/<exp>/<run>/artifacts (or with //host:port), which the
   * proxy serves below /api/2.0/mlflow-artifacts/artifacts/.
   */
  private proxyPath(artifactUri: string, path: string): string {
    const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
    if (!match) throw new EcgError('MLFLOW_ERROR', msg.artifactsNotProxied(this.uri, artifactUri));
    const root = (match[1] ?? '').replace(/\/+$/, '');
    const relative = path.replace(/^\/+|\/+$/g, '');
    return relative ? `${root}/${relative}` : root;
  }
}

function keyValues(record: Record<string, string>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
