import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyEnv, sweepsIn, metricLines, TINY, GRID } from '../helpers/tiny-runs.js';

test('--help lists the commands', () => {
  const r = cli(['--help']);
  assert.is(r.status, 0);
  for (const c of ['run', 'resume', 'config', 'runs']) assert.ok(r.stdout.includes(`  ${c}`), c);
});

test('config prints the composed config as YAML or JSON', () => {
  const r = cli(['config', TINY, 'render.noise=0.25', '--json']);
  assert.is(r.status, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.is(config.render.noise, 0.25);
  assert.is(config.render.dpi, 120);
  assert.is(config.data.records, 8);
});

for (const [label, args, parts] of [
  ['unknown key', ['render.nosie=1'], ['render.nosie']],
  ['out of range', ['render.noise=1.5'], ['render.noise = 1.5', '[0, 1]']],
  ['wrong type', ['data.records=many'], ['data.records', 'many']],
  ['bad enum', ['render.layout=5x5'], ['render.layout', '3x4']],
  ['unknown group option', ['render=shiny'], ['shiny', 'clean']],
  ['bad value in one sweep cell', ['render.noise=0,0.5,2'], ['render.noise = 2']],
  ['bad override syntax', ['noise'], ['key=value']],
] as const) {
  test(`bad config (${label}) exits 2 with a clear message and writes nothing`, () => {
    const { runs, env } = tinyEnv();
    const r = cli(['run', TINY, ...args], { env });
    assert.is(r.status, 2, r.stderr);
    for (const p of parts) assert.ok(r.stderr.includes(p), `stderr "${r.stderr}" lacks "${p}"`);
    assert.equal(readdirSync(runs), [], 'runs/ stays empty');
  });
}

test('a missing experiment file exits 2', () => {
  const { runs, env } = tinyEnv();
  const r = cli(['run', 'experiments/nope.yaml'], { env });
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes('experiments/nope.yaml'));
  assert.equal(readdirSync(runs), []);
});

test('cache: a second identical run executes no stage; one changed key re-runs exactly its dependents', () => {
  const { runs, env } = tinyEnv();
  assert.is(cli(['run', TINY], { env }).status, 0);
  assert.is(cli(['run', TINY], { env }).status, 0);
  assert.is(cli(['run', TINY, 'render.noise=0.5'], { env }).status, 0);
  assert.is(cli(['run', TINY, 'train.epochs=3'], { env }).status, 0);
  const sweeps = sweepsIn(runs, 'tiny');
  assert.is(sweeps.length, 4);
  const cached = sweeps.map((s) => Object.fromEntries(Object.entries(s.cells[0]!.stages).map(([k, v]) => [k, v.cached])));
  assert.equal(cached[0], { 'tiny-data': false, 'tiny-render': false, 'tiny-train': false });
  assert.equal(cached[1], { 'tiny-data': true, 'tiny-render': true, 'tiny-train': true });
  assert.equal(cached[2], { 'tiny-data': true, 'tiny-render': false, 'tiny-train': false }, 'render.noise: render and train re-run');
  assert.equal(cached[3], { 'tiny-data': true, 'tiny-render': true, 'tiny-train': false }, 'train.epochs: only train re-runs');
  // A cached stage still gives its cell the metrics and artifacts it produced.
  const second = metricLines(runs, 'tiny', sweeps[1]!.id, 'c00');
  assert.equal(second.filter((m) => m.name === 'tiny-train/loss').map((m) => m.step), [0, 1]);
  assert.ok(existsSync(join(runs, 'tiny', sweeps[1]!.id, 'cells', 'c00', 'artifacts', 'tiny-train', 'model.json')));
});

test('--force STAGE re-runs it and what reads it; --no-cache every stage once per sweep; the new entries replace the old', () => {
  const { runs, env } = tinyEnv();
  assert.is(cli(['run', TINY], { env }).status, 0);
  const entry = (stage: string) => {
    const names = readdirSync(join(runs, '.cache', stage));
    assert.is(names.length, 1, `one ${stage} entry, nothing left aside: ${names.join(', ')}`);
    return JSON.parse(readFileSync(join(runs, '.cache', stage, names[0] as string, 'entry.json'), 'utf8')) as { createdAt: string; builtBy?: Record<string, string> };
  };
  const before = { data: entry('tiny-data'), render: entry('tiny-render') };
  assert.ok(before.data.builtBy?.['git.commit'], 'the entry records the commit that built it');
  const dry = cli(['run', TINY, '--force', 'tiny-render', '--dry-run'], { env });
  assert.ok(/c00\s+tiny-data\s+\S+\s+yes/.test(dry.stdout) && /c00\s+tiny-render\s+\S+\s+no/.test(dry.stdout), dry.stdout);
  assert.is(cli(['run', TINY, '--force', 'tiny-render'], { env }).status, 0);
  assert.is(cli(['run', TINY, 'render.noise=0,0.5', '--no-cache'], { env }).status, 0);
  const [, forced, noCache] = sweepsIn(runs, 'tiny');
  assert.equal(Object.fromEntries(Object.entries(forced!.cells[0]!.stages).map(([k, v]) => [k, v.cached])), { 'tiny-data': true, 'tiny-render': false, 'tiny-train': false });
  assert.equal(noCache!.cells.map((c) => Object.values(c.stages).map((s) => s.cached)), [[false, false, false], [true, false, false]], 'c01 takes the data entry c00 built in this sweep');
  assert.ok(entry('tiny-data').createdAt > before.data.createdAt, 'tiny-data replaced by --no-cache');
  assert.ok(readdirSync(join(runs, '.cache', 'tiny-render')).length === 2);
  const unknown = cli(['run', TINY, '--force', 'tiny-rendr'], { env });
  assert.is(unknown.status, 2);
  assert.ok(unknown.stderr.includes('tiny-render'), unknown.stderr);
});

test('--dry-run lists cells and cache hits and writes no run', () => {
  const { runs, env } = tinyEnv();
  assert.is(cli(['run', TINY], { env }).status, 0);
  const r = cli(['run', TINY, 'render.noise=0,0.5', '--dry-run'], { env });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('2 cell(s)'));
  const rows = r.stdout.split('\n').filter((l) => /^c0\d/.test(l)).map((l) => l.split(/\s+/));
  assert.equal(rows.map((cells) => [cells[0], cells[1], cells[3]]), [
    ['c00', 'tiny-data', 'yes'],
    ['c00', 'tiny-render', 'yes'],
    ['c00', 'tiny-train', 'yes'],
    ['c01', 'tiny-data', 'yes'],
    ['c01', 'tiny-render', 'no'],
    ['c01', 'tiny-train', 'no'],
  ]);
  assert.is(sweepsIn(runs, 'tiny').length, 1, 'no sweep written by the dry run');
});

test('a 2-seed synthetic sweep of the method plans one data key, and one render key per noise level (--dry-run)', () => {
  const { env } = tinyEnv();
  delete env['ECG_LAB_PLUGINS'];
  const dir = mkdtempSync(join(tmpdir(), 'ecg-seeds-'));
  const experiment = join(dir, 'seeds.yaml');
  writeFileSync(experiment, 'defaults:\n  - data: synthetic\ndata:\n  records: 20\nsweep:\n  render.noise: [0, 0.5]\n  seeds: [0, 1]\n');
  const r = cli(['run', experiment, '--dry-run'], { env });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('4 cell(s)'), r.stdout);
  const rows = r.stdout.split('\n').filter((l) => /^c0\d/.test(l)).map((l) => l.split(/\s+/));
  const keys = (stage: string) => rows.filter((row) => row[1] === stage).map((row) => row[2]);
  assert.is(keys('data').length, 4);
  assert.is(new Set(keys('data')).size, 1, 'one data key for both seeds and both noise levels');
  assert.equal(keys('render'), [keys('render')[0], keys('render')[0], keys('render')[2], keys('render')[2]], 'cells c00/c01 (noise 0) and c02/c03 (noise 0.5) share their render');
  assert.is(new Set(keys('render')).size, 2);
  assert.is(new Set(keys('digitizer')).size, 4, 'each seed trains its own digitizer');
  const seedsOnData = cli(['run', experiment, 'seed.train=0', '--dry-run'], { env });
  assert.is(seedsOnData.status, 0, seedsOnData.stderr);
  assert.ok(seedsOnData.stdout.includes('2 cell(s)'), 'a fixed seed.train removes the seeds axis');
});

test('a 12-cell sweep with --jobs 2: every cell finished, shared stages computed once', () => {
  const { runs, env } = tinyEnv();
  const r = cli(['run', GRID, '--jobs', '2'], { env });
  assert.is(r.status, 0, r.stderr);
  const [sweep] = sweepsIn(runs, 'grid');
  assert.is(sweep!.status, 'finished');
  assert.is(sweep!.cells.length, 12);
  assert.ok(sweep!.cells.every((c) => c.status === 'finished'));
  const dataKeys = new Set(sweep!.cells.map((c) => c.stages['tiny-data']!.key));
  assert.is(dataKeys.size, 1, 'tiny-data depends on seed.data, which `seeds` holds fixed');
  const entries = readdirSync(join(runs, '.cache', 'tiny-train')).filter((n) => !n.startsWith('.'));
  assert.is(entries.length, 12);
  assert.is(readdirSync(join(runs, '.cache', 'tiny-render')).filter((n) => !n.startsWith('.')).length, 2, 'one render per noise level');
});

test('a failing cell is recorded and the rest of the sweep goes on', () => {
  const { runs, env } = tinyEnv({ TINY_FAIL_NOISE: '0.5' });
  const r = cli(['run', TINY, 'render.noise=0,0.5,0.25'], { env });
  assert.is(r.status, 1);
  assert.ok(r.stderr.includes('fails on purpose'), r.stderr);
  const [sweep] = sweepsIn(runs, 'tiny');
  assert.equal(sweep!.cells.map((c) => c.status), ['finished', 'failed', 'finished']);
  assert.is(sweep!.status, 'failed');
  assert.equal(readdirSync(join(runs, '.cache', 'tiny-train')).filter((n) => n.startsWith('.tmp')), [], 'no temporary left');
  const runJson = JSON.parse(readFileSync(join(runs, 'tiny', sweep!.id, 'cells', 'c01', 'run.json'), 'utf8'));
  assert.is(runJson.stages['tiny-train'].status, 'failed');
});

test('runs lists sweeps with status', () => {
  const { env } = tinyEnv();
  cli(['run', TINY], { env });
  const r = cli(['runs'], { env });
  assert.is(r.status, 0);
  assert.ok(/tiny\s+\S+\s+c00\s+finished/.test(r.stdout), r.stdout);
});

test.run();
