/**
 * The two faces of core/progress.ts's Progress in the terminal: a bar in
 * the footer (footer.ts) on a TTY, plain lines elsewhere (CI logs, `| tee`).
 * Both end a task with one summary line, so a finished bar leaves a line of
 * record and not a frozen bar.
 */
import type { Logger } from '../../core/logger.js';
import type { Progress } from '../../core/progress.js';
import { duration } from '../duration.js';
import { meter, type Meter } from './eta.js';

const BAR_WIDTH = 24;
/** Without a terminal, a progress line at most this often. */
const LINE_EVERY_MS = 10_000;

interface Task {
  readonly label: string;
  readonly meter: Meter;
  status: string;
}

const etaText = (task: Task, now: number): string => {
  const left = task.meter.remainingMs(now);
  return left === undefined ? 'ETA ?' : `ETA ${duration(left)}`;
};

/** `roi: 12 epochs x 13 steps [█████░░░░░] 26/156 | ETA 1m 00s | loss 0.778` */
export function barLine(task: Task, now: number): string {
  const { done, total } = task.meter;
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH)) : 0;
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  return `${task.label} [${bar}] ${done}/${total} | ${etaText(task, now)}${task.status ? ` | ${task.status}` : ''}`;
}

function summaryLine(task: Task, now: number): string {
  const { done, total } = task.meter;
  return `${task.label}: ${done}/${total} in ${duration(now - task.meter.startedAt)}${task.status ? `, ${task.status}` : ''}`;
}

/** A bar: `show` gets its line on every change (undefined when the task ends), `logger` the summary. */
export function barProgress(show: (line: string | undefined) => void, logger: Logger, now: () => number = Date.now): Progress & { line(): string | undefined } {
  let task: Task | undefined;
  const line = () => (task ? barLine(task, now()) : undefined);
  return {
    start(label, total) {
      if (task) this.stop();
      task = { label, meter: meter(total, now()), status: '' };
      show(line());
    },
    tick(units = 1, status) {
      if (!task) return;
      task.meter.advance(units, now());
      if (status) task.status = status;
      show(line());
    },
    stop() {
      if (!task) return;
      const ended = task;
      task = undefined;
      show(undefined);
      logger.info(summaryLine(ended, now()));
    },
    line,
  };
}

/** Plain lines: one when a task starts, one at most every 10 s with its ETA, one at the end. */
export function lineProgress(logger: Logger, now: () => number = Date.now): Progress {
  let task: Task | undefined;
  let lastLine = 0;
  return {
    start(label, total) {
      if (task) this.stop();
      task = { label, meter: meter(total, now()), status: '' };
      lastLine = now();
      logger.info(`${label}: started (${total})`);
    },
    tick(units = 1, status) {
      if (!task) return;
      task.meter.advance(units, now());
      if (status) task.status = status;
      if (now() - lastLine < LINE_EVERY_MS) return;
      lastLine = now();
      logger.info(`${task.label}: ${task.meter.done}/${task.meter.total} ${etaText(task, now())}${task.status ? ` ${task.status}` : ''}`);
    },
    stop() {
      if (!task) return;
      logger.info(summaryLine(task, now()));
      task = undefined;
    },
  };
}
