/**
 * Ctrl-C on a run: the first SIGINT says what happens, the run stops at the
 * next step boundary, the cell is marked killed and the command exits 130;
 * `resume` finishes the sweep. A second SIGINT exits at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { cli, cliSpawn } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, metricLines, sleep, waitFor, TINY } from '../helpers/tiny-runs.js';

function collect(child: ChildProcess): { text: () => string; exit: Promise<number | null> } {
  let text = '';
  child.stdout?.on('data', (d) => (text += String(d)));
  child.stderr?.on('data', (d) => (text += String(d)));
  return { text: () => text, exit: new Promise((r) => child.once('exit', (code) => r(code))) };
}

const training = (runs: string, cell: number) => () => sweepsIn(runs, 'tiny')[0]?.cells[cell]?.stages['tiny-train']?.status === 'running';

test('first Ctrl-C: a message, a stop at the next step, exit 130, the cell killed; resume finishes it', async () => {
  // 8 epochs x 4 steps of 1 s per cell: the signal lands mid-stage, about 30 s before the stage would end.
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '4000' });
  const child = cliSpawn(['run', TINY, 'render.noise=0,0.5', 'train.epochs=8'], { env });
  const out = collect(child);
  await waitFor(training(runs, 0), 60_000);
  await sleep(1500);
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await out.exit;
  const took = Date.now() - sent;
  assert.is(code, 130, out.text());
  assert.ok(out.text().includes('stopping after the current step; Ctrl-C again to stop now'), out.text());
  // A bound between one step (plus exit, on a loaded machine) and the rest of the stage, not a speed target.
  assert.ok(took < 15_000, `exited ${took} ms after the signal (a step is 1 s, the stage had about 30 s left)`);
  const [sweep] = sweepsIn(runs, 'tiny');
  assert.equal(sweep!.cells.map((c) => c.status), ['killed', 'pending']);
  assert.is(sweep!.status, 'killed');
  assert.match(out.text(), new RegExp(`ecg-lab resume tiny/${sweep!.id} finishes`));

  const r = cli(['resume', sweep!.id], { env: { ...env, TINY_EPOCH_MS: '0' } });
  assert.is(r.status, 0, r.stderr);
  const [resumed] = sweepsIn(runs, 'tiny');
  assert.is(resumed!.status, 'finished');
  assert.equal(resumed!.cells.map((c) => c.status), ['finished', 'finished']);
  const losses = metricLines(runs, 'tiny', resumed!.id, 'c00').filter((m) => m.name === 'tiny-train/loss');
  assert.equal(losses.map((m) => m.step), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('a second Ctrl-C exits at once, even mid-step', async () => {
  // One step is 20 s: only the second signal can end the run this soon.
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '80000' });
  const child = cliSpawn(['run', TINY, 'train.epochs=2'], { env });
  const out = collect(child);
  await waitFor(training(runs, 0), 60_000);
  child.kill('SIGINT');
  await waitFor(() => out.text().includes('Ctrl-C again'), 5_000);
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await out.exit;
  assert.is(code, 130);
  assert.ok(Date.now() - sent < 10_000, 'at once, not at the end of the 20 s step');
  const r = cli(['resume', sweepsIn(runs, 'tiny')[0]!.id], { env: { ...env, TINY_EPOCH_MS: '0' } });
  assert.is(r.status, 0, r.stderr);
  assert.is(sweepsIn(runs, 'tiny')[0]!.status, 'finished');
});

test('--jobs 2: Ctrl-C reaches each cell process once; they stop, the run exits 130, resume finishes', async () => {
  const { runs, env } = tinyEnv({ TINY_EPOCH_MS: '600' });
  const child = cliSpawn(['run', TINY, 'render.noise=0,0.5,0.25', 'train.epochs=8', '--jobs', '2'], { env });
  const out = collect(child);
  await waitFor(() => training(runs, 0)() && training(runs, 1)(), 60_000);
  child.kill('SIGINT');
  const code = await out.exit;
  assert.is(code, 130, out.text());
  const [sweep] = sweepsIn(runs, 'tiny');
  assert.equal(sweep!.cells.map((c) => c.status), ['killed', 'killed', 'pending'], 'each child stopped at a step and marked its cell');
  const r = cli(['resume', sweep!.id], { env: { ...env, TINY_EPOCH_MS: '0' } });
  assert.is(r.status, 0, r.stderr);
  assert.equal(sweepsIn(runs, 'tiny')[0]!.cells.map((c) => c.status), ['finished', 'finished', 'finished']);
});

test.run();
