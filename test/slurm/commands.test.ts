/** What the slurm launcher reads from squeue/scontrol and writes for sbatch; no SLURM needed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandTaskRange, parseScontrol, parseSqueue, isActive } from '../../src/train/launchers/slurm-commands.js';
import { batchScript } from '../../src/train/launchers/slurm.js';

test('array task ranges as scontrol prints them', () => {
  assert.equal(expandTaskRange('3'), [3]);
  assert.equal(expandTaskRange('0-3'), [0, 1, 2, 3]);
  assert.equal(expandTaskRange('1,3,5-7'), [1, 3, 5, 6, 7]);
  assert.equal(expandTaskRange('0-7%2'), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('scontrol show job -o: one state per task, pending ranges expanded', () => {
  const text = [
    'JobId=9 ArrayJobId=9 ArrayTaskId=2-3 JobName=x JobState=PENDING Reason=Resources',
    'JobId=11 ArrayJobId=9 ArrayTaskId=1 JobName=x JobState=RUNNING Reason=None',
    'JobId=10 ArrayJobId=9 ArrayTaskId=0 JobName=x JobState=CANCELLED Reason=None',
  ].join('\n');
  assert.equal(Object.fromEntries(parseScontrol(text)), { '9_2': 'PENDING', '9_3': 'PENDING', '9_1': 'RUNNING', '9_0': 'CANCELLED' });
});

test('squeue --array --format=%F|%K|%T', () => {
  assert.equal(Object.fromEntries(parseSqueue('9|2|PENDING\n9|1|RUNNING\n')), { '9_2': 'PENDING', '9_1': 'RUNNING' });
  assert.ok(isActive('PENDING') && isActive('RUNNING') && isActive('COMPLETING'));
  assert.not.ok(isActive('COMPLETED') || isActive('CANCELLED') || isActive('FAILED') || isActive(undefined));
});

test('the batch script runs the array task\'s cell with the submitting node and flags, quoting intact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-sbatch-'));
  const fake = join(dir, 'fake-node');
  writeFileSync(fake, '#!/bin/bash\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  const script = batchScript({ '0': { ref: 'tiny/s1', cellId: 'c00' }, '2': { ref: "it's/s1", cellId: 'c02' } }, '/runs dir', { command: fake, args: ['--import', 'tsx', '/x/main.ts'], cwd: dir });
  const file = join(dir, 'cells.sbatch');
  writeFileSync(file, script);
  const run = spawnSync('bash', [file], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '2' }, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim().split('\n'), ['--import', 'tsx', '/x/main.ts', 'run-cell', "it's/s1", 'c02', '--runs', '/runs dir']);
  const outside = spawnSync('bash', [file], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '' }, encoding: 'utf8' });
  assert.is.not(outside.status, 0, 'refuses to run outside an array task');
});

test.run();
