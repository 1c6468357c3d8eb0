/**
 * Sync of a hand-built run store to a real MLflow server: what arrives, that
 * a second sync sends nothing, that a lost confirmation or a server that goes
 * away mid-sync never makes a point arrive twice, and the streaming sink.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, mkdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEcgError } from '../../src/core/errors.js';
import { capturingLogger } from '../../src/core/logger.js';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';
import { MlflowStream } from '../../src/tracking/mlflow/stream.js';
import { MlflowTracker } from '../../src/tracking/mlflow/tracker.js';
import { RunStore, type CellRun, type MetricPoint, type RunStatus, type SweepRun } from '../../src/tracking/run-store.js';
import { KEY_TAG, sentNothing, syncRunStore, type SyncCounts } from '../../src/tracking/mlflow/sync.js';
import { ownedMlflowServerForTests } from '../helpers/mlflow-server.js';

// This file stops and restarts its server, so it always starts its own.
const server = await ownedMlflowServerForTests('mlflow-sync');

const fastRetry = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, totalMs: 3_000, timeoutMs: 10_000 };
const T0 = 1_700_000_000_000;

interface BuiltSweep {
  store: RunStore;
  sweep: SweepRun;
  cells: CellRun[];
  lines: Map<string, number>;
}

async function buildStore(root: string, experiment: string, cells: number, pointsPerCell: number, statuses: RunStatus[] = []): Promise<BuiltSweep> {
  const store = new RunStore(root);
  const sweep = await store.createSweep({
    experiment,
    experimentPath: `experiments/${experiment}.yaml`,
    status: 'running',
    args: ['render.noise=0,0.25,0.5,1'],
    stages: ['render', 'classifier2d'],
    cells: Array.from({ length: cells }, (_, i) => ({ id: `c${i}`, overrides: { 'render.noise': i / 4 }, group: `g${i}` })),
    tags: { 'git.commit': 'deadbeef', 'git.dirty': 'false' },
  });
  const built: CellRun[] = [];
  const lines = new Map<string, number>();
  for (let i = 0; i < cells; i++) {
    const cell: CellRun = {
      id: `${sweep.id}/c${i}`,
      experiment,
      sweepId: sweep.id,
      cellId: `c${i}`,
      overrides: { 'render.noise': i / 4 },
      group: `g${i}`,
      status: statuses[i] ?? 'finished',
      createdAt: new Date(T0).toISOString(),
      startedAt: new Date(T0 + 1000).toISOString(),
      endedAt: new Date(T0 + 60_000).toISOString(),
      params: { 'render.noise': i / 4, 'model.hierarchy': i % 2 === 0, 'data.source': 'synthetic', 'train.lr': 0.001 },
      tags: { 'git.commit': 'deadbeef', 'ecg-lab.configHash': `hash${i}`, 'ecg-lab.cell': `c${i}` },
      stages: {},
    };
    await store.writeCell(cell);
    await store.writeCellConfig(cell, `render:\n  noise: ${i / 4}\n`);
    await store.appendMetrics(cell, points(pointsPerCell, 0));
    const artifacts = store.artifactsDir(cell);
    await mkdir(join(artifacts, 'plots'), { recursive: true });
    await writeFile(join(artifacts, 'plots', 'snr.svg'), `<svg id="c${i}"/>`);
    await writeFile(join(artifacts, 'weights.bin'), new Uint8Array(1000 + i));
    built.push(cell);
    lines.set(cell.cellId, pointsPerCell);
  }
  await store.writeSweep({ ...sweep, status: statuses.includes('failed') ? 'failed' : 'finished' });
  return { store, sweep, cells: built, lines };
}

/** n points over three metrics, with distinct timestamps from `offset` on. */
function points(n: number, offset: number): MetricPoint[] {
  const names = ['loss', 'snr/II', 'f1/macro'];
  return Array.from({ length: n }, (_, j) => {
    const k = offset + j;
    return { name: names[k % 3] as string, value: k % 17 === 0 ? Number.NaN : k / 100, step: Math.floor(k / 3), timestamp: T0 + k };
  });
}

/** A child run's cell id, from its key tag (its name is its overrides). */
function cellOf(run: { tags: Record<string, string> }): string {
  return (run.tags[KEY_TAG] ?? '').split('/').pop() as string;
}

/** The server's copy: child runs by cell id, with their point counts. */
async function serverView(client: MlflowClient, experiment: string, sweepId: string) {
  const exp = await client.getExperimentByName(experiment);
  assert.ok(exp, `experiment ${experiment} on the server`);
  const runs = await client.searchAllRuns({ experimentIds: [exp.experimentId] });
  const parents = runs.filter((r) => r.tags[KEY_TAG] === `${experiment}/${sweepId}`);
  const children = runs.filter((r) => r.tags['mlflow.parentRunId'] !== undefined);
  const pointsByCell = new Map<string, number>();
  for (const child of children) {
    let n = 0;
    for (const name of ['loss', 'snr/II', 'f1/macro']) n += (await client.getMetricHistory(child.info.runId, name)).length;
    pointsByCell.set(cellOf(child), n);
  }
  return { runs, parents, children, pointsByCell };
}

function sum(counts: SyncCounts[], key: keyof SyncCounts): number {
  return counts.reduce((a, c) => a + c[key], 0);
}

/** A fetch that counts metric points posted to log-batch and can fail on cue. */
function instrumentedFetch(hooks: { afterLogBatch?: (n: number) => Promise<void> | void } = {}) {
  const posted = { points: 0, logBatches: 0 };
  const wrapped: typeof fetch = async (input, init) => {
    const url = String(input);
    const isLogBatch = url.includes('/runs/log-batch');
    const response = await fetch(input, init);
    if (isLogBatch) {
      posted.logBatches++;
      const body = JSON.parse(String(init?.body)) as { metrics?: unknown[] };
      if (response.ok) posted.points += body.metrics?.length ?? 0;
      await hooks.afterLogBatch?.(posted.logBatches);
    }
    return response;
  };
  return { posted, fetch: wrapped };
}

if (server) {
  const tmp = await mkdtemp(join(tmpdir(), 'ecg-lab-sync-'));
  test.after(async () => {
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  test('a 4-cell sweep arrives as a parent with 4 children: params, tags, full histories, artifacts, status; a second sync sends nothing', async () => {
    const built = await buildStore(join(tmp, 'a'), 'ablation-a', 4, 1234, ['finished', 'finished', 'failed', 'killed']);
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    const counts = await syncRunStore(join(tmp, 'a'), client, { user: 'tester' });
    assert.is(counts.runsCreated, 5);
    assert.is(counts.metrics, 4 * 1234);
    assert.is(counts.artifacts, 4 * 3);

    const view = await serverView(client, 'ablation-a', built.sweep.id);
    assert.is(view.parents.length, 1);
    const parent = view.parents[0]!;
    assert.is(parent.info.status, 'FAILED');
    assert.is(parent.info.runName, built.sweep.id);
    assert.equal(parent.params, { 'data.source': 'synthetic', 'train.lr': '0.001' }, 'the parent has the params its cells share: not the swept render.noise, nor model.hierarchy, which differs');
    assert.is(view.children.length, 4);
    for (const child of view.children) {
      const cellId = cellOf(child);
      assert.is(child.info.runName, `render.noise=${Number(cellId.slice(1)) / 4}`, 'a child is named by its overrides');
      assert.is(child.tags['mlflow.parentRunId'], parent.info.runId);
      assert.is(child.tags['mlflow.source.git.commit'], 'deadbeef');
      assert.is(child.tags['mlflow.user'], 'tester');
      assert.is(child.tags['ecg-lab.cell'], cellId);
      assert.is(child.params['data.source'], 'synthetic');
      assert.is(child.params['train.lr'], '0.001');
      assert.is(child.params['render.noise'], String(Number(cellId.slice(1)) / 4));
      assert.is(view.pointsByCell.get(cellId), built.lines.get(cellId));
      const files = (await client.listArtifactsDeep(child.info)).map((f) => f.path).sort();
      assert.equal(files, ['config.yaml', 'plots/snr.svg', 'weights.bin']);
      assert.is(new TextDecoder().decode(await client.downloadArtifact(child.info, 'plots/snr.svg')), `<svg id="${cellId}"/>`);
    }
    const status = Object.fromEntries(view.children.map((c) => [cellOf(c), c.info.status]));
    assert.equal(status, { c0: 'FINISHED', c1: 'FINISHED', c2: 'FAILED', c3: 'KILLED' });
    const loss = await client.getMetricHistory(view.children.find((c) => cellOf(c) === 'c0')!.info.runId, 'loss');
    assert.ok(loss.some((m) => Number.isNaN(m.value)), 'NaN points arrive as NaN');

    const again = await syncRunStore(join(tmp, 'a'), client);
    assert.ok(sentNothing(again), JSON.stringify(again));
    const after = await serverView(client, 'ablation-a', built.sweep.id);
    assert.is(after.runs.length, view.runs.length);
    assert.equal([...after.pointsByCell].sort(), [...view.pointsByCell].sort());

    // New lines appended later: only those are sent.
    await built.store.appendMetrics(built.cells[1]!, points(50, 1234));
    const more = await syncRunStore(join(tmp, 'a'), client);
    assert.is(more.metrics, 50);
    assert.is(more.runsCreated, 0);
    assert.is((await serverView(client, 'ablation-a', built.sweep.id)).pointsByCell.get('c1'), 1284);
  });

  test('a batch accepted by the server whose answer was lost is not sent again', async () => {
    const built = await buildStore(join(tmp, 'b'), 'ablation-b', 1, 2500);
    const lossy = instrumentedFetch({
      afterLogBatch: (n) => {
        // Requests 1 and 2 carry the parent's and the cell's params and tags; the 4th is the 2nd metric batch.
        if (n === 4) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      },
    });
    const first = new MlflowClient({ uri: server.uri, retry: { ...fastRetry, attempts: 1 }, fetch: lossy.fetch });
    await syncRunStore(join(tmp, 'b'), first, { metricsPerRequest: 1000 }).then(
      () => assert.unreachable('the first sync should fail'),
      (error: unknown) => assert.ok(isEcgError(error, 'MLFLOW_UNREACHABLE'), String(error)),
    );
    const state = JSON.parse(await readFile(join(built.store.cellDir('ablation-b', built.sweep.id, 'c0'), 'mlflow.json'), 'utf8'));
    const recorded = Object.values(state.servers)[0] as { metricLines: number; pending?: { fromLine: number; toLine: number } };
    assert.is(recorded.metricLines, 1000);
    assert.equal(recorded.pending && [recorded.pending.fromLine, recorded.pending.toLine], [1000, 2000]);

    const counting = instrumentedFetch();
    const logger = capturingLogger();
    const second = new MlflowClient({ uri: server.uri, retry: fastRetry, fetch: counting.fetch });
    const counts = await syncRunStore(join(tmp, 'b'), second, { logger });
    assert.is(counts.metrics, 500, 'only the last 500 lines are new to the server');
    assert.is(counting.posted.points, 500);
    assert.ok(logger.lines.some((l) => /1000 point\(s\) had landed, 0 resent/.test(l.message)), JSON.stringify(logger.lines));
    const view = await serverView(second, 'ablation-b', built.sweep.id);
    assert.is(view.pointsByCell.get('c0'), 2500);
    assert.is(lossy.posted.points + counting.posted.points, 2500, 'every point posted exactly once');
  });

  test('server stopped mid-sync, then restarted: the next sync completes with no point sent twice; a third sends nothing', async () => {
    const built = await buildStore(join(tmp, 'c'), 'ablation-c', 4, 600);
    let halted = false;
    const dying = instrumentedFetch({
      afterLogBatch: async (n) => {
        if (n === 7 && !halted) {
          halted = true;
          await server.halt();
        }
      },
    });
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry, fetch: dying.fetch });
    const logger = capturingLogger();
    await syncRunStore(join(tmp, 'c'), client, { metricsPerRequest: 100, logger }).then(
      () => assert.unreachable('the sync should fail while the server is down'),
      (error: unknown) => {
        assert.ok(isEcgError(error, 'MLFLOW_UNREACHABLE'), String(error));
        assert.match((error as Error).message, server.uri);
      },
    );
    await server.start();
    const counting = instrumentedFetch();
    const again = new MlflowClient({ uri: server.uri, retry: fastRetry, fetch: counting.fetch });
    const second = await syncRunStore(join(tmp, 'c'), again, { metricsPerRequest: 100 });
    assert.ok(second.metrics > 0);
    assert.is(dying.posted.points + counting.posted.points, 4 * 600, 'every point posted exactly once');
    const view = await serverView(again, 'ablation-c', built.sweep.id);
    assert.is(view.children.length, 4);
    assert.is(view.parents.length, 1);
    for (const cell of built.cells) assert.is(view.pointsByCell.get(cell.cellId), 600);
    assert.ok(sentNothing(await syncRunStore(join(tmp, 'c'), again)));
  });

  test('a lost state file: the run is found by its key tag, not duplicated, and no point is sent twice', async () => {
    const built = await buildStore(join(tmp, 'd'), 'ablation-d', 1, 300);
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    await syncRunStore(join(tmp, 'd'), client);
    await rm(join(built.store.cellDir('ablation-d', built.sweep.id, 'c0'), 'mlflow.json'));
    await rm(join(built.store.sweepDir('ablation-d', built.sweep.id), 'mlflow.json'));
    const counts = await syncRunStore(join(tmp, 'd'), client);
    assert.is(counts.runsCreated, 0);
    assert.is(counts.metrics, 0);
    const view = await serverView(client, 'ablation-d', built.sweep.id);
    assert.is(view.runs.length, 2);
    assert.is(view.pointsByCell.get('c0'), 300);
  });

  test('stream: sends as the cell grows; a server gone mid-run gives one warning and no error; sync completes it', async () => {
    const root = join(tmp, 'e');
    const store = new RunStore(root);
    const sweep = await store.createSweep({
      experiment: 'streamed',
      experimentPath: 'experiments/streamed.yaml',
      status: 'running',
      args: [],
      stages: ['train'],
      cells: [{ id: 'c0', overrides: {}, group: 'c0' }],
      tags: {},
    });
    const cell: CellRun = {
      id: `${sweep.id}/c0`,
      experiment: 'streamed',
      sweepId: sweep.id,
      cellId: 'c0',
      overrides: {},
      group: 'c0',
      status: 'running',
      createdAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      params: { 'train.epochs': 3 },
      tags: {},
      stages: {},
    };
    await store.writeCell(cell);
    const logger = capturingLogger();
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    const stream = new MlflowStream({ client, runsDir: root, experiment: 'streamed', sweepId: sweep.id, logger, intervalMs: 10 });
    await stream.open();
    for (let epoch = 0; epoch < 5; epoch++) {
      await store.appendMetrics(cell, points(20, epoch * 20));
      stream.notify('c0');
    }
    await stream.flush();
    const exp = await client.getExperimentByName('streamed');
    const [child] = await client.searchAllRuns({ experimentIds: [exp!.experimentId], filter: `tags.\`ecg-lab.key\` = 'streamed/${sweep.id}/c0'` });
    assert.ok(child);
    assert.is(child.info.status, 'RUNNING');
    assert.is(stream.counts.metrics, 100);

    await server.halt();
    for (let epoch = 5; epoch < 8; epoch++) {
      await store.appendMetrics(cell, points(20, epoch * 20));
      stream.notify('c0');
    }
    await store.writeCell({ ...cell, status: 'finished', endedAt: new Date().toISOString() });
    await store.writeSweep({ ...sweep, status: 'finished' });
    stream.notify('c0');
    await stream.close();
    assert.not.ok(stream.active);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    assert.is(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.message, /ecg-lab sync/);

    await server.start();
    const counts = await syncRunStore(root, client);
    assert.is(counts.metrics, 60);
    assert.is((await client.getRun(child.info.runId)).info.status, 'FINISHED');
    let total = 0;
    for (const name of ['loss', 'snr/II', 'f1/macro']) total += (await client.getMetricHistory(child.info.runId, name)).length;
    assert.is(total, 160);
    assert.ok(sentNothing(await syncRunStore(root, client)));
  });

  test('tracker: the RunTracker hooks of the runner stream a 2-cell sweep; a later sync sends nothing', async () => {
    const root = join(tmp, 'f');
    const built = await buildStore(root, 'tracked', 2, 0, ['running', 'running']);
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    const tracker = new MlflowTracker({ client, runsDir: root, intervalMs: 10 });
    await tracker.sweepStarted(built.sweep);
    for (const cell of built.cells) {
      await tracker.cellStarted(built.sweep, cell);
      const pts = points(40, 0);
      await built.store.appendMetrics(cell, pts);
      await tracker.metricsLogged(built.sweep, cell, pts);
      const ended: CellRun = { ...cell, status: 'finished', endedAt: new Date().toISOString() };
      await built.store.writeCell(ended);
      await tracker.cellEnded(built.sweep, ended);
    }
    const done: SweepRun = { ...built.sweep, status: 'finished' };
    await built.store.writeSweep(done);
    await tracker.sweepEnded(done);
    const view = await serverView(client, 'tracked', built.sweep.id);
    assert.is(view.parents[0]?.info.status, 'FINISHED');
    assert.equal(Object.fromEntries(view.pointsByCell), { c0: 40, c1: 40 });
    assert.ok(view.children.every((c) => c.info.status === 'FINISHED'));
    assert.ok(sentNothing(await syncRunStore(root, client)));
  });

  test.run();
}
