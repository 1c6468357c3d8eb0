/**
 * `diff`, `tag` and `runs --where / --tag` with tracking to a real MLflow
 * server (MLFLOW_TEST_URI; the test is skipped, saying so, without it): a
 * tag set locally reaches the cell's MLflow run (and only that run), the
 * cells `runs --where` lists are the ones MLflow's own param filter finds,
 * `runs --tag` finds the tagged cell, and `diff` reads the same cells.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, TINY } from '../helpers/tiny-runs.js';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';
import type { Run } from '../../src/tracking/mlflow/types.js';

const uri = process.env.MLFLOW_TEST_URI?.replace(/\/+$/, '');

/** The cells of one sweep on the server, by cell id. */
async function cellRuns(client: MlflowClient, experiment: string, sweepId: string, filter?: string): Promise<Map<string, Run>> {
  const exp = await client.getExperimentByName(experiment);
  assert.ok(exp, `experiment ${experiment} on ${uri}`);
  const all = await client.searchAllRuns({ experimentIds: [exp!.experimentId] });
  const parent = all.find((r) => r.tags['ecg-lab.sweep'] === sweepId && r.tags['mlflow.parentRunId'] === undefined);
  assert.ok(parent, `the parent run of sweep ${sweepId}`);
  const runs = filter ? await client.searchAllRuns({ experimentIds: [exp!.experimentId], filter }) : all;
  return new Map(runs.filter((r) => r.tags['mlflow.parentRunId'] === parent!.info.runId).map((r) => [r.tags['ecg-lab.cell'] ?? '', r]));
}

test('a tag set locally reaches MLflow; runs --where agrees with MLflow\'s param filter; runs --tag and diff with tracking on', async () => {
  if (!uri) {
    console.log('  skipped: MLFLOW_TEST_URI is not set (a real MLflow server, e.g. bash scripts/mlflow-server.sh start)');
    return;
  }
  const { runs, env } = tinyEnv({ MLFLOW_TRACKING_URI: uri });
  const run = cli(['run', TINY, 'render.noise=0,0.5'], { env });
  assert.is(run.status, 0, run.stderr);
  const id = sweepsIn(runs, 'tiny')[0]!.id;
  const client = new MlflowClient({ uri });
  const before = await cellRuns(client, 'tiny', id);
  assert.equal([...before.keys()].sort(), ['c00', 'c01'], 'both cells are MLflow runs');

  const note = `best-${id}`;
  const tagged = cli(['tag', `${id}/c01`, `note=${note}`, 'reviewed=yes'], { env });
  assert.is(tagged.status, 0, tagged.stderr);
  assert.match(tagged.stdout, `${uri}: `);
  const after = await cellRuns(client, 'tiny', id);
  assert.is(after.get('c01')?.tags['note'], note, 'the tag is on the cell\'s MLflow run');
  assert.is(after.get('c01')?.tags['reviewed'], 'yes');
  assert.is(after.get('c00')?.tags['note'], undefined, 'and on no other');
  const found = await cellRuns(client, 'tiny', id, `tags.note = '${note}'`);
  assert.equal([...found.keys()], ['c01'], 'MLflow finds the cell by the tag');

  const cellsOf = (out: string) => out.split('\n').filter((l) => l.startsWith('tiny ')).map((l) => l.split(/\s+/)[2]).sort();
  for (const noise of ['0', '0.5']) {
    const local = cellsOf(cli(['runs', 'tiny', '--where', `render.noise=${noise}`], { env }).stdout);
    const server = [...(await cellRuns(client, 'tiny', id, `params.\`render.noise\` = '${noise}'`)).keys()].sort();
    assert.ok(local.length === 1, `runs --where render.noise=${noise}: ${local.join(', ')}`);
    assert.equal(local, server, `render.noise=${noise}: runs --where and MLflow's filter find the same cells`);
  }
  assert.equal(cellsOf(cli(['runs', 'tiny', '--tag', `note=${note}`], { env }).stdout), ['c01']);
  assert.equal(cellsOf(cli(['runs', 'tiny', '--where', 'render.noise=0', '--tag', `note=${note}`], { env }).stdout), []);

  const diff = cli(['diff', `${id}/c00`, `${id}/c01`, '--json'], { env });
  assert.is(diff.status, 0, diff.stderr);
  const rows = JSON.parse(diff.stdout).rows as { kind: string; key: string; a: unknown; b: unknown }[];
  assert.equal(rows.find((r) => r.key === 'render.noise'), { kind: 'config', key: 'render.noise', a: 0, b: 0.5 });
  const noteRow = rows.find((r) => r.key === 'note');
  assert.ok(noteRow?.kind === 'tag' && noteRow.a == null && noteRow.b === note, `the user tag is a difference: ${JSON.stringify(noteRow)}`);
  // The server holds the same params diff compares.
  assert.is(after.get('c00')?.params['render.noise'], '0');
  assert.is(after.get('c01')?.params['render.noise'], '0.5');
});

test.run();
