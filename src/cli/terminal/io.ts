/**
 * The terminal side of Io. On a TTY: a footer (footer.ts) with the sweep's
 * line and the current task's bar, and every log line and result printed
 * above it. Elsewhere (CI, `| tee`, a `run-cell` child whose parent reads
 * its stderr, TERM=dumb): plain lines, no carriage returns, no escape codes.
 */
import type { Io } from '../command.js';
import type { Logger } from '../../core/logger.js';
import { terminalFooter } from './footer.js';
import { barProgress, lineProgress } from './task-progress.js';
import { footerSweepProgress, lineSweepProgress } from './sweep-progress.js';

/** The footer is drawn at most this often while a bar ticks; its ETA is redrawn every second. */
const REDRAW_MS = 100;
const CLOCK_MS = 1000;

export function terminalIo(options: { verbose: boolean; prefix?: string }): Io {
  const tty = process.stderr.isTTY === true && process.env['TERM'] !== 'dumb' && !options.prefix;
  return tty ? footerIo(options.verbose) : lineIo(options.verbose, options.prefix ? `[${options.prefix}] ` : '');
}

function logTo(write: (line: string) => void, verbose: boolean, prefix = ''): Logger {
  return {
    info: (m) => write(`${prefix}${m}`),
    warn: (m) => write(`${prefix}warning: ${m}`),
    debug: (m) => {
      if (verbose) write(`${prefix}${m}`);
    },
  };
}

function lineIo(verbose: boolean, prefix: string): Io {
  const logger = logTo((line) => process.stderr.write(`${line}\n`), verbose, prefix);
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    logger,
    progress: lineProgress(logger),
    sweep: lineSweepProgress(logger),
    cwd: process.cwd(),
    env: process.env,
    verbose,
  };
}

function footerIo(verbose: boolean): Io {
  const lines = (): string[] => [sweep.line(), task.line()].filter((l): l is string => l !== undefined);
  const footer = terminalFooter(process.stderr, lines);
  let lastDraw = 0;
  let pending: NodeJS.Timeout | undefined;
  const redraw = (): void => {
    if (pending) return;
    const wait = lastDraw + REDRAW_MS - Date.now();
    if (wait > 0) {
      pending = setTimeout(() => {
        pending = undefined;
        lastDraw = Date.now();
        footer.redraw();
      }, wait);
      pending.unref();
      return;
    }
    lastDraw = Date.now();
    footer.redraw();
  };
  const logger = logTo((line) => footer.print(line), verbose);
  const task = barProgress(redraw, logger);
  const sweep = footerSweepProgress(redraw);
  setInterval(() => footer.redraw(), CLOCK_MS).unref();
  // An exit while a bar shows (a second Ctrl-C) leaves the prompt on a clean line.
  process.on('exit', () => footer.erase());
  return {
    out: (text) => footer.print(text, process.stdout),
    logger,
    progress: task,
    sweep,
    cwd: process.cwd(),
    env: process.env,
    verbose,
  };
}
