/**
 * The terminal a `run` draws: on a TTY (a pseudo-terminal from util-linux's
 * `script`) log lines above the footer of status lines, never on a bar, every
 * per-epoch line kept, no bar left behind, a results table at the end;
 * without one, plain lines only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cli, ROOT } from '../helpers/cli.js';
import { tinyEnv, TINY } from '../helpers/tiny-runs.js';
import { screenLines } from './screen.js';
import { duration } from '../../src/cli/duration.js';
import { meter } from '../../src/cli/terminal/eta.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const BAR = /[█░]/;
const ARGS = ['run', TINY, 'render.noise=0,0.5', 'train.epochs=3'];

/** Runs ecg-lab in a pseudo-terminal; what the terminal received (stdout and stderr), and the exit code. */
function inTerminal(args: readonly string[], env: Record<string, string>): { status: number | null; raw: string } {
  const command = [
    'env',
    ...Object.entries(env).map(([k, v]) => quote(`${k}=${v}`)),
    quote(process.execPath),
    '--import',
    'tsx',
    quote(join(ROOT, 'src', 'cli', 'main.ts')),
    ...args.map(quote),
  ].join(' ');
  const r = spawnSync('script', ['-qfec', `stty cols 100; ${command}`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, raw: r.stdout };
}

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

test('a TTY: log lines above the bar, every epoch line kept, no bar left, a results table', () => {
  if (!hasScript) throw new Error('util-linux script(1) is needed for this test');
  const { env } = tinyEnv({ TINY_EPOCH_MS: '400' });
  const { status, raw } = inTerminal(ARGS, env);
  assert.is(status, 0, raw);
  assert.ok(raw.includes('\x1b[J'), 'the footer was drawn and erased (a bar showed)');
  assert.ok(/\[█+░*\] \d+\/12 \| ETA/.test(raw), 'a bar with its ETA was drawn');
  const screen = screenLines(raw);
  const leftBars = screen.filter((l) => BAR.test(l));
  assert.equal(leftBars, [], `no bar stays on screen:\n${screen.join('\n')}`);
  const epochLines = screen.filter((l) => /tiny-train: epoch \d\/3/.test(l));
  assert.equal(
    epochLines.map((l) => l.replace(/ loss.*/, '')),
    ['tiny-train: epoch 1/3', 'tiny-train: epoch 2/3', 'tiny-train: epoch 3/3', 'tiny-train: epoch 1/3', 'tiny-train: epoch 2/3', 'tiny-train: epoch 3/3'],
    screen.join('\n'),
  );
  for (const line of epochLines) assert.match(line, /^tiny-train: epoch \d\/3 loss \d\.\d{3} validation \d\.\d{3}$/, 'nothing glued to an epoch line');
  for (const line of screen.filter((l) => / tiny-(data|render|train): (done|from cache)/.test(l))) {
    assert.match(line, /^c0\d tiny-\w+: (done|from cache) \([0-9a-f]{16}\)$/, `a log line alone on its row: ${line}`);
  }
  assert.ok(screen.some((l) => /^tiny-train: 3 epochs x 4 steps: 12\/12 in \d+s/.test(l)), 'a finished bar leaves one summary line');
  const table = screen.findIndex((l) => /^cell\s+overrides\s+status\s+f1\/macro\s+time$/.test(l));
  assert.ok(table >= 0, screen.join('\n'));
  assert.match(screen[table + 2] ?? '', /^c00\s+render\.noise=0\s+finished\s+0\.\d{3}\s+\d+s$/);
  assert.match(screen[table + 3] ?? '', /^c01\s+render\.noise=0\.5\s+finished\s+1\.\d{3}\s+\d+s$/);
  assert.match(screen.at(-1) === '' ? (screen.at(-2) ?? '') : (screen.at(-1) ?? ''), /^sweep tiny\/\S+ finished$/);
  assert.ok(/sweep tiny\/\S+: 1\/2 cells done \| running c01 \| ETA \d+s/.test(raw), 'the sweep line counts cells with an ETA from the finished one');
});

test('no TTY (CI, | tee): plain lines only, no carriage return, no escape code', () => {
  const { env } = tinyEnv({ TINY_EPOCH_MS: '100' });
  const r = cli(ARGS, { env });
  assert.is(r.status, 0, r.stderr);
  const all = r.stdout + r.stderr;
  assert.not.ok(all.includes('\r'), 'no carriage return');
  assert.not.ok(all.includes('\x1b'), 'no escape code');
  assert.is(r.stderr.split('\n').filter((l) => /^tiny-train: epoch \d\/3 loss/.test(l)).length, 6);
  assert.match(r.stderr, /^c00 finished in \d+s; sweep tiny\/\S+: 1\/2 cells done \| ETA \d+s$/m);
  assert.match(r.stdout, /^c01\s+render\.noise=0\.5\s+finished\s+1\.\d{3}/m);
});

test('durations round before they split: 1019.6 s is 17m 00s', () => {
  assert.is(duration(1_019_600), '17m 00s');
  assert.is(duration(59_600), '1m 00s');
  assert.is(duration(3_599_600), '1h 00m');
  assert.is(duration(42_000), '42s');
});

test('ETA: the mean rate after the first unit, counting down between units', () => {
  const m = meter(10, 0);
  assert.is(m.remainingMs(0), undefined);
  m.advance(1, 5_000); // warm-up: a slow first unit is left out of the rate
  assert.is(m.remainingMs(5_000), undefined);
  m.advance(1, 6_000);
  m.advance(1, 7_000);
  assert.is(m.remainingMs(7_000), 7_000, '7 units at 1 s each');
  assert.is(m.remainingMs(7_400), 6_600, 'counts down between units');
  m.advance(1, 10_000); // one slow step moves the mean, it does not triple the ETA
  assert.is(m.remainingMs(10_000), 10_000, '6 units at (10-5)/3 s');
});

test.run();
