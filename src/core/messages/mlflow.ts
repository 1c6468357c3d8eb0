/** What a user reads about MLflow: unreachable servers, refused credentials, API errors, sync. */

export const badUri = (uri: string) =>
  `MLflow tracking URI '${uri}' is not an http(s) URL; set MLFLOW_TRACKING_URI or tracking.uri to e.g. http://127.0.0.1:5000`;

export const unreachable = (uri: string, detail: string, attempts: number, seconds: number) =>
  `MLflow server at ${uri} is unreachable (${detail}) after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds.toFixed(1)} s; ` +
  `check MLFLOW_TRACKING_URI / tracking.uri`;

export const authRefused = (uri: string, status: number, how: string, detail: string) =>
  `MLflow server at ${uri} refused the request (HTTP ${status}${detail ? `: ${detail}` : ''}) using ${how}; ` +
  `set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD`;

export const apiError = (uri: string, call: string, status: number, errorCode: string, detail: string) =>
  `MLflow ${call} at ${uri} failed with HTTP ${status} ${errorCode}: ${detail}`;

export const serverErrorGaveUp = (uri: string, call: string, status: number, detail: string, attempts: number, seconds: number) =>
  `MLflow ${call} at ${uri} kept failing with HTTP ${status} (${detail}) after ${attempts} attempts in ${seconds.toFixed(1)} s`;

export const notMlflow = (uri: string, call: string, status: number) =>
  `${uri} answered ${call} with HTTP ${status} and no MLflow error body; is it an MLflow tracking server (check the URI's path)?`;

export const badAnswer = (uri: string, call: string, detail: string) =>
  `MLflow ${call} at ${uri} answered something ecg-lab cannot read: ${detail}`;

export const artifactsNotProxied = (uri: string, artifactUri: string) =>
  `the run's artifact location '${artifactUri}' is not served by ${uri}; start the server with --serve-artifacts ` +
  `(the default since MLflow 2) so ecg-lab can upload through its artifact proxy`;

export const retrying = (call: string, reason: string, delayMs: number, attempt: number, attempts: number) =>
  `MLflow ${call}: ${reason}; retrying in ${delayMs} ms (attempt ${attempt + 1} of ${attempts})`;

export const paramTruncated = (key: string, length: number, limit: number) =>
  `param '${key}' is ${length} characters, over MLflow's limit of ${limit}: it is sent truncated, the full value as artifact ${longParamArtifact(key)}`;

/** Where the full value of a param too long for MLflow goes, as an artifact of the run. */
export const longParamArtifact = (key: string) => `params/${key}.txt`;

export const truncationMarker = (length: number, key: string) =>
  ` ...[truncated from ${length} chars; full value in artifact ${longParamArtifact(key)}]`;

export const paramChanged = (key: string, where: string) =>
  `param '${key}' changed in ${where} after it was sent to MLflow, which keeps params immutable; the server keeps the first value`;

/** `withHint`: the first such warning of a process says what to do; later ones only what happened. */
export const streamDisabled = (uri: string, detail: string, withHint: boolean) =>
  `MLflow streaming to ${uri} stopped: ${detail}.${withHint ? ' The run goes on and stays complete in the local store; send the rest later with: ecg-lab sync' : ''}`;

export const syncCell = (where: string, metrics: number, created: boolean) =>
  `synced ${where}: ${metrics} metric point${metrics === 1 ? '' : 's'}${created ? ' (new MLflow run)' : ''}`;

export const syncStateOtherServer = (file: string) =>
  `${file} records no sync to this server yet; the run is sent in full`;

export const pendingBatchChecked = (where: string, landed: number, resent: number) =>
  `${where}: an unconfirmed metric batch was checked against the server: ${landed} point(s) had landed, ${resent} resent`;

export const duplicateRuns = (key: string, count: number, chosen: string) =>
  `MLflow has ${count} runs tagged ecg_lab.key=${key}; syncing into the oldest (${chosen})`;

export const syncFileCorrupt = (file: string) => `${file} is not valid JSON; delete it to sync the run in full again`;
