/**
 * Load cells from MLflow alone, in the same shape as the local run store
 * (tracking/mlflow/sync.ts's mapping): one experiment per experiment name, a parent
 * run per sweep (tag ecg-lab.sweep), a child per cell (tag
 * mlflow.parentRunId), params = the flattened config, latest metrics.
 *
 * A ref is `<experiment>` (its latest sweep) or `<experiment>/<sweep id or prefix>`.
 * A cell's coordinates come from its tag ecg-lab.overrides (JSON) when the
 * runner set it; otherwise they are the params whose values differ between
 * the sweep's cells, in alphabetical order with seed last. Cells that never
 * started were never sent, so MLflow cannot show them as missing.
 */
import { EcgError } from '../core/errors.js';
import { reportMessages as msg } from '../core/messages.js';
import { SYSTEM_TAGS, type MlflowClient } from '../tracking/mlflow/client.js';
import type { Run, RunStatus } from '../tracking/mlflow/types.js';
import { withConfigCoords } from './config-coords.js';
import { isSeedKey, coordValue, withFinalSnr, unionKeys, type CellResult, type CellStatus, type CoordValue, type MetricSeriesPoint, type RunSet } from './run-set.js';

export const OVERRIDES_TAG = 'ecg-lab.overrides';
const SWEEP_TAG = 'ecg-lab.sweep';
const KEY_TAG = 'ecg-lab.key';
const GROUP_TAG = 'ecg-lab.group';

export async function loadMlflowRuns(client: MlflowClient, refs: readonly string[]): Promise<RunSet> {
  const cells: CellResult[] = [];
  const notes: string[] = [];
  const runIds = new Map<string, string>();
  for (const ref of refs) {
    const [experimentName, sweepRef] = ref.split('/', 2) as [string, string | undefined];
    const experiment = await client.getExperimentByName(experimentName);
    if (!experiment) throw new EcgError('RUN_NOT_FOUND', msg.mlflowExperimentNotFound(experimentName, client.uri));
    const runs = await client.searchAllRuns({ experimentIds: [experiment.experimentId], runViewType: 'ACTIVE_ONLY' });
    const parents = runs.filter((r) => r.tags[SYSTEM_TAGS.parentRunId] === undefined && r.tags[SWEEP_TAG] !== undefined).sort((a, b) => a.info.startTime - b.info.startTime);
    const parent = pickParent(parents, sweepRef);
    if (!parent) throw new EcgError('RUN_NOT_FOUND', msg.mlflowSweepNotFound(ref, client.uri));
    const children = runs.filter((r) => r.tags[SYSTEM_TAGS.parentRunId] === parent.info.runId);
    if (sweepRef === undefined && parents.length > 1) {
      const earlier = parents.filter((p) => p !== parent).map((p) => p.tags[SWEEP_TAG] as string);
      notes.push(msg.latestSweep(experimentName, parent.tags[SWEEP_TAG] as string, children.length, earlier));
    }
    const sweptKeys = fallbackSweptKeys(children);
    for (const child of sortByCell(children)) {
      const cell = toCell(child, experimentName, parent.tags[SWEEP_TAG] as string, sweptKeys);
      cells.push(cell);
      runIds.set(cellKey(cell), child.info.runId);
    }
  }
  if (cells.length === 0) throw new EcgError('RUN_NOT_FOUND', msg.noRuns(refs, client.uri));
  return {
    source: 'mlflow',
    where: client.uri,
    ...withConfigCoords(cells),
    notes,
    history: async (cell) => {
      const runId = runIds.get(cellKey(cell));
      const out: Record<string, MetricSeriesPoint[]> = {};
      if (!runId) return out;
      for (const key of Object.keys(cell.metrics)) {
        out[key] = (await client.getMetricHistory(runId, key)).map((m) => ({ step: m.step, value: m.value })).sort((a, b) => a.step - b.step);
      }
      return out;
    },
  };
}

function cellKey(cell: Pick<CellResult, 'experiment' | 'sweepId' | 'cellId'>): string {
  return `${cell.experiment}/${cell.sweepId}/${cell.cellId}`;
}

/** The named sweep (id or unique prefix), or the latest. */
function pickParent(parents: readonly Run[], sweepRef: string | undefined): Run | undefined {
  if (sweepRef === undefined) return parents[parents.length - 1];
  const matched = parents.filter((p) => (p.tags[SWEEP_TAG] ?? '').startsWith(sweepRef));
  return matched.find((p) => p.tags[SWEEP_TAG] === sweepRef) ?? (matched.length === 1 ? matched[0] : undefined);
}

/** Cells in the order the sweep planned them: by the cell key's position is unknown here, so by start time then id. */
function sortByCell(children: readonly Run[]): Run[] {
  return [...children].sort((a, b) => a.info.startTime - b.info.startTime || cellIdOf(a).localeCompare(cellIdOf(b)));
}

function cellIdOf(run: Run): string {
  const key = run.tags[KEY_TAG];
  return key ? (key.split('/').pop() as string) : run.info.runName;
}

function toCell(run: Run, experiment: string, sweepId: string, fallbackKeys: readonly string[]): CellResult {
  const params = Object.fromEntries(Object.entries(run.params).map(([k, v]) => [k, coordValue(v)]));
  const overrides = run.tags[OVERRIDES_TAG];
  const coords: Record<string, CoordValue> = overrides
    ? Object.fromEntries(Object.entries(JSON.parse(overrides) as Record<string, unknown>).map(([k, v]) => [k, coordValue(v)]))
    : Object.fromEntries(fallbackKeys.map((k) => [k, params[k] ?? null]));
  const tags = Object.fromEntries(Object.entries(run.tags).filter(([k]) => !k.startsWith('mlflow.')));
  return {
    experiment,
    sweepId,
    cellId: cellIdOf(run),
    group: run.tags[GROUP_TAG] ?? '',
    status: statusOf(run.info.status),
    coords,
    params,
    tags,
    metrics: withFinalSnr(Object.fromEntries(run.metrics.map((m) => [m.key, m.value]))),
  };
}

function fallbackSweptKeys(children: readonly Run[]): string[] {
  const keys = unionKeys(children.map((c) => c.params));
  const varying = keys.filter((k) => new Set(children.map((c) => c.params[k])).size > 1).sort();
  return [...varying.filter((k) => !isSeedKey(k)), ...varying.filter(isSeedKey)];
}

function statusOf(status: RunStatus): CellStatus {
  switch (status) {
    case 'FINISHED':
      return 'finished';
    case 'FAILED':
      return 'failed';
    case 'KILLED':
      return 'killed';
    case 'SCHEDULED':
      return 'pending';
    case 'RUNNING':
      return 'running';
  }
}
