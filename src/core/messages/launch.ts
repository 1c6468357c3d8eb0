/** Messages of the launchers (`--launcher local|slurm`) and `ecg-lab status`. */

export const launcherUnknown = (name: string, known: readonly string[]) =>
  `--launcher ${name} is not a launcher; allowed: ${known.join(', ')}`;

export const slurmOptionWithoutSlurm = (option: string) => `--${option} needs --launcher slurm`;

export const slurmMissing = (command: string, detail: string) =>
  `SLURM's ${command} is not available (${detail}); run on a SLURM login node, or install a single-node SLURM with: sudo bash scripts/slurm-setup.sh`;

export const slurmCommandFailed = (command: string, detail: string) => `${command} failed: ${detail}`;

export const sbatchAnswer = (text: string) => `sbatch did not print a job id: '${text}'`;

export const submitted = (kind: string, jobId: string, tasks: number, dependsOn: string | undefined) =>
  `submitted ${kind} job ${jobId}: ${tasks} task(s)${dependsOn ? ` after job ${dependsOn} succeeds` : ''}`;

export const sharedStages = (leads: number, stages: readonly string[]) =>
  `stages shared by several cells run first, once, in ${leads} task(s): ${stages.join(', ')}`;

export const waiting = (jobs: readonly string[]) => `waiting for SLURM job(s) ${jobs.join(', ')} (stop waiting with Ctrl-C; the jobs go on)`;

export const stoppedWaiting = (ref: string) => `stopped waiting; the jobs go on. Follow them with: ecg-lab status ${ref}`;

export const taskGone = (jobTask: string, state: string) =>
  `SLURM task ${jobTask} ended (${state}) while the cell was running: killed`;

export const taskEndedBeforeStart = (jobTask: string, state: string, log: string) =>
  `SLURM task ${jobTask} ended (${state}) before the cell started; see ${log}`;

export const stillQueued = (cells: readonly string[]) =>
  `cell(s) ${cells.join(', ')} still queued or running in SLURM; leaving them alone`;
