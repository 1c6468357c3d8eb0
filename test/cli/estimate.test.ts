/** `run --dry-run` estimates the run's time from the stage timings earlier runs left in the run store. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, TINY } from '../helpers/tiny-runs.js';
import { duration } from '../../src/cli/duration.js';

test('no earlier run: says there is no estimate yet; after one: the sum of the stages it must run, from their recorded times', () => {
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '1500' });
  const first = cli(['run', TINY, 'train.epochs=2', '--dry-run'], { env });
  assert.is(first.status, 0, first.stderr);
  assert.match(first.stdout, /^estimated time: none yet \(no earlier run in .* timed these stages/m);

  assert.is(cli(['run', TINY, 'train.epochs=2'], { env }).status, 0);
  const [sweep] = sweepsIn(runs, 'tiny');
  const run = JSON.parse(readFileSync(join(runs, 'tiny', sweep!.id, 'cells', 'c00', 'run.json'), 'utf8')) as { stages: Record<string, { durationS: number }> };
  const trainS = run.stages['tiny-train']!.durationS;
  assert.ok(trainS >= 3, `tiny-train took ${trainS} s`);

  // render.noise changes tiny-render and tiny-train (tiny-data comes from the cache): their times, from other settings.
  const changed = cli(['run', TINY, 'train.epochs=2', 'render.noise=0.5', '--dry-run'], { env });
  const expected = duration((run.stages['tiny-render']!.durationS + trainS) * 1000);
  assert.ok(
    changed.stdout.includes(`estimated time: about ${expected} for 2 stage run(s), from earlier runs (0 with the same settings, 2 with other settings)`),
    changed.stdout,
  );
  const same = cli(['run', TINY, 'train.epochs=2', '--dry-run'], { env });
  assert.match(same.stdout, /^estimated time: none to speak of, every stage comes from the cache$/m);
});

test.run();
