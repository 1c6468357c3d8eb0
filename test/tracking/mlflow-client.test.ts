/** The MLflow client against a real tracking server (see test/helpers/mlflow-server.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient, SYSTEM_TAGS } from '../../src/tracking/mlflow/client.js';
import { isMlflowError } from '../../src/tracking/mlflow/http.js';
import { LOG_BATCH_LIMITS } from '../../src/tracking/mlflow/batch.js';
import { mlflowServerForTests } from '../helpers/mlflow-server.js';

const server = await mlflowServerForTests('mlflow-client');

if (server) {
  const client = new MlflowClient({ uri: server.uri });
  const unique = `client-${process.pid}-${Date.now()}`;

  test.after(async () => {
    await server.stop();
  });

  test('experiments: get-by-name is undefined until created, then get-or-create is idempotent', async () => {
    assert.is(await client.getExperimentByName(`${unique}-missing`), undefined);
    const first = await client.getOrCreateExperiment(`${unique}-exp`);
    const second = await client.getOrCreateExperiment(`${unique}-exp`);
    assert.is(first.experimentId, second.experimentId);
    assert.is(first.name, `${unique}-exp`);
    assert.match(first.artifactLocation, /^mlflow-artifacts:/);
  });

  test('runs: system tags, nested runs, update and terminate', async () => {
    const exp = await client.getOrCreateExperiment(`${unique}-runs`);
    const parent = await client.createRun({
      experimentId: exp.experimentId,
      runName: 'sweep-1',
      startTime: 1_700_000_000_000,
      gitCommit: 'abc123',
      user: 'researcher',
      tags: { 'ecg_lab.sweep': 'sweep-1' },
    });
    assert.is(parent.status, 'RUNNING');
    assert.is(parent.startTime, 1_700_000_000_000);
    const children = [];
    for (const cell of ['c0', 'c1', 'c2']) {
      children.push(await client.createRun({ experimentId: exp.experimentId, runName: cell, parentRunId: parent.runId }));
    }
    const got = await client.getRun(parent.runId);
    assert.is(got.tags[SYSTEM_TAGS.runName], 'sweep-1');
    assert.is(got.tags[SYSTEM_TAGS.gitCommit], 'abc123');
    assert.is(got.tags[SYSTEM_TAGS.user], 'researcher');
    assert.is(got.tags['ecg_lab.sweep'], 'sweep-1');
    const nested = await client.searchAllRuns({
      experimentIds: [exp.experimentId],
      filter: `tags.mlflow.parentRunId = '${parent.runId}'`,
    });
    assert.equal(nested.map((r) => r.info.runName).sort(), ['c0', 'c1', 'c2']);

    const failed = await client.terminateRun(children[0]!.runId, 'FAILED', 1_700_000_100_000);
    assert.is(failed.status, 'FAILED');
    assert.is(failed.endTime, 1_700_000_100_000);
    assert.is((await client.terminateRun(children[1]!.runId, 'KILLED')).status, 'KILLED');
    assert.is((await client.terminateRun(parent.runId, 'FINISHED')).status, 'FINISHED');
    assert.is((await client.getRun(parent.runId)).info.status, 'FINISHED');
  });

  test('log-batch: 2500 metrics, 250 params and 150 tags are split within the limits and all arrive', async () => {
    const exp = await client.getOrCreateExperiment(`${unique}-batch`);
    const run = await client.createRun({ experimentId: exp.experimentId, runName: 'big' });
    const metrics = Array.from({ length: 2500 }, (_, i) => ({
      key: i % 2 === 0 ? 'loss' : 'snr/II',
      value: i / 10,
      timestamp: 1_700_000_000_000 + i,
      step: Math.floor(i / 2),
    }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `model.layer${i}.width`, value: String(i) }));
    const tags = Array.from({ length: 150 }, (_, i) => ({ key: `tag.${i}`, value: `v${i}` }));
    const result = await client.logBatch(run.runId, { metrics, params, tags });
    // Params need three requests (100 + 100 + 50); the metrics fill the rest of each
    // request's 1000 entities (800 + 850 + 950 >= 2500), so three in all.
    assert.is(result.requests, 3);
    assert.equal(result.truncatedParams, []);
    const loss = await client.getMetricHistory(run.runId, 'loss');
    const snr = await client.getMetricHistory(run.runId, 'snr/II');
    assert.is(loss.length, 1250);
    assert.is(snr.length, 1250);
    assert.equal(
      loss.map((m) => m.step),
      Array.from({ length: 1250 }, (_, i) => i),
    );
    const got = await client.getRun(run.runId);
    assert.is(Object.keys(got.params).length, 250);
    assert.is(got.params['model.layer249.width'], '249');
    assert.is(got.tags['tag.149'], 'v149');
  });

  test('log-batch: a param over the length limit is truncated with a marker and reported; NaN survives', async () => {
    const exp = await client.getOrCreateExperiment(`${unique}-long`);
    const run = await client.createRun({ experimentId: exp.experimentId });
    const long = 'x'.repeat(LOG_BATCH_LIMITS.paramValueLength + 500);
    const result = await client.logBatch(run.runId, {
      params: [{ key: 'data.records', value: long }, { key: 'short', value: 'ok' }],
      metrics: [{ key: 'snr/V1', value: Number.NaN, timestamp: 1, step: 0 }],
    });
    assert.equal(result.truncatedParams, ['data.records']);
    const got = await client.getRun(run.runId);
    const stored = got.params['data.records'] ?? '';
    assert.is(stored.length, LOG_BATCH_LIMITS.paramValueLength);
    assert.match(stored, /truncated from 6500 chars; full value in artifact params\/data\.records\.txt\]$/);
    assert.is(got.params.short, 'ok');
    const history = await client.getMetricHistory(run.runId, 'snr/V1');
    assert.is(history.length, 1);
    assert.ok(Number.isNaN(history[0]!.value));
  });

  test('a 4xx carries MLflow error_code and message', async () => {
    try {
      await client.getRun('0123456789abcdef0123456789abcdef');
      assert.unreachable('getRun of a missing run should throw');
    } catch (error) {
      assert.ok(isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST'), String(error));
      assert.is(error.code, 'MLFLOW_ERROR');
      assert.is(error.status, 404);
      assert.match(error.message, /RESOURCE_DOES_NOT_EXIST/);
      assert.match(error.message, /0123456789abcdef0123456789abcdef/);
      assert.match(error.message, server.uri);
    }
    const exp = await client.getOrCreateExperiment(`${unique}-immutable`);
    const run = await client.createRun({ experimentId: exp.experimentId });
    await client.logBatch(run.runId, { params: [{ key: 'render.noise', value: '0.5' }] });
    await client.logBatch(run.runId, { params: [{ key: 'render.noise', value: '0.5' }] });
    try {
      await client.logBatch(run.runId, { params: [{ key: 'render.noise', value: '0.25' }] });
      assert.unreachable('changing a param should throw');
    } catch (error) {
      assert.ok(isMlflowError(error, 'INVALID_PARAMETER_VALUE'), String(error));
      assert.match(error.message, /render\.noise/);
    }
  });

  test('search: paginated with a filter on params and tags', async () => {
    const exp = await client.getOrCreateExperiment(`${unique}-search`);
    for (let i = 0; i < 5; i++) {
      const run = await client.createRun({ experimentId: exp.experimentId, runName: `r${i}`, tags: { group: i < 4 ? 'a' : 'b' } });
      await client.logBatch(run.runId, { params: [{ key: 'render.noise', value: i % 2 === 0 ? '0' : '0.5' }] });
    }
    const first = await client.searchRuns({ experimentIds: [exp.experimentId], filter: "tags.group = 'a'", maxResults: 2 });
    assert.is(first.runs.length, 2);
    assert.ok(first.nextPageToken);
    const all = await client.searchAllRuns({ experimentIds: [exp.experimentId], filter: "tags.group = 'a'", maxResults: 2 });
    assert.equal(all.map((r) => r.info.runName).sort(), ['r0', 'r1', 'r2', 'r3']);
    const noisy = await client.searchAllRuns({
      experimentIds: [exp.experimentId],
      filter: "params.`render.noise` = '0.5' and tags.group = 'a'",
    });
    assert.equal(noisy.map((r) => r.info.runName).sort(), ['r1', 'r3']);
  });

  test('artifacts: upload bytes and a file through the proxy, list, download the same bytes', async () => {
    const exp = await client.getOrCreateExperiment(`${unique}-artifacts`);
    const run = await client.createRun({ experimentId: exp.experimentId });
    const dir = await mkdtemp(join(tmpdir(), 'ecg-lab-artifacts-'));
    try {
      const weights = new Uint8Array(300_000).map((_, i) => (i * 31) % 256);
      await writeFile(join(dir, 'weights.bin'), weights);
      await client.uploadArtifact(run, 'model/weights.bin', { file: join(dir, 'weights.bin') });
      await client.uploadArtifact(run, 'config.yaml', 'render:\n  noise: 0.5\n');
      await client.uploadArtifact(run, 'plots/snr per lead.svg', new TextEncoder().encode('<svg/>'));
      const top = await client.listArtifacts(run);
      assert.equal(
        top.map((f) => `${f.path}${f.isDir ? '/' : ''}`).sort(),
        ['config.yaml', 'model/', 'plots/'],
      );
      const deep = await client.listArtifactsDeep(run);
      assert.equal(
        deep.map((f) => [f.path, f.fileSize]).sort(),
        [
          ['config.yaml', 21],
          ['model/weights.bin', 300_000],
          ['plots/snr per lead.svg', 6],
        ],
      );
      assert.equal(await client.downloadArtifact(run, 'model/weights.bin'), weights);
      assert.is(new TextDecoder().decode(await client.downloadArtifact(run, 'plots/snr per lead.svg')), '<svg/>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test.run();
}
