/** The terminal side of Io: progress bars on a TTY, plain lines elsewhere. */
import cliProgress from 'cli-progress';
import type { Io } from './command.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';

export function terminalIo(options: { verbose: boolean; quiet?: boolean; prefix?: string }): Io {
  const prefix = options.prefix ? `[${options.prefix}] ` : '';
  const logger: Logger = {
    info: (m) => {
      if (!options.quiet) process.stderr.write(`${prefix}${m}\n`);
    },
    warn: (m) => process.stderr.write(`${prefix}warning: ${m}\n`),
    debug: (m) => {
      if (options.verbose) process.stderr.write(`${prefix}${m}\n`);
    },
  };
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    logger,
    progress: process.stderr.isTTY && !options.prefix ? barProgress() : lineProgress(logger),
    cwd: process.cwd(),
    env: process.env,
    verbose: options.verbose,
  };
}

function barProgress(): Progress {
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(label, total) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {status}`, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { status: '' });
    },
    tick(units = 1, status = '') {
      bar?.increment(units, { status });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Without a terminal: one line per task start, a line at most every 10 s, one at the end, with ETA. */
function lineProgress(logger: Logger): Progress {
  let label = '';
  let total = 0;
  let done = 0;
  let started = 0;
  let lastPrint = 0;
  let lastStatus = '';
  const eta = (): string => {
    if (done === 0) return '?';
    const s = ((Date.now() - started) / done) * (total - done) / 1000;
    return s < 60 ? `${s.toFixed(0)}s` : `${(s / 60).toFixed(1)}min`;
  };
  return {
    start(l, t) {
      label = l;
      total = t;
      done = 0;
      started = Date.now();
      lastPrint = started;
      logger.info(`${label}: started (${total})`);
    },
    tick(units = 1, status = '') {
      done += units;
      lastStatus = status;
      if (Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        logger.info(`${label}: ${done}/${total} ETA ${eta()}${status ? ` ${status}` : ''}`);
      }
    },
    stop() {
      if (label) logger.info(`${label}: ${done}/${total} done in ${((Date.now() - started) / 1000).toFixed(1)}s${lastStatus ? ` ${lastStatus}` : ''}`);
      label = '';
    },
  };
}
