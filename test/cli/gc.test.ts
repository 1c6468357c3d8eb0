/**
 * `ecg-lab gc`: frees cache entries no kept run references, damaged entries
 * set aside and temporaries of dead processes; --dry-run removes nothing;
 * what a kept run uses stays and is still a cache hit afterwards.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, TINY } from '../helpers/tiny-runs.js';

function entries(runs: string): string[] {
  const cache = join(runs, '.cache');
  return readdirSync(cache).flatMap((stage) => readdirSync(join(cache, stage)).map((name) => `${stage}/${name}`)).sort();
}

test('gc frees what no kept run uses, --dry-run only lists, kept entries stay cache hits', () => {
  const { runs, env } = tinyEnv();
  assert.is(cli(['run', TINY, 'render.noise=0'], { env }).status, 0);
  assert.is(cli(['run', TINY, 'render.noise=0.5'], { env }).status, 0);
  const [kept, dropped] = sweepsIn(runs, 'tiny');
  const keptKeys = Object.entries(kept!.cells[0]!.stages).map(([stage, r]) => `${stage}/${r.key}`);
  const droppedOnly = Object.entries(dropped!.cells[0]!.stages).map(([stage, r]) => `${stage}/${r.key}`).filter((k) => !keptKeys.includes(k));
  assert.equal(droppedOnly.map((k) => k.split('/')[0]), ['tiny-render', 'tiny-train'], 'noise changes render and train');
  rmSync(join(runs, 'tiny', dropped!.id), { recursive: true });
  const corrupt = `tiny-train/${'a'.repeat(16)}.corrupt-abc123`;
  const deadTmp = `tiny-train/.tmp-${'b'.repeat(16)}-${hostname()}-999999-def456`;
  for (const folder of [corrupt, deadTmp]) {
    mkdirSync(join(runs, '.cache', folder), { recursive: true });
    writeFileSync(join(runs, '.cache', folder, 'x.bin'), Buffer.alloc(2048));
  }
  const before = entries(runs);

  const dry = cli(['gc', '--dry-run'], { env });
  assert.is(dry.status, 0, dry.stderr);
  for (const name of [...droppedOnly, corrupt, deadTmp]) assert.ok(dry.stdout.includes(name), `${name} listed:\n${dry.stdout}`);
  for (const name of keptKeys) assert.not.ok(dry.stdout.includes(name), `${name} is used by a kept run`);
  assert.match(dry.stdout, /would free .* in 4 folders .*nothing removed/);
  assert.equal(entries(runs), before, '--dry-run removes nothing');

  const real = cli(['gc'], { env });
  assert.is(real.status, 0, real.stderr);
  assert.match(real.stdout, /freed \d+(\.\d)? KB in 4 folders/);
  assert.equal(entries(runs), keptKeys.sort());
  assert.ok(existsSync(join(runs, '.cache', keptKeys[0]!, 'entry.json')));

  assert.is(cli(['run', TINY, 'render.noise=0'], { env }).status, 0);
  const rerun = sweepsIn(runs, 'tiny').at(-1)!;
  assert.ok(Object.values(rerun.cells[0]!.stages).every((s) => s.cached), 'what gc kept is still a cache hit');
  assert.match(cli(['gc'], { env }).stdout, /nothing to free/);
});

test.run();
