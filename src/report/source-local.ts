/**
 * Load cells from the local run store. A ref is an experiment name (its
 * latest sweep), a sweep id or unique prefix (`<sweep>` or
 * `<experiment>/<sweep>`), or one cell (`<sweep>/<cell>` or
 * `<experiment>/<sweep>/<cell>`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EcgError, isEcgError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { reportMessages as msg } from '../core/messages.js';
import { RunStore, type SweepRun } from '../tracking/run-store.js';
import { withConfigCoords } from './config-coords.js';
import { coordValue, withFinalSnr, type CellResult, type CellStatus, type CoordValue, type MetricSeriesPoint, type RunSet } from './run-set.js';

interface Selection {
  sweep: SweepRun;
  /** Undefined: every cell of the sweep. */
  cellIds?: Set<string>;
  /** Set when an experiment name was resolved to its latest sweep. */
  note?: string;
}

export async function loadLocalRuns(runsDir: string, refs: readonly string[], logger: Logger = silentLogger): Promise<RunSet> {
  const store = new RunStore(runsDir, logger);
  const selections: Selection[] = [];
  for (const ref of refs) selections.push(await resolveRef(store, ref));
  const cells: CellResult[] = [];
  for (const { sweep, cellIds } of mergeSelections(selections)) {
    for (const planned of sweep.cells) {
      if (cellIds && !cellIds.has(planned.id)) continue;
      cells.push(await loadCell(store, sweep, planned));
    }
  }
  if (cells.length === 0) throw new EcgError('RUN_NOT_FOUND', msg.noRuns(refs, runsDir));
  return {
    source: 'local',
    where: runsDir,
    ...withConfigCoords(cells),
    notes: selections.flatMap((s) => (s.note ? [s.note] : [])),
    history: async (cell) => seriesOf(await store.readMetrics(cell)),
  };
}

async function resolveRef(store: RunStore, ref: string): Promise<Selection> {
  const parts = ref.split('/');
  if (parts.length === 1 && existsSync(join(store.root, ref))) {
    const sweeps = await store.listSweeps(ref);
    const latest = sweeps[sweeps.length - 1];
    if (latest && sweeps.length === 1) return { sweep: latest };
    if (latest) return { sweep: latest, note: msg.latestSweep(ref, latest.id, latest.cells.length, sweeps.slice(0, -1).map((s) => s.id)) };
  }
  const asSweep = await findSweep(store, ref);
  if (asSweep) return { sweep: asSweep };
  if (parts.length >= 2) {
    const cellId = parts[parts.length - 1] as string;
    const sweep = await findSweep(store, parts.slice(0, -1).join('/'));
    if (sweep && sweep.cells.some((c) => c.id === cellId)) return { sweep, cellIds: new Set([cellId]) };
  }
  throw new EcgError('RUN_NOT_FOUND', msg.refNotFound(ref, store.root));
}

async function findSweep(store: RunStore, ref: string): Promise<SweepRun | undefined> {
  try {
    return await store.findSweep(ref);
  } catch (error) {
    if (isEcgError(error, 'RUN_NOT_FOUND')) return undefined;
    throw error;
  }
}

/** One entry per sweep, in first-named order; a whole sweep absorbs its single cells. */
function mergeSelections(selections: readonly Selection[]): Selection[] {
  const bySweep = new Map<string, Selection>();
  for (const s of selections) {
    const key = `${s.sweep.experiment}/${s.sweep.id}`;
    const seen = bySweep.get(key);
    if (!seen) bySweep.set(key, { sweep: s.sweep, ...(s.cellIds ? { cellIds: new Set(s.cellIds) } : {}), ...(s.note ? { note: s.note } : {}) });
    else if (!s.cellIds) delete seen.cellIds;
    else if (seen.cellIds) for (const id of s.cellIds) seen.cellIds.add(id);
  }
  return [...bySweep.values()];
}

async function loadCell(store: RunStore, sweep: SweepRun, planned: SweepRun['cells'][number]): Promise<CellResult> {
  const ids = { experiment: sweep.experiment, sweepId: sweep.id, cellId: planned.id };
  const coords = normalise(planned.overrides);
  const run = await store.readCell(sweep.experiment, sweep.id, planned.id);
  if (!run) return { ...ids, group: planned.group, status: 'missing', coords, params: {}, tags: {}, metrics: {} };
  return {
    ...ids,
    group: run.group,
    status: run.status as CellStatus,
    coords,
    params: normalise(run.params),
    tags: run.tags,
    metrics: withFinalSnr(await store.latestMetrics(ids)),
    artifactsDir: store.artifactsDir(ids),
  };
}

function normalise(record: Record<string, unknown>): Record<string, CoordValue> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, coordValue(v)]));
}

function seriesOf(points: readonly { name: string; step: number; value: number }[]): Record<string, MetricSeriesPoint[]> {
  const out: Record<string, MetricSeriesPoint[]> = {};
  for (const p of points) (out[p.name] ??= []).push({ step: p.step, value: p.value });
  return out;
}
