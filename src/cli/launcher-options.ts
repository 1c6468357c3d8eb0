/** `--launcher local|slurm` and the `--slurm.*` options, shared by `run` and `resume`. */
import { EcgError } from '../core/errors.js';
import { launchMessages as msg } from '../core/messages.js';
import { LAUNCHERS, type Launcher } from '../train/launchers/launcher.js';
import { localLauncher } from '../train/launchers/local.js';
import { slurmLauncher } from '../train/launchers/slurm.js';
import { intOption, type ParsedArgs } from './args.js';
import type { Io } from './command.js';

const SLURM_OPTIONS = ['slurm.partition', 'slurm.time', 'slurm.cpus', 'slurm.gpus', 'slurm.mem'] as const;

/** For parseArgs: the options and flags this module reads. */
export const LAUNCHER_ARGS = { withValue: ['launcher', ...SLURM_OPTIONS], flags: ['no-wait'] } as const;

export const LAUNCHER_USAGE = `  --launcher L   where cells run: local (default; this process, or --jobs N processes)
                 or slurm (one SLURM job array, a task per cell; see docs/slurm.md)
  --slurm.partition P  --slurm.time T  --slurm.cpus N  --slurm.gpus N  --slurm.mem M
                 resources per task (sbatch --partition, --time, --cpus-per-task, --gpus, --mem)
  --no-wait      slurm: submit and return; follow with ecg-lab status <sweep>`;

export function launcherFrom(parsed: ParsedArgs, io: Io): Launcher {
  const name = parsed.options.get('launcher') ?? 'local';
  if (!(LAUNCHERS as readonly string[]).includes(name)) throw new EcgError('USAGE', msg.launcherUnknown(name, LAUNCHERS));
  if (name === 'local') {
    const stray = [...SLURM_OPTIONS, 'no-wait'].find((o) => parsed.options.has(o) || parsed.flags.has(o));
    if (stray) throw new EcgError('USAGE', msg.slurmOptionWithoutSlurm(stray));
    return localLauncher;
  }
  const text = (key: string) => parsed.options.get(key);
  const count = (key: string) => (parsed.options.has(key) ? intOption(parsed, key, 1) : undefined);
  const partition = text('slurm.partition');
  const time = text('slurm.time');
  const cpus = count('slurm.cpus');
  const gpus = count('slurm.gpus');
  const mem = text('slurm.mem');
  return slurmLauncher({
    resources: {
      ...(partition !== undefined ? { partition } : {}),
      ...(time !== undefined ? { time } : {}),
      ...(cpus !== undefined ? { cpus } : {}),
      ...(gpus !== undefined ? { gpus } : {}),
      ...(mem !== undefined ? { mem } : {}),
    },
    // Tasks start ecg-lab as this process was started: the same node, its flags (--import tsx from source), the same script.
    self: { command: process.execPath, args: [...process.execArgv, process.argv[1] as string], cwd: io.cwd, verbose: io.verbose },
    wait: !parsed.flags.has('no-wait'),
  });
}
