/**
 * One HTTP exchange with the tracking server, with the failure policy in one
 * place: connection errors, timeouts, 429 and 5xx are retried with
 * exponential backoff (bounded in count and in time); 401/403 is MLFLOW_AUTH
 * at once; any other 4xx is MLFLOW_ERROR carrying MLflow's own error_code
 * and message; giving up on an unreachable server is MLFLOW_UNREACHABLE.
 *
 * Backoff has no jitter: ecg-lab has one client per process, so there is no
 * herd of clients to spread out, and src/ keeps randomness seeded.
 */
import { EcgError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { mlflowMessages as msg } from '../../core/messages.js';
import { authorizationHeader, describeAuth, type MlflowEndpoint } from './auth.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this much time since the first. */
  totalMs: number;
  /** One attempt is abandoned (and counts as a connection failure) after this long. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  totalMs: 60_000,
  timeoutMs: 60_000,
};

/** An MLflow API error: EcgError MLFLOW_ERROR or MLFLOW_AUTH plus what the server said. */
export class MlflowError extends EcgError {
  readonly status: number;
  /** MLflow's error_code, e.g. RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE. */
  readonly errorCode: string;
  constructor(code: ErrorCode, message: string, status: number, errorCode: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MlflowError';
    this.status = status;
    this.errorCode = errorCode;
  }
}

export function isMlflowError(error: unknown, errorCode?: string): error is MlflowError {
  return error instanceof MlflowError && (errorCode === undefined || error.errorCode === errorCode);
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path below the server's base URI, e.g. /api/2.0/mlflow/runs/create. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** A raw body, made afresh for each attempt (a stream cannot be sent twice). */
  body?: () => Promise<{ data: RequestBody; length?: number }>;
}

export type FetchFn = typeof fetch;

/** What fetch accepts as a request body (the DOM's BodyInit, which lib ES2023 does not name). */
export type RequestBody = NonNullable<RequestInit['body']>;

export interface HttpOptions {
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  fetch?: FetchFn;
  sleep?: (ms: number) => Promise<void>;
}

/** A successful answer, read in full (a connection cut while reading the body is retried like any other). */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

type Attempt = { kind: 'ok'; answer: HttpAnswer } | { kind: 'retry'; reason: string; status?: number; detail?: string; delayHintMs?: number };

export class MlflowHttp {
  readonly endpoint: MlflowEndpoint;
  readonly retry: RetryPolicy;
  private readonly logger: Logger;
  private readonly fetchFn: FetchFn;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(endpoint: MlflowEndpoint, options: HttpOptions = {}) {
    this.endpoint = endpoint;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.fetchFn = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Send a request whose answer is JSON (an empty body reads as {}). */
  async json<T>(request: HttpRequest): Promise<T> {
    const answer = await this.send(request);
    const text = new TextDecoder().decode(answer.body);
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new EcgError('MLFLOW_ERROR', msg.badAnswer(this.endpoint.uri, describeCall(request), 'not JSON'), { cause });
    }
  }

  async bytes(request: HttpRequest): Promise<Uint8Array> {
    return (await this.send(request)).body;
  }

  /** The successful answer, after retries; everything else is thrown as EcgError. */
  async send(request: HttpRequest): Promise<HttpAnswer> {
    const { attempts, totalMs } = this.retry;
    const call = describeCall(request);
    const started = Date.now();
    let last: Extract<Attempt, { kind: 'retry' }> = { kind: 'retry', reason: 'not tried' };
    let made = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      made = attempt + 1;
      const outcome = await this.attempt(request, call);
      if (outcome.kind === 'ok') return outcome.answer;
      last = outcome;
      if (attempt + 1 >= attempts) break;
      const delay = Math.min(this.retry.maxDelayMs, outcome.delayHintMs ?? this.retry.baseDelayMs * 2 ** attempt);
      if (Date.now() - started + delay > totalMs) break;
      this.logger.debug(msg.retrying(call, outcome.reason, delay, made, attempts));
      await this.sleep(delay);
    }
    const seconds = (Date.now() - started) / 1000;
    if (last.status === undefined) {
      throw new EcgError('MLFLOW_UNREACHABLE', msg.unreachable(this.endpoint.uri, last.reason, made, seconds));
    }
    throw new MlflowError(
      'MLFLOW_ERROR',
      msg.serverErrorGaveUp(this.endpoint.uri, call, last.status, last.detail ?? last.reason, made, seconds),
      last.status,
      'SERVER_ERROR',
    );
  }

  private async attempt(request: HttpRequest, call: string): Promise<Attempt> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const authorization = authorizationHeader(this.endpoint.auth);
    if (authorization) headers.authorization = authorization;
    let body: RequestBody | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.body) {
      const made = await request.body();
      headers['content-type'] = 'application/octet-stream';
      if (made.length !== undefined) headers['content-length'] = String(made.length);
      body = made.data;
    }
    let response: Response;
    let received: Uint8Array;
    try {
      response = await this.fetchFn(this.url(request), {
        method: request.method,
        headers,
        body,
        // Needed by Node's fetch for a streamed request body.
        ...(body !== undefined && typeof body === 'object' && 'getReader' in body ? { duplex: 'half' } : {}),
        signal: AbortSignal.timeout(this.retry.timeoutMs),
        redirect: 'follow',
      } as RequestInit);
      received = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      return { kind: 'retry', reason: connectionFailure(error, this.retry.timeoutMs) };
    }
    if (response.ok) return { kind: 'ok', answer: { status: response.status, headers: response.headers, body: received } };
    const text = new TextDecoder().decode(received);
    const answer = parseMlflowError(text);
    if (response.status === 401 || response.status === 403) {
      throw new MlflowError(
        'MLFLOW_AUTH',
        msg.authRefused(this.endpoint.uri, response.status, describeAuth(this.endpoint.auth), answer?.message ?? ''),
        response.status,
        answer?.errorCode ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED'),
      );
    }
    if (response.status === 429 || response.status >= 500) {
      const detail = answer ? `${answer.errorCode}: ${answer.message}` : `HTTP ${response.status}`;
      return { kind: 'retry', reason: detail, status: response.status, detail, delayHintMs: retryAfterMs(response) };
    }
    if (!answer) {
      throw new MlflowError('MLFLOW_ERROR', msg.notMlflow(this.endpoint.uri, call, response.status), response.status, 'NOT_MLFLOW');
    }
    throw new MlflowError(
      'MLFLOW_ERROR',
      msg.apiError(this.endpoint.uri, call, response.status, answer.errorCode, answer.message),
      response.status,
      answer.errorCode,
    );
  }

  private url(request: HttpRequest): string {
    const url = new URL(this.endpoint.uri + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}

function describeCall(request: HttpRequest): string {
  return `${request.method} ${request.path.replace(/^\/api\/2\.0\//, '')}`;
}

function parseMlflowError(text: string): { errorCode: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof parsed.error_code !== 'string') return undefined;
    return { errorCode: parsed.error_code, message: typeof parsed.message === 'string' ? parsed.message : '' };
  } catch {
    return undefined;
  }
}

/** Node's fetch wraps the socket error in `cause`: ECONNREFUSED, ENOTFOUND, ECONNRESET... */
function connectionFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
