/**
 * The table a `run` or `resume` ends with: per cell its overrides, status,
 * key metrics and time, so the first look at a sweep's outcome needs no
 * second command. The same key metrics as `ecg-lab runs`.
 */
import type { RunStore, SweepRun } from '../tracking/run-store.js';
import { duration } from './duration.js';
import { formatTable } from './table.js';

export const KEY_METRICS = ['f1/macro', 'snr/mean'] as const;

export async function resultsTable(store: RunStore, sweep: SweepRun): Promise<string> {
  const cells = await Promise.all(
    sweep.cells.map(async ({ id, overrides }) => {
      const cell = await store.readCell(sweep.experiment, sweep.id, id);
      return { id, overrides, cell, metrics: cell ? await store.latestMetrics(cell) : {} };
    }),
  );
  const metrics = KEY_METRICS.filter((m) => cells.some((c) => c.metrics[m] !== undefined));
  const rows = cells.map(({ id, overrides, cell, metrics: values }) => [
    id,
    Object.entries(overrides).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' '),
    cell?.status ?? 'missing',
    ...metrics.map((m) => (values[m] === undefined ? '' : values[m].toFixed(3))),
    cell?.startedAt && cell.endedAt ? duration(Date.parse(cell.endedAt) - Date.parse(cell.startedAt)) : '',
  ]);
  return formatTable(['cell', 'overrides', 'status', ...metrics, 'time'], rows);
}
