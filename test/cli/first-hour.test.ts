/**
 * What a new user meets in the first hour: typos answered with the closest
 * name, a refusal prefixed once, `runs` telling what a running cell is doing
 * and what a cell set on the command line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { RunStore } from '../../src/tracking/run-store.js';

test('an unknown command gets "did you mean"', () => {
  const r = cli(['rnu']);
  assert.is(r.status, 2);
  assert.ok(r.stderr.startsWith("ecg-lab: unknown command 'rnu'; did you mean run?"), r.stderr);
});

test('a mistyped key names the closest key first', () => {
  const r = cli(['config', 'experiments/quickstart.yaml', 'render.dip=300']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /unknown config key 'render\.dip' \([^)]*\): did you mean render\.dpi\?/);
});

test('digitize without an image: the command prefix appears once', () => {
  const r = cli(['digitize']);
  assert.is(r.status, 2);
  assert.is(r.stderr.trim(), 'ecg-lab digitize: give at least one image (PNG or JPEG)');
});

test('runs: a running cell shows its stage and time so far; values fixed on the command line show as overrides', async () => {
  const root = mkdtempSync(join(tmpdir(), 'runs-cmd-'));
  const store = new RunStore(root);
  const startedAt = new Date(Date.now() - 125_000).toISOString();
  const sweep = await store.createSweep({
    experiment: 'quickstart',
    experimentPath: 'experiments/quickstart.yaml',
    status: 'running',
    args: ['render.noise=0.5', 'model.hierarchy=true,false'],
    stages: ['data', 'render', 'digitizer'],
    cells: [{ id: 'c00', overrides: { 'model.hierarchy': true }, group: 'g0' }, { id: 'c01', overrides: { 'model.hierarchy': false }, group: 'g1' }],
    tags: {},
  });
  const stage = (status: 'finished' | 'running') => ({ key: 'k', cached: false, status, startedAt });
  await store.writeCell({
    id: `${sweep.id}/c00`, experiment: 'quickstart', sweepId: sweep.id, cellId: 'c00', overrides: { 'model.hierarchy': true }, group: 'g0',
    status: 'running', createdAt: startedAt, startedAt, params: {}, tags: {}, stages: { data: stage('finished'), render: stage('running') },
  });
  const r = cli(['runs', '--runs', root]);
  assert.is(r.status, 0, r.stderr);
  const [header, , first, second] = r.stdout.trim().split('\n');
  assert.match(header ?? '', /status\s+stage\s+overrides/);
  assert.match(first ?? '', /c00\s+running\s+render \(2\/3\)\s+render\.noise=0\.5 model\.hierarchy=true\s+[2-9]m \d\ds so far/);
  assert.match(second ?? '', /c01\s+missing\s+render\.noise=0\.5 model\.hierarchy=false/);
});

test('an experiment by name: run quickstart is experiments/quickstart.yaml', () => {
  const runs = mkdtempSync(join(tmpdir(), 'by-name-'));
  const r = cli(['run', 'quickstart', '--dry-run', '--runs', runs]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith('4 cell(s)'), r.stdout);
  const config = cli(['config', 'quickstart', '--json']);
  assert.is(config.status, 0, config.stderr);
  assert.is(JSON.parse(config.stdout).data.records, 160, 'the values of experiments/quickstart.yaml');
  const missing = cli(['run', 'quickstrat', '--runs', runs]);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /experiment file not found: quickstrat .*or the name of one in experiments\//);
});

test('generate images from a folder renders every record unless --n, and says how many --n left out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-folder-'));
  const signals = cli(['generate', 'signals', '--n', '12', '--out', join(dir, 'syn')]);
  assert.is(signals.status, 0, signals.stderr);
  const source = ['data=wfdb-folder', `data.path=${join(dir, 'syn')}`, 'render.dpi=50'];
  const all = cli(['generate', 'images', '--out', join(dir, 'all'), ...source]);
  assert.is(all.status, 0, all.stderr);
  assert.match(all.stdout, /^12 pages/m);
  assert.not.match(all.stderr, /left out/);
  const five = cli(['generate', 'images', '--n', '5', '--out', join(dir, 'five'), ...source]);
  assert.is(five.status, 0, five.stderr);
  assert.match(five.stdout, /^5 pages/m);
  assert.match(five.stderr, /rendered 5 of the 12 records in .*: 7 left out by --n/);
  assert.is(readdirSync(join(dir, 'five')).filter((f) => /^syn-\d+\.(png|jpg)$/.test(f)).length, 5);
});

test.run();
