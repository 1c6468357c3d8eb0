/**
 * The MLflow stream as the runner's RunTracker: one MlflowStream per sweep.
 * Like the stream, it never throws; trouble is one warning, the rest is left
 * to `ecg-lab sync`.
 */
import type { Logger } from '../../core/logger.js';
import type { CellRun, MetricPoint, SweepRun } from '../run-store.js';
import type { RunTracker } from '../tracker.js';
import type { MlflowClient } from './client.js';
import { MlflowStream, type SyncHint } from './stream.js';

export interface MlflowTrackerOptions {
  /** Best made with retry: STREAM_RETRY. */
  client: MlflowClient;
  runsDir: string;
  logger?: Logger;
  user?: string;
  intervalMs?: number;
}

export class MlflowTracker implements RunTracker {
  private readonly streams = new Map<string, MlflowStream>();
  /** One per tracker, and the runner makes one tracker per process: the sync hint is given once. */
  private readonly hint: SyncHint = { given: false };

  constructor(private readonly options: MlflowTrackerOptions) {}

  async sweepStarted(sweep: SweepRun): Promise<void> {
    await this.stream(sweep).open();
  }

  async cellStarted(sweep: SweepRun, cell: CellRun): Promise<void> {
    this.stream(sweep).notify(cell.cellId);
  }

  async metricsLogged(sweep: SweepRun, cell: CellRun, _points: readonly MetricPoint[]): Promise<void> {
    this.stream(sweep).notify(cell.cellId);
  }

  async artifactsAdded(sweep: SweepRun, cell: CellRun, _artifactsDir: string): Promise<void> {
    this.stream(sweep).notify(cell.cellId);
  }

  async cellEnded(sweep: SweepRun, cell: CellRun): Promise<void> {
    const stream = this.stream(sweep);
    stream.notify(cell.cellId);
    await stream.flush();
  }

  async sweepEnded(sweep: SweepRun): Promise<void> {
    const stream = this.stream(sweep);
    this.streams.delete(key(sweep));
    await stream.close();
  }

  private stream(sweep: SweepRun): MlflowStream {
    const existing = this.streams.get(key(sweep));
    if (existing) return existing;
    const created = new MlflowStream({
      client: this.options.client,
      runsDir: this.options.runsDir,
      experiment: sweep.experiment,
      sweepId: sweep.id,
      hint: this.hint,
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...(this.options.user !== undefined ? { user: this.options.user } : {}),
      ...(this.options.intervalMs !== undefined ? { intervalMs: this.options.intervalMs } : {}),
    });
    this.streams.set(key(sweep), created);
    return created;
  }
}

function key(sweep: SweepRun): string {
  return `${sweep.experiment}/${sweep.id}`;
}
