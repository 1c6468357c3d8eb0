/**
 * compare --stats: arms (cells differing only in seeds) with their mean and
 * 95% t interval, and the arm against its baseline paired by seed, checked
 * against scipy.stats 1.17.1 on the same five pairs:
 *
 *   a = [0.41, 0.38, 0.45, 0.40, 0.43]  (model.hierarchy=true, seeds 0..4)
 *   b = [0.35, 0.37, 0.39, 0.36, 0.41]  (model.hierarchy=false)
 *   stats.ttest_rel(a, b)            -> t 3.726206567625499, p 0.020364048805992872
 *   stats.wilcoxon(a, b)             -> W 0, p 0.0625
 *   stats.t.interval(0.95, 4, loc=(a-b).mean(), scale=stats.sem(a-b)) -> (0.009685704460354577, 0.06631429553964545)
 *   stats.t.interval(0.95, 4, loc=b.mean(), scale=stats.sem(b))       -> (0.34609677106109593, 0.40590322893890396)
 *
 * and through the CLI on the fixture store: an arm with one seed prints n = 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildComparison, toJsonText, toMarkdown } from '../../src/report/index.js';
import type { CellResult, RunSet } from '../../src/report/run-set.js';
import { cli } from '../helpers/cli.js';
import { buildFixtureStore } from './fixture-store.js';

const A = [0.41, 0.38, 0.45, 0.4, 0.43];
const B = [0.35, 0.37, 0.39, 0.36, 0.41];
const near = (actual: unknown, expected: number, tolerance = 1e-9) =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance, `${String(actual)} is not ${expected} ± ${tolerance}`);

function cell(hierarchy: boolean, seed: number, f1: number): CellResult {
  return {
    experiment: 'e',
    sweepId: 's',
    cellId: `h${hierarchy}-s${seed}`,
    group: `h${hierarchy}`,
    status: 'finished',
    coords: { 'model.hierarchy': hierarchy, 'seed.train': seed },
    params: {},
    tags: {},
    metrics: { 'f1/macro': f1 },
  };
}

// The seeds of one arm in another order than the other's: pairing is by seed, not by position.
const set: RunSet = {
  source: 'local',
  where: 'memory',
  cells: [...A.map((v, s) => cell(true, s, v)).reverse(), ...B.map((v, s) => cell(false, s, v)), cell(false, 9, 0.5)],
  sweptKeys: ['model.hierarchy', 'seed.train'],
  notes: [],
  history: async () => ({}),
};

test('per arm mean and t interval; paired by seed against the baseline as scipy computes it', () => {
  const cmp = buildComparison(set, { pivot: { rows: ['model.hierarchy'], cols: [], values: ['f1/macro'] }, baseline: { 'model.hierarchy': false }, stats: true });
  const json = JSON.parse(toJsonText(cmp)) as { stats: Record<string, unknown>[] };
  const on = json.stats.find((r) => r['model.hierarchy'] === true) as Record<string, unknown>;
  const off = json.stats.find((r) => r['model.hierarchy'] === false) as Record<string, unknown>;
  assert.is(off['n'], 6);
  assert.is(on['n'], 5);
  near(on['t'], 3.726206567625499);
  near(on['p_t'], 0.020364048805992872);
  near(on['wilcoxon_w'], 0);
  near(on['p_wilcoxon'], 0.0625, 1e-12);
  near(on['d_z'], 1.6664102366833564);
  near(on['difference'], 0.038);
  near(on['difference_ci_low'], 0.009685704460354577);
  near(on['difference_ci_high'], 0.06631429553964545);
  assert.is(on['pairs'], 5);
  const markdown = toMarkdown(cmp);
  assert.match(markdown, '## Statistics over seeds');
  assert.match(markdown, '5 (1 unpaired)');
  const five = buildComparison({ ...set, cells: set.cells.slice(0, 10) }, { stats: true });
  const offFive = (JSON.parse(toJsonText(five)) as { stats: Record<string, unknown>[] }).stats.find((r) => r['model.hierarchy'] === false) as Record<string, unknown>;
  near(offFive['ci_low'], 0.34609677106109593);
  near(offFive['ci_high'], 0.40590322893890396);
});

test('compare --stats on a store with one seed per arm prints n = 1, in every format', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ecg-stats-'));
  await buildFixtureStore(root, { hierarchy: [false, true], roi: [true], noise: [0], seeds: [0] });
  const md = cli(['compare', 'paper-ablation', '--runs', root, '--stats', '--baseline', 'model.hierarchy=false']);
  assert.is(md.status, 0, md.stderr);
  assert.match(md.stdout, '(n = 1)');
  assert.match(md.stdout, 'Paired by seed against model.hierarchy=false');
  const csv = cli(['compare', 'paper-ablation', '--runs', root, '--stats', '--format', 'csv']);
  assert.is(csv.status, 0, csv.stderr);
  assert.match(csv.stdout, 'metric,n,mean,sd,ci_low,ci_high');
  const json = cli(['compare', 'paper-ablation', '--runs', root, '--stats', '--format', 'json']);
  const rows = (JSON.parse(json.stdout) as { stats: { n: number; ci_low: number | null }[] }).stats;
  assert.ok(rows.length > 0 && rows.every((r) => r.n === 1 && r.ci_low === null));
});

test.run();
