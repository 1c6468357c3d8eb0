/**
 * A sweep of thousands of cells is planned in seconds and refused without
 * --yes before anything is written; an experiment file whose name is not a
 * safe folder name still writes its sweep inside the run store, outside the
 * stage cache.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cli } from '../helpers/cli.js';
import { FIXTURES, TINY, tinyEnv } from '../helpers/tiny-runs.js';
import { compose, experimentName, readExperiment } from '../../src/config/compose.js';
import { planSweep } from '../../src/train/plan.js';

const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const CONFIGS = join(FIXTURES, 'configs');
const list = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from).join(',');
/** 100 x 100 = 10,000 cells. */
const HUGE = [`seed=${list(100)}`, `data.records=${list(100, 1)}`];

/** The CLI with a time limit of its own, so that code that does not refuse fails the test instead of running the sweep. */
function cliWithin(seconds: number, args: readonly string[], env: Record<string, string>) {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: seconds * 1000 });
  return { status: r.status, stderr: r.stderr, seconds: (performance.now() - started) / 1000 };
}

// Time is printed, not judged (shared, noisy machines): the refusal's speed comes from refusing before any
// cell is composed, which the 30 s limit of cliWithin guards; bench/fault-injection.ts reports the time.
test('a 10,000-cell sweep is refused without --yes before any cell is composed, saying how many cells and stage runs; nothing is written', () => {
  const { runs, env } = tinyEnv();
  const r = cliWithin(30, ['run', TINY, ...HUGE], env);
  assert.is(r.status, 2, r.stderr);
  console.log(`10,000-cell refusal: ${r.seconds.toFixed(1)} s including the process start`);
  for (const part of ['10000 cells', '3 stage(s)', '30000 stage runs', 'above 256 cells', '--yes']) assert.ok(r.stderr.includes(part), `"${r.stderr}" lacks "${part}"`);
  assert.equal(readdirSync(runs), [], 'runs/ stays empty');
});

test('with --yes a large sweep goes on to composing every cell (a bad value is still refused before anything is written)', () => {
  const { runs, env } = tinyEnv();
  const without = cliWithin(30, ['run', TINY, `seed=${list(300)}`, 'render.noise=2'], env);
  assert.is(without.status, 2, without.stderr);
  assert.ok(without.stderr.includes('300 cells'), without.stderr);
  const withYes = cliWithin(30, ['run', TINY, `seed=${list(300)}`, 'render.noise=2', '--yes'], env);
  assert.is(withYes.status, 2, withYes.stderr);
  assert.ok(withYes.stderr.includes('render.noise = 2'), withYes.stderr);
  assert.not.ok(withYes.stderr.includes('--yes'), withYes.stderr);
  assert.equal(readdirSync(runs), [], 'runs/ stays empty');
});

test('planning 10,000 cells composes each cell as composing it alone does (time printed, not judged; it took 11.5 s before)', () => {
  const started = performance.now();
  const plan = planSweep(TINY, HUGE, CONFIGS);
  console.log(`planning 10,000 cells: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.is(plan.cells.length, 10_000);
  assert.is(new Set(plan.cells.map((c) => c.configHash)).size, 10_000, 'every cell has its own config');
  const experiment = readExperiment(TINY);
  for (const index of [0, 1, 4321, 9999]) {
    const planned = plan.cells[index]!;
    const alone = compose({ experiment, configsDir: CONFIGS, overrides: planned.cell.overrides }).config;
    assert.equal(planned.config, alone, `cell ${planned.cell.id}`);
    assert.equal(planned.config.seed, { data: Math.floor(index / 100), train: Math.floor(index / 100) });
    assert.is(planned.config.data.records, (index % 100) + 1);
  }
});

test('experiment names become safe folder names', () => {
  assert.is(experimentName('..'), 'experiment');
  assert.is(experimentName('.'), 'experiment');
  assert.is(experimentName('.cache'), 'cache');
  assert.is(experimentName('noise sweep: v2'), 'noise-sweep--v2');
  assert.is(experimentName('paper-1.5'), 'paper-1.5');
});

test('an experiment named ...yaml or .cache.yaml writes its sweep inside the run store, not above it nor in the cache', () => {
  const tree = mkdtempSync(join(tmpdir(), 'ecg-names-'));
  mkdirSync(join(tree, 'experiments'));
  symlinkSync(CONFIGS, join(tree, 'configs'));
  const home = mkdtempSync(join(tmpdir(), 'ecg-names-runs-'));
  const runs = join(home, 'runs');
  const env = { ...tinyEnv().env, ECG_LAB_RUNS: runs };
  for (const file of ['...yaml', '.cache.yaml']) {
    copyFileSync(TINY, join(tree, 'experiments', file));
    const r = cli(['run', join(tree, 'experiments', file)], { env });
    assert.is(r.status, 0, r.stderr);
  }
  assert.equal(readdirSync(home), ['runs'], 'nothing beside runs/');
  assert.equal(readdirSync(runs).sort(), ['.cache', 'cache', 'experiment']);
  for (const name of ['cache', 'experiment']) {
    const [sweep] = readdirSync(join(runs, name));
    assert.ok(existsSync(join(runs, name, sweep!, 'sweep.json')), `${name}/${sweep}/sweep.json`);
  }
  assert.not.ok(readdirSync(join(runs, '.cache')).some((entry) => existsSync(join(runs, '.cache', entry, 'sweep.json'))), 'no sweep in the cache');
});

test.run();
