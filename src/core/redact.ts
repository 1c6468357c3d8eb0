/**
 * Credentials out of whatever is stored, logged or sent: the run itself keeps
 * the real values, the run store, MLflow params, tags and artifacts, and log
 * lines get these.
 *
 *   a URI with user-info    http://alice:pw@host:5000  ->  http://host:5000
 *   a secret-named key      { 'tracking.token': 'abc' } -> { 'tracking.token': '***' }
 *   a secret-named argument tracking.token=abc          ->  tracking.token=***
 *
 * User-info is removed rather than masked: a stored URI is read back to find
 * the server (`resume`, `run-cell`), and `***@` would be sent as Basic
 * credentials. Credentials for those come from MLFLOW_TRACKING_USERNAME /
 * MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN.
 */

export const REDACTED = '***';

/** scheme://userinfo@ : the user-info runs to the last '@' before the path, query, fragment or a space. */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** Words of a name that mark its value as a credential (after splitting camelCase, '-', '_' and '.'). */
const SECRET_WORDS: ReadonlySet<string> = new Set(['token', 'password', 'passwd', 'secret', 'apikey', 'credential', 'credentials']);

/** Text with the user-info of every URI in it removed (also in text that is not a valid URL). */
export function redactUri(text: string): string {
  return text.replace(USER_INFO, '$1');
}

/**
 * Whether a name (a dotted config key, an environment variable, a flag) names
 * a credential: its last dotted part has a word token, password, secret or
 * apikey (`tracking.token`, `MLFLOW_TRACKING_PASSWORD`, `apiKey`,
 * `client_secret`), but not `tokenizer`.
 */
export function isSecretName(name: string): boolean {
  const last = name.split('.').pop() ?? name;
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word, i) => SECRET_WORDS.has(word) || (word === 'api' && words[i + 1] === 'key'));
}

/**
 * A copy of a JSON-like value safe to store: every string loses URI
 * user-info, and every key that names a credential has its value replaced
 * by `***` (an empty value stays empty: there was nothing to hide).
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactUri(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, isSecretName(key) && !isEmpty(v) ? REDACTED : redactValue(v)]),
  );
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Command-line arguments safe to store: `key=value` with a secret-named key becomes `key=***`; URIs lose user-info. */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq > 0 && eq < arg.length - 1 && isSecretName(arg.slice(0, eq).replace(/^-+/, ''))) return `${arg.slice(0, eq)}=${REDACTED}`;
    return redactUri(arg);
  });
}
