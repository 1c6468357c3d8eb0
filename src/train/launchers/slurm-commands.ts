/**
 * SLURM's client commands as ecg-lab uses them: sbatch to submit, squeue for
 * what is queued or running, scontrol for tasks that ended recently (kept by
 * slurmctld for MinJobAge). sacct is not used: it needs slurmdbd, which a
 * small cluster may not run.
 */
import { execFile } from 'node:child_process';
import { EcgError } from '../../core/errors.js';
import { launchMessages as msg } from '../../core/messages.js';

/** A SLURM job state as squeue / scontrol print it: PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, ... */
export type SlurmState = string;

/** States in which a task may still run its cell. */
const ACTIVE: ReadonlySet<string> = new Set([
  'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'RESV_DEL_HOLD',
]);

export function isActive(state: SlurmState | undefined): boolean {
  return state !== undefined && ACTIVE.has(state);
}

/** `<array job id>_<task index>`, the name squeue and scancel use for one task. */
export type TaskId = string;

export interface SlurmCommands {
  /** Submit a batch script; returns the job id. */
  sbatch(args: readonly string[]): Promise<string>;
  /** State of every task of these array jobs that SLURM still knows (queued, running, or ended within MinJobAge). */
  taskStates(jobIds: readonly string[]): Promise<Map<TaskId, SlurmState>>;
}

function run(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new EcgError('LAUNCHER_FAILED', msg.slurmMissing(command, 'not on PATH'), { cause: error }));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

async function checked(command: string, args: readonly string[]): Promise<string> {
  const { stdout, stderr, code } = await run(command, args);
  if (code !== 0) throw new EcgError('LAUNCHER_FAILED', msg.slurmCommandFailed(`${command} ${args.join(' ')}`, (stderr || stdout).trim() || `exit ${code}`));
  return stdout;
}

/** Expand scontrol's ArrayTaskId (`3`, `0-3`, `1,3,5-7`, `0-7%2`) into indices. */
export function expandTaskRange(text: string): number[] {
  const out: number[] = [];
  for (const part of text.replace(/%\d+$/, '').split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    const end = to !== undefined && Number.isInteger(to) ? to : from;
    for (let i = from; i <= end; i++) out.push(i);
  }
  return out;
}

/** Parse `scontrol show job -o` records into task states. */
export function parseScontrol(text: string): Map<TaskId, SlurmState> {
  const out = new Map<TaskId, SlurmState>();
  for (const line of text.split('\n')) {
    const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(line)?.[1];
    const arrayJob = field('ArrayJobId');
    const tasks = field('ArrayTaskId');
    const state = field('JobState');
    if (!arrayJob || !tasks || !state) continue;
    for (const index of expandTaskRange(tasks)) out.set(`${arrayJob}_${index}`, state);
  }
  return out;
}

/** Parse `squeue --array --format=%F|%K|%T` lines into task states. */
export function parseSqueue(text: string): Map<TaskId, SlurmState> {
  const out = new Map<TaskId, SlurmState>();
  for (const line of text.split('\n')) {
    const [arrayJob, task, state] = line.trim().split('|');
    if (!arrayJob || !task || !state) continue;
    for (const index of expandTaskRange(task)) out.set(`${arrayJob}_${index}`, state);
  }
  return out;
}

export const slurmCommands: SlurmCommands = {
  async sbatch(args) {
    const out = (await checked('sbatch', ['--parsable', ...args])).trim();
    // --parsable prints `<job id>` or `<job id>;<cluster>`.
    const jobId = /^(\d+)/.exec(out)?.[1];
    if (!jobId) throw new EcgError('LAUNCHER_FAILED', msg.sbatchAnswer(out));
    return jobId;
  },
  async taskStates(jobIds) {
    const states = new Map<TaskId, SlurmState>();
    for (const jobId of new Set(jobIds)) {
      // scontrol knows ended tasks too (for MinJobAge); an id it forgot is an error we read as "nothing known".
      const shown = await run('scontrol', ['show', 'job', '-o', jobId]);
      if (shown.code === 0) for (const [task, state] of parseScontrol(shown.stdout)) states.set(task, state);
    }
    if (jobIds.length > 0) {
      // squeue is the authority for what is still queued or running.
      const queued = await run('squeue', ['--noheader', '--array', '--states=all', '--format=%F|%K|%T', `--jobs=${[...new Set(jobIds)].join(',')}`]);
      if (queued.code === 0) for (const [task, state] of parseSqueue(queued.stdout)) states.set(task, state);
    }
    return states;
  },
};
