/**
 * Sweep-level progress: cells done of the cells this command runs, the cells
 * running, and an ETA from the cells that finished (before the first one
 * finishes, from an estimate of earlier runs when there is one). On a TTY it
 * is the footer's first line; elsewhere a line when the sweep begins and one
 * per finished cell.
 */
import type { Logger } from '../../core/logger.js';
import { duration } from '../duration.js';

export interface SweepProgress {
  /** `cellIds` run `jobs` at a time; `cellEstimateMs`: one cell's time from earlier runs, if known. */
  begin(label: string, cellIds: readonly string[], jobs: number, cellEstimateMs?: number): void;
  cellStarted(cellId: string): void;
  cellEnded(cellId: string, status: string): void;
  end(): void;
}

interface SweepState {
  readonly label: string;
  readonly total: number;
  readonly jobs: number;
  readonly estimateMs: number | undefined;
  readonly running: Map<string, number>;
  readonly finishedMs: number[];
  ended: number;
}

/** Time left: pending cells at the mean cell time, running ones less what they have run, spread over the jobs. */
export function sweepRemainingMs(state: SweepState, now: number): number | undefined {
  const perCell = state.finishedMs.length > 0 ? state.finishedMs.reduce((a, b) => a + b, 0) / state.finishedMs.length : state.estimateMs;
  if (perCell === undefined) return undefined;
  const pending = state.total - state.ended - state.running.size;
  let work = pending * perCell;
  for (const started of state.running.values()) work += Math.max(0, perCell - (now - started));
  return work / Math.max(1, Math.min(state.jobs, state.total - state.ended));
}

function sweepLine(state: SweepState, now: number): string {
  const left = sweepRemainingMs(state, now);
  const running = [...state.running.keys()];
  return [
    `${state.label}: ${state.ended}/${state.total} cells done`,
    ...(running.length > 0 ? [`running ${running.join(', ')}`] : []),
    left === undefined ? 'ETA ?' : `ETA ${duration(left)}`,
  ].join(' | ');
}

function tracker(onChange: (state: SweepState, event?: { cellId: string; status: string; ms: number }) => void, now: () => number) {
  let state: SweepState | undefined;
  const progress: SweepProgress & { line(): string | undefined } = {
    begin(label, cellIds, jobs, cellEstimateMs) {
      state = { label, total: cellIds.length, jobs, estimateMs: cellEstimateMs, running: new Map(), finishedMs: [], ended: 0 };
      onChange(state);
    },
    cellStarted(cellId) {
      if (!state) return;
      state.running.set(cellId, now());
      onChange(state);
    },
    cellEnded(cellId, status) {
      if (!state) return;
      const started = state.running.get(cellId) ?? now();
      state.running.delete(cellId);
      state.ended += 1;
      const ms = now() - started;
      if (status === 'finished') state.finishedMs.push(ms);
      onChange(state, { cellId, status, ms });
    },
    end() {
      state = undefined;
    },
    line: () => (state ? sweepLine(state, now()) : undefined),
  };
  return progress;
}

/** The footer's sweep line: `show` gets it on every change. */
export function footerSweepProgress(show: () => void, now: () => number = Date.now): SweepProgress & { line(): string | undefined } {
  const progress = tracker(() => show(), now);
  const end = progress.end;
  progress.end = () => {
    end();
    show();
  };
  return progress;
}

/** Plain lines: the sweep's size, then one line per ended cell with the sweep's ETA. */
export function lineSweepProgress(logger: Logger, now: () => number = Date.now): SweepProgress {
  return tracker((state, event) => {
    if (!event) {
      if (state.ended === 0 && state.running.size === 0) logger.info(sweepLine(state, now()));
      return;
    }
    logger.info(`${event.cellId} ${event.status} in ${duration(event.ms)}; ${sweepLine(state, now())}`);
  }, now);
}
