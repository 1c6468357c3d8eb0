/**
 * The one error type ecg-lab throws. `code` is stable and machine-readable;
 * the message is written for a person and says what was wrong, where, and
 * what is allowed. Messages come from `core/messages/`.
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'SWEEP_INVALID',
  'RUN_NOT_FOUND',
  'RUN_STORE_CORRUPT',
  'CACHE_CORRUPT',
  'STAGE_FAILED',
  'STAGE_UNKNOWN',
  'STAGE_GRAPH_INVALID',
  'STAGE_UNDECLARED_KEY',
  'WFDB_MALFORMED',
  'WFDB_UNSUPPORTED',
  'DATA_INVALID',
  'RENDER_INVALID',
  'IMAGE_INVALID',
  'BACKEND_UNAVAILABLE',
  'MODEL_INVALID',
  'CHECKPOINT_CORRUPT',
  'METRIC_INVALID',
  'MLFLOW_UNREACHABLE',
  'MLFLOW_ERROR',
  'MLFLOW_AUTH',
  'REPORT_INVALID',
  'LAUNCHER_FAILED',
  'USAGE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class EcgError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EcgError';
    this.code = code;
  }
}

export function isEcgError(error: unknown, code?: ErrorCode): error is EcgError {
  return error instanceof EcgError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for logs and stored run failures. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
