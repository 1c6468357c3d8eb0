/**
 * Child processes for the native setup: output goes to a log file, and a
 * failure becomes a SetupError that says what is missing and how to fix it.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export class SetupError extends Error {
  /** @param {string} missing what is missing or failed, for a person @param {string} hint the fix */
  constructor(missing, hint) {
    super(missing);
    this.name = 'SetupError';
    this.missing = missing;
    this.hint = hint;
  }
}

/** True when the command runs and exits 0. */
export function tryRun(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

/** Runs a command to completion; returns its stdout; throws SetupError with the tail of its output. */
export function run(command, args, { logFile, missing, hint, cwd, env }) {
  const result = spawnSync(command, args, { cwd, env: env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (logFile) appendFileSync(logFile, `\n$ ${command} ${args.join(' ')}\n${output}`);
  if (result.error) throw new SetupError(`${missing}: ${command} could not be started (${result.error.message})`, hint);
  if (result.status !== 0) {
    const lines = output.trim().split('\n');
    const errors = lines.filter((line) => /^ERROR|error:/i.test(line));
    const tail = (errors.length > 0 ? errors : lines).slice(-3).join(' | ');
    throw new SetupError(`${missing}${tail ? ` [${tail}]` : ''}`, hint);
  }
  return result.stdout ?? '';
}
