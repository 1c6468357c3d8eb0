/**
 * slurm.json beside a sweep's sweep.json: every job the slurm launcher
 * submitted for the sweep, so that `status`, `resume` and a person with
 * `scancel` find them.
 *
 *   { "submissions": [ { "jobId": "17", "kind": "cells",
 *                        "tasks": { "0": "c00", "2": "c02" }, ... } ] }
 *
 * A cells job's array index is the cell's position in sweep.json's cells,
 * so `<jobId>_<index>` names the same cell in every submission.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/fs.js';
import type { RunStore, SweepRun } from '../../tracking/run-store.js';
import type { TaskId } from './slurm-commands.js';

export interface SlurmSubmission {
  jobId: string;
  /** `shared`: the stages several cells share, run once before them; `cells`: one task per cell. */
  kind: 'shared' | 'cells';
  /** Array index -> cell id. */
  tasks: Record<string, string>;
  /** For a shared job: the stages it runs. */
  stages?: string[];
  dependsOn?: string;
  script: string;
  /** Task logs, with %A (job id) and %a (array index) as sbatch writes them. */
  output: string;
  error: string;
  submittedAt: string;
}

export interface SlurmRecord {
  submissions: SlurmSubmission[];
}

export function slurmDir(store: RunStore, sweep: SweepRun): string {
  return join(store.sweepDir(sweep.experiment, sweep.id), 'slurm');
}

function recordFile(store: RunStore, sweep: SweepRun): string {
  return join(store.sweepDir(sweep.experiment, sweep.id), 'slurm.json');
}

export async function readSlurmRecord(store: RunStore, sweep: SweepRun): Promise<SlurmRecord | undefined> {
  const file = recordFile(store, sweep);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as SlurmRecord;
}

export async function addSubmission(store: RunStore, sweep: SweepRun, submission: SlurmSubmission): Promise<void> {
  const record = (await readSlurmRecord(store, sweep)) ?? { submissions: [] };
  await writeJsonAtomic(recordFile(store, sweep), { submissions: [...record.submissions, submission] });
}

export interface CellTask {
  task: TaskId;
  submission: SlurmSubmission;
  /** The task's stdout and stderr files. */
  logs: { out: string; err: string };
}

/** Each cell's latest cells-job task. */
export function latestTasks(record: SlurmRecord | undefined): Map<string, CellTask> {
  const out = new Map<string, CellTask>();
  for (const submission of record?.submissions ?? []) {
    if (submission.kind !== 'cells') continue;
    for (const [index, cellId] of Object.entries(submission.tasks)) {
      const fill = (pattern: string) => pattern.replace('%A', submission.jobId).replace('%a', index);
      out.set(cellId, { task: `${submission.jobId}_${index}`, submission, logs: { out: fill(submission.output), err: fill(submission.error) } });
    }
  }
  return out;
}
