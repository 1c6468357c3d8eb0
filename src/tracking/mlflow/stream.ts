/**
 * The runner's live link to MLflow: as a sweep's cells write to the run
 * store, it sends what is new (params, tags, metric lines, artifacts, status)
 * through the same engine and the same mlflow.json records as `ecg-lab sync`,
 * so whatever it did not get to, a later sync sends, and nothing twice.
 *
 *   const stream = new MlflowStream({ client, runsDir, experiment, sweepId, logger });
 *   await stream.open();                   // the sweep's parent run, before cells start
 *   ... store.appendMetrics(cell, points); stream.notify(cellId);
 *   ... store.writeCell(cell);             stream.notify(cellId);
 *   await stream.close();                  // last sends, the sweep's status
 *
 * It never fails the run: notify() returns at once; on the first error the
 * stream logs one warning and stops sending, leaving the rest to `sync`.
 * Sends are serial (one request at a time, one cell after another) and at
 * most one round per `intervalMs`, so a training loop that logs every step
 * does not turn into one HTTP request per point.
 */
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { mlflowMessages as msg } from '../../core/messages.js';
import { RunStore } from '../run-store.js';
import { MlflowSyncer, type SyncCounts } from './sync.js';
import type { MlflowClient } from './client.js';

/**
 * A retry policy for the client a stream is given: short, so that close()
 * at the end of a run whose server went away returns within seconds.
 */
export const STREAM_RETRY = { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000, totalMs: 10_000, timeoutMs: 15_000 } as const;

export interface MlflowStreamOptions {
  client: MlflowClient;
  runsDir: string;
  experiment: string;
  sweepId: string;
  logger?: Logger;
  /** Least time between two rounds of sends; flush() and close() do not wait for it. */
  intervalMs?: number;
  user?: string;
  /** Shared by the streams of one process, so that the "ecg-lab sync" hint is given once. */
  hint?: SyncHint;
}

/** Whether the hint to run `ecg-lab sync` later was given (one object per process: MlflowTracker's). */
export interface SyncHint {
  given: boolean;
}

export class MlflowStream {
  private readonly syncer: MlflowSyncer;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly dirty = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastRound = 0;
  private stopped = false;
  private closed = false;

  constructor(private readonly options: MlflowStreamOptions) {
    this.logger = options.logger ?? silentLogger;
    this.intervalMs = options.intervalMs ?? 2_000;
    this.syncer = new MlflowSyncer(new RunStore(options.runsDir), options.client, {
      logger: this.logger,
      ...(options.user !== undefined ? { user: options.user } : {}),
    });
  }

  /** False once an error stopped it (the rest is left to `ecg-lab sync`). */
  get active(): boolean {
    return !this.stopped;
  }

  /** What it has sent so far. */
  get counts(): SyncCounts {
    return { ...this.syncer.counts };
  }

  /**
   * Create the sweep's parent run now. Call it once before cells start in
   * parallel (or in other processes), so they all find the same parent.
   * Never rejects.
   */
  async open(): Promise<void> {
    await this.enqueue(async () => {
      const sweep = await this.syncer.store.readSweep(this.options.experiment, this.options.sweepId);
      await this.syncer.syncParent(sweep, false);
    });
  }

  /** A cell's files changed: send what is new, soon. */
  notify(cellId: string): void {
    if (this.stopped || this.closed) return;
    this.dirty.add(cellId);
    if (this.timer) return;
    const wait = Math.max(0, this.lastRound + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, wait);
    this.timer.unref();
  }

  /** Send everything pending now; resolves when done (never rejects). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.round();
  }

  /** The last round, including every cell of the sweep and the parent's status. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    await this.flush();
    await this.enqueue(async () => {
      const sweep = await this.syncer.store.readSweep(this.options.experiment, this.options.sweepId);
      await this.syncer.syncSweep(sweep);
    });
  }

  private round(): Promise<void> {
    return this.enqueue(async () => {
      this.lastRound = Date.now();
      while (this.dirty.size > 0 && !this.stopped) {
        const cellId = this.dirty.values().next().value as string;
        this.dirty.delete(cellId);
        await this.syncer.syncCell(this.options.experiment, this.options.sweepId, cellId);
      }
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await work();
      } catch (error) {
        this.stop(error);
      }
    });
    return this.chain;
  }

  private stop(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.dirty.clear();
    const hint = this.options.hint ?? { given: false };
    this.logger.warn(msg.streamDisabled(this.options.client.uri, errorMessage(error), !hint.given));
    hint.given = true;
  }
}
