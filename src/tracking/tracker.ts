/**
 * Something that follows a run as it is written to the local store (the
 * MLflow stream). The local store is the truth: a tracker must never fail
 * the run; it reports its own trouble through the logger and leaves the rest
 * to `ecg-lab sync`.
 */
import type { CellRun, MetricPoint, SweepRun } from './run-store.js';

export interface RunTracker {
  sweepStarted(sweep: SweepRun): Promise<void>;
  cellStarted(sweep: SweepRun, cell: CellRun): Promise<void>;
  metricsLogged(sweep: SweepRun, cell: CellRun, points: readonly MetricPoint[]): Promise<void>;
  artifactsAdded(sweep: SweepRun, cell: CellRun, artifactsDir: string): Promise<void>;
  cellEnded(sweep: SweepRun, cell: CellRun): Promise<void>;
  sweepEnded(sweep: SweepRun): Promise<void>;
}
