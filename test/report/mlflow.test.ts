/** --from mlflow: a fixture store synced to a real server gives the same table as the local store. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';
import { syncRunStore } from '../../src/tracking/mlflow/sync.js';
import { buildComparison, loadLocalRuns, loadMlflowRuns, parseBaseline, toMarkdown } from '../../src/report/index.js';
import { mlflowServerForTests } from '../helpers/mlflow-server.js';
import { buildFixtureStore, cellId } from './fixture-store.js';

const server = await mlflowServerForTests('report from mlflow');

test('the MLflow table matches the local one', async () => {
  if (!server) return;
  const root = await mkdtemp(join(tmpdir(), 'ecg-report-mlflow-'));
  try {
    const experiment = `report-${Date.now()}`;
    const fixture = await buildFixtureStore(root, { failed: [cellId(true, true, 0.5, 1)] });
    // The fixture's experiment name is fixed; rename by syncing into a unique experiment.
    const { rename } = await import('node:fs/promises');
    await rename(join(root, 'paper-ablation'), join(root, experiment));
    const { readFile, writeFile, readdir } = await import('node:fs/promises');
    const sweepDir = join(root, experiment, fixture.sweepId);
    const fix = async (file: string) => writeFile(file, (await readFile(file, 'utf8')).replaceAll('"paper-ablation"', JSON.stringify(experiment)));
    await fix(join(sweepDir, 'sweep.json'));
    for (const c of await readdir(join(sweepDir, 'cells'))) await fix(join(sweepDir, 'cells', c, 'run.json'));
    const client = new MlflowClient({ uri: server.uri });
    await syncRunStore(root, client);
    const options = { baseline: parseBaseline('model.hierarchy=false') };
    const local = toMarkdown(buildComparison(await loadLocalRuns(root, [experiment]), options));
    const remote = toMarkdown(buildComparison(await loadMlflowRuns(client, [experiment]), options));
    assert.fixture(remote, local);
  } finally {
    await rm(root, { recursive: true, force: true });
    await server.stop();
  }
});

test.run();
