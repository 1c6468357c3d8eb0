/** `diff` of two cells, `tag` on a cell, `runs --where / --tag` on a tiny run store. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, TINY } from '../helpers/tiny-runs.js';

test('diff names the config keys, tags and metrics that differ; tag sets a user tag; runs filters by config and tag', () => {
  const { runs, env } = tinyEnv();
  assert.is(cli(['run', TINY, 'render.noise=0,0.5'], { env }).status, 0);
  const [sweep] = sweepsIn(runs, 'tiny');
  const id = sweep!.id;

  const json = cli(['diff', `${id}/c00`, `${id}/c01`, '--json'], { env });
  assert.is(json.status, 0, json.stderr);
  const rows = JSON.parse(json.stdout).rows as { kind: string; key: string; a: unknown; b: unknown }[];
  assert.equal(rows.find((r) => r.key === 'render.noise'), { kind: 'config', key: 'render.noise', a: 0, b: 0.5 });
  assert.ok(rows.some((r) => r.kind === 'metric' && r.key === 'f1/macro'), 'the score differs');
  assert.ok(rows.some((r) => r.kind === 'tag' && r.key === 'ecg-lab.cell'));
  assert.not.ok(rows.some((r) => r.key === 'data.records' || r.key === 'git.commit'), 'what is equal is not listed');
  const table = cli(['diff', `${id}/c00`, `${id}/c01`], { env });
  assert.ok(/config\s+render\.noise\s+0\s+0\.5/.test(table.stdout), table.stdout);

  const tagged = cli(['tag', `${id}/c01`, 'note=best'], { env });
  assert.is(tagged.status, 0, tagged.stderr);
  const run = JSON.parse(readFileSync(join(runs, 'tiny', id, 'cells', 'c01', 'run.json'), 'utf8'));
  assert.is(run.tags['note'], 'best');
  assert.is(cli(['tag', `${id}/c01`, 'git.commit=x'], { env }).status, 2, 'ecg-lab tags are not user tags');

  const cellsOf = (out: string) => out.split('\n').filter((l) => l.startsWith('tiny ')).map((l) => l.split(/\s+/)[2]);
  assert.equal(cellsOf(cli(['runs', '--tag', 'note=best'], { env }).stdout), ['c01']);
  assert.equal(cellsOf(cli(['runs', '--where', 'render.noise=0'], { env }).stdout), ['c00']);
  assert.equal(cellsOf(cli(['runs', '--where', 'render.noise=0.5', '--tag', 'note=other'], { env }).stdout), []);
});

test.run();
