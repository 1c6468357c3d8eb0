/**
 * Issue 7's "done when", end to end through the `ecg-lab` command and a real
 * MLflow server: a 4-cell sweep streams as one parent run with 4 children;
 * a server that goes away mid-sweep loses nothing (`sync` completes it, a
 * second `sync` sends nothing); a wrong URI or a server answering 500 leaves
 * runs complete locally with a clear message.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliSpawn } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, metricLines, TINY } from '../helpers/tiny-runs.js';
import { ownedMlflowServerForTests, type OwnedMlflowServer } from '../helpers/mlflow-server.js';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';
import type { Run } from '../../src/tracking/mlflow/types.js';

let server: OwnedMlflowServer | undefined;

test.before(async () => {
  server = await ownedMlflowServerForTests('mlflow-run');
});

test.after(async () => {
  await server?.stop();
});

async function sweepRuns(client: MlflowClient, experiment: string, sweepId: string): Promise<{ parent: Run; children: Run[] }> {
  const exp = await client.getExperimentByName(experiment);
  assert.ok(exp, `experiment ${experiment} on the server`);
  const runs = await client.searchAllRuns({ experimentIds: [exp!.experimentId] });
  const ofSweep = runs.filter((r) => r.tags['ecg-lab.sweep'] === sweepId || r.info.runName === sweepId);
  const parent = ofSweep.find((r) => r.tags['mlflow.parentRunId'] === undefined);
  assert.ok(parent, 'a parent run for the sweep');
  const children = runs.filter((r) => r.tags['mlflow.parentRunId'] === parent!.info.runId);
  return { parent: parent!, children };
}

async function pointCount(client: MlflowClient, run: Run, names: readonly string[]): Promise<number> {
  let n = 0;
  for (const name of names) n += (await client.getMetricHistory(run.info.runId, name)).length;
  return n;
}

test('a 4-cell sweep streams to MLflow: one parent, 4 children with params, tags, full histories, artifacts', async () => {
  if (!server) return;
  const { runs, env } = tinyEnv({ MLFLOW_TRACKING_URI: server.uri, TINY_EPOCH_MS: '20' });
  const r = cli(['run', TINY, 'render.noise=0,0.5', 'model.hierarchy=true,false', 'train.epochs=5'], { env });
  assert.is(r.status, 0, r.stderr);
  const [sweep] = sweepsIn(runs, 'tiny');
  const client = new MlflowClient({ uri: server.uri });
  const { parent, children } = await sweepRuns(client, 'tiny', sweep!.id);
  assert.is(children.length, 4);
  assert.is(parent.params['train.epochs'], '5', 'the parent has the params the cells share');
  assert.is(parent.params['data.records'], '8');
  assert.is(parent.params['render.noise'], undefined, 'a swept key is no parent param');
  assert.equal(children.map((c) => c.info.runName).sort(), [
    'render.noise=0,model.hierarchy=false',
    'render.noise=0,model.hierarchy=true',
    'render.noise=0.5,model.hierarchy=false',
    'render.noise=0.5,model.hierarchy=true',
  ]);
  for (const child of children) {
    const cellId = child.tags['ecg-lab.cell'] as string;
    assert.ok(cellId, 'child carries its cell id');
    assert.is(child.info.status, 'FINISHED');
    const localRun = JSON.parse(readFileSync(join(runs, 'tiny', sweep!.id, 'cells', cellId, 'run.json'), 'utf8'));
    assert.is(child.params['render.noise'], String(localRun.overrides['render.noise']));
    assert.is(child.params['model.hierarchy'], String(localRun.overrides['model.hierarchy']));
    assert.ok(child.params['model.hierarchy'] !== undefined && child.params['data.records'] === '8', 'flattened config as params');
    assert.ok(child.tags['mlflow.source.git.commit'] !== undefined || child.tags['git.commit'] !== undefined, 'git commit tag');
    assert.ok(child.tags['ecg-lab.configHash'], 'config hash tag');
    const local = metricLines(runs, 'tiny', sweep!.id, cellId);
    const names = [...new Set(local.map((m) => m.name))];
    assert.is(await pointCount(client, child, names), local.length, `cell ${cellId}: server history has every local point`);
    const artifacts = await client.listArtifactsDeep(child.info);
    assert.ok(artifacts.some((a) => a.path.endsWith('tiny-train/model.json')), 'the cell artifact was uploaded');
  }
  const again = cli(['sync'], { env });
  assert.is(again.status, 0, again.stderr);
  assert.ok(again.stdout.includes('already up to date'), again.stdout);
});

test('server gone mid-sweep: the sweep finishes locally, sync completes the server copy, a second sync sends nothing', async () => {
  if (!server) return;
  const { runs, env } = tinyEnv({ MLFLOW_TRACKING_URI: server.uri, TINY_EPOCH_MS: '250' });
  const child = cliSpawn(['run', TINY, 'render.noise=0,0.25,0.5,0.75', 'train.epochs=4'], { env });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  // Let the first cell reach the server, then take it away until the sweep ends.
  const until = Date.now() + 60_000;
  while (!stderr.includes('c00 tiny-train') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  await server.halt();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.is(code, 0, stderr);
  const [sweep] = sweepsIn(runs, 'tiny');
  assert.ok(sweep!.cells.every((c) => c.status === 'finished'), 'every cell finished locally');
  await server.start();
  const first = cli(['sync'], { env });
  assert.is(first.status, 0, first.stderr);
  assert.not.ok(first.stdout.includes('already up to date'), 'the first sync had work to do');
  const second = cli(['sync'], { env });
  assert.is(second.status, 0, second.stderr);
  assert.ok(second.stdout.includes('already up to date'), second.stdout);
  const client = new MlflowClient({ uri: server.uri });
  const { parent, children } = await sweepRuns(client, 'tiny', sweep!.id);
  assert.is(children.length, 4);
  assert.is(parent.params['train.epochs'], '4', 'sync gives the parent the params the cells share');
  assert.equal(children.map((c) => c.info.runName).sort(), ['render.noise=0', 'render.noise=0.25', 'render.noise=0.5', 'render.noise=0.75']);
  for (const run of children) {
    const cellId = run.tags['ecg-lab.cell'] as string;
    const local = metricLines(runs, 'tiny', sweep!.id, cellId);
    assert.is(await pointCount(client, run, [...new Set(local.map((m) => m.name))]), local.length, `cell ${cellId}: no point lost or doubled`);
    assert.is(run.info.status, 'FINISHED');
  }
});

test('wrong URI: a clear message, the run completes locally', () => {
  const { runs, env } = tinyEnv({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' });
  const r = cli(['run', TINY], { env });
  assert.is(r.status, 0, r.stderr);
  assert.ok(/127\.0\.0\.1:9/.test(r.stderr) && /warning/.test(r.stderr), r.stderr);
  assert.is(sweepsIn(runs, 'tiny')[0]!.status, 'finished');
  const sync = cli(['sync'], { env });
  assert.is(sync.status, 1);
  assert.ok(sync.stderr.includes('127.0.0.1:9'), sync.stderr);
});

test('a server answering 500: a clear message, the run completes locally', async () => {
  const broken: Server = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'database is locked' }));
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  const port = (broken.address() as { port: number }).port;
  try {
    const { runs, env } = tinyEnv({ MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` });
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = cliSpawn(['run', TINY], { env });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += String(d)));
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    assert.is(r.code, 0, r.stderr);
    assert.ok(/500|INTERNAL_ERROR|database is locked/.test(r.stderr), r.stderr);
    assert.is(sweepsIn(runs, 'tiny')[0]!.status, 'finished');
  } finally {
    broken.close();
  }
});

test.run();
