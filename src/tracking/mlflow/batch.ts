/**
 * runs/log-batch limits, as the server enforces them (mlflow/utils/validation.py
 * of MLflow 3.17, the pinned test server): per request at most 1000 metrics,
 * 100 params, 100 tags and 1000 entities in total (the same since MLflow 1.x);
 * param values at most 6000 characters (older releases: 500; the client takes
 * a lower limit as an option), tag values at most 8000.
 *
 * Long values: recent servers truncate a long param silently (and older ones
 * refuse the whole batch), so ecg-lab truncates first, with a visible marker
 * that names where the full value is (an artifact the caller uploads,
 * params/<key>.txt), and tells the caller which keys it cut.
 */
import { mlflowMessages as msg } from '../../core/messages.js';

export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  entities: 1000,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const;

export type MetricValue = number;

export interface MetricInput {
  key: string;
  value: MetricValue;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface BatchInput {
  metrics?: readonly MetricInput[];
  params?: readonly KeyValue[];
  tags?: readonly KeyValue[];
}

export interface Batch {
  metrics: MetricInput[];
  params: KeyValue[];
  tags: KeyValue[];
}

/**
 * Split into requests within the limits, keeping each kind in order (MLflow
 * writes a kind in request order, which exactly-once sync relies on). Params
 * and tags go first so a run's configuration lands before its curves.
 */
export function splitBatch(input: BatchInput, limits: typeof LOG_BATCH_LIMITS = LOG_BATCH_LIMITS): Batch[] {
  const params = [...(input.params ?? [])];
  const tags = [...(input.tags ?? [])];
  const metrics = [...(input.metrics ?? [])];
  const batches: Batch[] = [];
  while (params.length > 0 || tags.length > 0 || metrics.length > 0) {
    const p = params.splice(0, limits.params);
    const t = tags.splice(0, limits.tags);
    const room = Math.min(limits.metrics, limits.entities - p.length - t.length);
    const m = metrics.splice(0, room);
    batches.push({ metrics: m, params: p, tags: t });
  }
  return batches;
}

/** A param value as MLflow will accept it; `truncated` says whether the caller should keep the full one elsewhere. */
export function fitParam(param: KeyValue, limit: number = LOG_BATCH_LIMITS.paramValueLength): { param: KeyValue; truncated: boolean } {
  if (param.value.length <= limit) return { param, truncated: false };
  const marker = msg.truncationMarker(param.value.length, param.key);
  return { param: { key: param.key, value: param.value.slice(0, Math.max(0, limit - marker.length)) + marker }, truncated: true };
}

export function fitTag(tag: KeyValue, limit: number = LOG_BATCH_LIMITS.tagValueLength): KeyValue {
  if (tag.value.length <= limit) return tag;
  const marker = ` ...[truncated from ${tag.value.length} chars]`;
  return { key: tag.key, value: tag.value.slice(0, limit - marker.length) + marker };
}

/** MLflow's JSON for a double: NaN and the infinities as strings (JSON has no literal for them). */
export function metricJsonValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}
