/**
 * Issue 9's "done when", through the `ecg-lab` command and a real
 * single-node SLURM (scripts/slurm-setup.sh) and a real MLflow server:
 * a 4-cell sweep runs as a job array to completion, its shared stages once,
 * all cells under one parent run; a task killed by scancel (SIGTERM, and
 * SIGKILL) is reported killed by `status` and finished by `resume`.
 *
 * Without SLURM (no sbatch, or no answer from the controller) the file is
 * skipped with the reason printed, except under CI=true, where it fails.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, TINY } from '../helpers/tiny-runs.js';
import { mlflowServerForTests, type MlflowTestServer } from '../helpers/mlflow-server.js';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function slurmMissing(): string | undefined {
  const sbatch = spawnSync('sbatch', ['--version'], { encoding: 'utf8' });
  if (sbatch.error || sbatch.status !== 0) return 'sbatch is not installed';
  const sinfo = spawnSync('sinfo', ['--noheader', '--format=%t'], { encoding: 'utf8', timeout: 15_000 });
  if (sinfo.status !== 0 || !/idle|mix|alloc/.test(sinfo.stdout)) return `no SLURM node answers (sinfo: ${(sinfo.stderr || sinfo.stdout).trim()})`;
  return undefined;
}

const missing = slurmMissing();
if (missing) {
  const reason = `${missing}; start a single-node SLURM with: sudo bash scripts/slurm-setup.sh`;
  if (process.env.CI === 'true') throw new Error(`test/slurm: needs a real SLURM, and ${reason}`);
  console.log(`SKIP test/slurm: ${reason}`);
}

let server: MlflowTestServer | undefined;

test.before(async () => {
  if (!missing) server = await mlflowServerForTests('slurm launcher');
});

test.after(async () => {
  await server?.stop();
});

interface StatusLine {
  cell: string;
  state: string;
  stored: string;
  task?: string;
  slurm?: string;
}

function status(ref: string, env: Record<string, string>): StatusLine[] {
  const r = cli(['status', ref, '--json'], { env });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as StatusLine);
}

function cacheEntries(runs: string, stage: string): string[] {
  const dir = join(runs, '.cache', stage);
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
}

function runJson(runs: string, sweepId: string, cellId: string): { status: string; pid: number; error?: string; stages: Record<string, { status: string }> } {
  return JSON.parse(readFileSync(join(runs, 'tiny', sweepId, 'cells', cellId, 'run.json'), 'utf8'));
}

test('a 4-cell sweep runs as a SLURM job array: shared stages once, every cell finished, one parent run in MLflow', async () => {
  if (missing) return;
  const { runs, env } = tinyEnv(server ? { MLFLOW_TRACKING_URI: server.uri } : {});
  const r = cli(['run', TINY, 'model.hierarchy=true,false', 'train.epochs=2,3', '--launcher', 'slurm', '--slurm.cpus', '1'], { env });
  assert.is(r.status, 0, r.stderr);
  const [sweep] = sweepsIn(runs, 'tiny');
  assert.ok(sweep, 'a sweep in the run store');
  assert.is(sweep!.status, 'finished', r.stderr);
  assert.is(sweep!.cells.length, 4);
  for (const cell of sweep!.cells) {
    assert.is(cell.status, 'finished', `cell ${cell.id}`);
    // The shared job filled the cache before any cell started: every cell read them from it.
    assert.ok(cell.stages['tiny-data']?.cached && cell.stages['tiny-render']?.cached, `cell ${cell.id}: shared stages from the cache`);
    assert.is(cell.stages['tiny-train']?.cached, false, `cell ${cell.id}: its own stage ran`);
  }
  assert.is(cacheEntries(runs, 'tiny-data').length, 1, 'tiny-data computed once');
  assert.is(cacheEntries(runs, 'tiny-render').length, 1, 'tiny-render computed once');
  assert.is(cacheEntries(runs, 'tiny-train').length, 4);

  const record = JSON.parse(readFileSync(join(runs, 'tiny', sweep!.id, 'slurm.json'), 'utf8')) as {
    submissions: { jobId: string; kind: string; dependsOn?: string; tasks: Record<string, string> }[];
  };
  const [shared, cells] = record.submissions;
  assert.is(shared?.kind, 'shared');
  assert.equal(shared?.tasks, { '0': 'c00' });
  assert.is(cells?.kind, 'cells');
  assert.is(cells?.dependsOn, shared?.jobId, 'the array runs after the shared job (afterok)');
  assert.equal(Object.values(cells!.tasks).sort(), ['c00', 'c01', 'c02', 'c03']);
  for (const index of Object.keys(cells!.tasks)) {
    assert.ok(existsSync(join(runs, 'tiny', sweep!.id, 'slurm', `cells-${cells!.jobId}_${index}.err`)), `task ${index} log in the sweep folder`);
  }
  const lines = status(`tiny/${sweep!.id}`, env);
  assert.equal(lines.map((l) => [l.cell, l.state, l.task]), ['c00', 'c01', 'c02', 'c03'].map((c, i) => [c, 'finished', `${cells!.jobId}_${i}`]));

  if (!server) return;
  const client = new MlflowClient({ uri: server.uri });
  const exp = await client.getExperimentByName('tiny');
  assert.ok(exp, 'experiment tiny on the server');
  const all = await client.searchAllRuns({ experimentIds: [exp!.experimentId] });
  const parents = all.filter((run) => run.tags['mlflow.parentRunId'] === undefined && (run.tags['ecg-lab.sweep'] === sweep!.id || run.info.runName === sweep!.id));
  assert.is(parents.length, 1, 'one parent run for the sweep');
  const children = all.filter((run) => run.tags['mlflow.parentRunId'] === parents[0]!.info.runId);
  assert.equal(children.map((c) => c.tags['ecg-lab.cell']).sort(), ['c00', 'c01', 'c02', 'c03']);
  for (const child of children) assert.is(child.info.status, 'FINISHED', `child ${child.tags['ecg-lab.cell']}`);
  assert.is(parents[0]!.info.status, 'FINISHED');
});

test('scancel: a task killed by SIGTERM or SIGKILL is reported killed by status and finished by resume --launcher slurm', async () => {
  if (missing) return;
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '300' });
  const r = cli(['run', TINY, 'render.noise=0,0.5', 'train.epochs=20', '--launcher', 'slurm', '--no-wait'], { env });
  assert.is(r.status, 0, r.stderr);
  assert.ok(/running/.test(r.stdout), r.stdout);
  const [sweep] = sweepsIn(runs, 'tiny');
  const ref = `tiny/${sweep!.id}`;
  const record = JSON.parse(readFileSync(join(runs, 'tiny', sweep!.id, 'slurm.json'), 'utf8')) as { submissions: { jobId: string; kind: string }[] };
  const jobId = record.submissions.find((s) => s.kind === 'cells')!.jobId;

  // Both cells training: one gets scancel's SIGTERM, the other a SIGKILL it cannot answer.
  const until = Date.now() + 60_000;
  while (Date.now() < until && !['c00', 'c01'].every((c) => runJson(runs, sweep!.id, c).stages['tiny-train']?.status === 'running')) await sleep(200);
  assert.ok(['c00', 'c01'].every((c) => runJson(runs, sweep!.id, c).status === 'running'), 'both cells running');
  assert.is(spawnSync('scancel', [`${jobId}_0`]).status, 0);
  // SLURM's own SIGKILL comes after scancel's SIGTERM and KillWait; a cell that ignored the SIGTERM dies the same way as this.
  const { pid } = runJson(runs, sweep!.id, 'c01');
  process.kill(pid, 'SIGKILL');
  while (Date.now() < until && /\S/.test(spawnSync('squeue', ['--noheader', `--jobs=${jobId}`], { encoding: 'utf8' }).stdout)) await sleep(300);

  // SIGTERM: the cell itself wrote `killed`; SIGKILL: run.json still says running, status finds the task gone.
  assert.is(runJson(runs, sweep!.id, 'c00').status, 'killed');
  assert.is(runJson(runs, sweep!.id, 'c01').status, 'running');
  const lines = status(ref, env);
  assert.equal(lines.map((l) => [l.cell, l.state]), [['c00', 'killed'], ['c01', 'killed']]);
  assert.is(runJson(runs, sweep!.id, 'c01').status, 'killed', 'status wrote the SIGKILLed cell as killed');
  assert.is(sweepsIn(runs, 'tiny')[0]!.status, 'killed');

  const resumed = cli(['resume', ref, '--launcher', 'slurm'], { env: { ...env, TINY_EPOCH_MS: '20' } });
  assert.is(resumed.status, 0, resumed.stderr);
  assert.ok(resumed.stderr.includes('2 of 2 cell(s) to finish'), resumed.stderr);
  assert.equal(status(ref, env).map((l) => [l.cell, l.state]), [['c00', 'finished'], ['c01', 'finished']]);
  assert.is(sweepsIn(runs, 'tiny')[0]!.status, 'finished');
});

test.run();
