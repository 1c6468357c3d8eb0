/**
 * One sub-command of `ecg-lab`. Each lives in cli/commands/<name>.ts and is
 * registered in cli/registry.ts. Only src/cli/ touches process, console and
 * exit codes: a command gets its arguments and an Io, returns the exit code.
 */
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { SweepProgress } from './terminal/sweep-progress.js';

export interface Io {
  /** Result output (tables, JSON): stdout. */
  out(text: string): void;
  /** Diagnostics: stderr. */
  logger: Logger;
  /** A progress reporter suited to the terminal (bar on a TTY, plain lines otherwise). */
  progress: Progress;
  /** Sweep-level progress: cells done of total, ETA (the footer's first line on a TTY); none in tests that build an Io. */
  sweep?: SweepProgress;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly verbose: boolean;
}

export interface Command {
  readonly name: string;
  /** One line for `ecg-lab --help`. */
  readonly summary: string;
  /** Full usage text for `ecg-lab <name> --help`. */
  readonly usage: string;
  /** Returns the exit code: 0 ok, 1 failure, 2 bad usage or config. */
  run(args: readonly string[], io: Io): Promise<number>;
}
