/**
 * Where the tracking server is and how to authenticate, read once at the
 * edge. Credentials live only in the Authorization header of requests: they
 * are never put into params, tags, logs, errors or the run store, and the
 * URI that appears anywhere is the redacted one (no user:password@).
 */
import { EcgError } from '../../core/errors.js';
import { mlflowMessages as msg } from '../../core/messages.js';
import { redactUri } from '../../core/redact.js';

export { redactUri };

export type MlflowAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string };

export interface MlflowEndpoint {
  /** Base URL without credentials and without a trailing slash. */
  uri: string;
  auth: MlflowAuth;
}

/** The environment variables the MLflow Python client reads, same names and precedence. */
export function authFromEnv(env: Readonly<Record<string, string | undefined>>): MlflowAuth {
  const token = env.MLFLOW_TRACKING_TOKEN;
  if (token) return { kind: 'bearer', token };
  const username = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (username !== undefined && password !== undefined) return { kind: 'basic', username, password };
  return { kind: 'none' };
}

/** The server a run goes to: MLFLOW_TRACKING_URI wins over tracking.uri; undefined keeps runs local. */
export function trackingUri(configUri: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const uri = env.MLFLOW_TRACKING_URI || configUri;
  return uri ? uri : undefined;
}

/**
 * Parse the URI once: refuse anything but http(s), and move user:password@
 * (which fetch refuses) into Basic auth unless the environment gave credentials.
 */
export function endpoint(uri: string, auth: MlflowAuth = { kind: 'none' }): MlflowEndpoint {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new EcgError('MLFLOW_UNREACHABLE', msg.badUri(redactUri(uri)), { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EcgError('MLFLOW_UNREACHABLE', msg.badUri(redactUri(uri)));
  }
  let resolved = auth;
  if ((url.username || url.password) && auth.kind === 'none') {
    resolved = { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { uri: url.toString().replace(/\/+$/, ''), auth: resolved };
}

export function authorizationHeader(auth: MlflowAuth): string | undefined {
  switch (auth.kind) {
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    case 'none':
      return undefined;
  }
}

/** How the request authenticated, for error messages: never the secret itself. */
export function describeAuth(auth: MlflowAuth): string {
  switch (auth.kind) {
    case 'bearer':
      return 'a bearer token (MLFLOW_TRACKING_TOKEN)';
    case 'basic':
      return `basic auth as user '${auth.username}'`;
    case 'none':
      return 'no credentials';
  }
}
