#!/usr/bin/env node
/**
 * The `ecg-lab` command. The only place that reads process.argv, writes to
 * the console and sets the exit code: 0 ok, 1 a run or command failed
 * (compare --expect: a check failed), 2 bad usage or a refused config
 * (nothing written), 3 compare --expect: no check failed but some could
 * not be judged (MISSING).
 */
import { COMMANDS } from './registry.js';
import { terminalIo } from './terminal/io.js';
import { packageVersion } from './paths.js';
import { isEcgError, type ErrorCode } from '../core/errors.js';
import { closestNames } from '../config/suggest.js';
import { configMessages } from '../core/messages.js';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['CONFIG_INVALID', 'CONFIG_NOT_FOUND', 'SWEEP_INVALID', 'USAGE']);

function help(): string {
  const names = Object.keys(COMMANDS).filter((n) => n !== 'run-cell');
  const width = Math.max(...names.map((n) => n.length));
  return [
    'ecg-lab: ECG image digitization and classification with hierarchical end-to-end training',
    '',
    'usage: ecg-lab <command> [options]   (ecg-lab <command> --help for its options)',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]?.summary ?? ''}`),
    '',
    'global options: --verbose (debug output, TensorFlow banners), --help, --version',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    const guess = configMessages.didYouMean(closestNames(name, Object.keys(COMMANDS).filter((n) => n !== 'run-cell')));
    process.stderr.write(`ecg-lab: unknown command '${name}'${guess ? `; ${guess}` : ''}\n\n${help()}\n`);
    return 2;
  }
  const io = terminalIo({ verbose, prefix: name === 'run-cell' ? rest[1] : undefined });
  if ((rest.includes('--help') || rest.includes('-h')) && name !== 'generate') {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isEcgError(error)) {
      process.stderr.write(`ecg-lab ${name}: ${error.message}\n`);
      if (verbose && error.cause) process.stderr.write(`cause: ${String((error.cause as Error).stack ?? error.cause)}\n`);
      return USAGE_CODES.has(error.code) ? 2 : 1;
    }
    process.stderr.write(`ecg-lab ${name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
