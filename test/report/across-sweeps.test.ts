/**
 * Comparing sweeps side by side: a value fixed on the command line is a
 * coordinate like a swept one; cells whose configs differ beyond the seed
 * are never pooled; a partial sweep is not "different data"; an experiment
 * name says which of its sweeps it stands for.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, type CellRun, type RunStatus } from '../../src/tracking/run-store.js';
import { buildComparison, loadLocalRuns, pivotText, toMarkdown } from '../../src/report/index.js';

const BASE = { 'data.source': 'synthetic', 'render.noise': 0, 'model.hierarchy': true, 'train.epochs': 2, seed: 0, 'tracking.uri': '', 'experiment.name': 'quickstart' };
const DIGEST = '0123456789abcdef';

interface CellSpec {
  overrides: Record<string, unknown>;
  /** Values set outside the sweep (command line), as the flattened config shows them. */
  fixed?: Record<string, unknown>;
  status?: RunStatus | 'missing';
  f1?: number;
}

let clock = Date.parse('2026-01-01T00:00:00Z');

async function sweep(store: RunStore, args: string[], cells: CellSpec[]): Promise<string> {
  const planned = cells.map((c, i) => ({ id: `c0${i}`, overrides: c.overrides, group: JSON.stringify(c.overrides) }));
  clock += 60_000;
  const created = await store.createSweep(
    { experiment: 'quickstart', experimentPath: 'experiments/quickstart.yaml', status: 'finished', args, stages: ['data'], cells: planned, tags: {} },
    new Date(clock),
  );
  for (const [i, c] of cells.entries()) {
    const status = c.status ?? 'finished';
    if (status === 'missing') continue;
    const ran = status !== 'pending';
    const run: CellRun = {
      id: `${created.id}/c0${i}`,
      experiment: 'quickstart',
      sweepId: created.id,
      cellId: `c0${i}`,
      overrides: c.overrides,
      group: planned[i]!.group,
      status,
      createdAt: new Date(clock).toISOString(),
      params: { ...BASE, ...c.fixed, ...c.overrides },
      tags: { 'data.source': 'synthetic', ...(ran ? { 'data.digest': DIGEST } : {}) },
      stages: {},
    };
    await store.writeCell(run);
    if (status === 'finished') await store.appendMetrics(run, [{ name: 'f1/macro', value: c.f1 ?? 0.5, step: 0, timestamp: clock }]);
  }
  return created.id;
}

test('a value fixed on the command line is the cell coordinate, not null', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cmp-sweeps-'));
  const store = new RunStore(root);
  const a = await sweep(store, ['render.noise=0.5'], [{ overrides: {}, fixed: { 'render.noise': 0.5 }, f1: 0.4 }]);
  const b = await sweep(store, ['render.noise=0,0.25'], [{ overrides: { 'render.noise': 0 }, f1: 0.6 }, { overrides: { 'render.noise': 0.25 }, f1: 0.5 }]);
  const set = await loadLocalRuns(root, [a, b]);
  assert.equal(set.sweptKeys, ['render.noise']);
  assert.equal(set.cells.map((c) => c.coords['render.noise']), [0.5, 0, 0.25]);
  const pivot = pivotText(buildComparison(set, { pivot: { rows: [], cols: ['render.noise'], values: ['f1/macro'] } }));
  assert.not.ok(pivot.header.some((h) => h.includes('null')), pivot.header.join(' | '));
  assert.equal(pivot.header, ['render.noise=0', 'render.noise=0.25', 'render.noise=0.5']);
  assert.equal(pivot.rows, [['0.600', '0.500', '0.400']]);
});

test('cells whose configs differ beyond the seed are separate rows naming the key', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cmp-sweeps-'));
  const store = new RunStore(root);
  const a = await sweep(store, ['seed=0,1'], [{ overrides: { seed: 0 }, f1: 0.5 }, { overrides: { seed: 1 }, f1: 0.7 }]);
  const b = await sweep(store, ['train.epochs=3'], [{ overrides: {}, fixed: { 'train.epochs': 3 }, f1: 0.9 }]);
  const set = await loadLocalRuns(root, [a, b]);
  assert.equal(set.sweptKeys, ['seed', 'train.epochs']);
  const cmp = buildComparison(set, { pivot: { rows: ['train.epochs'], cols: [], values: ['f1/macro'] } });
  const pivot = pivotText(cmp);
  assert.equal(pivot.header[0], 'train.epochs');
  assert.equal(pivot.rows, [['2', '0.600 ± 0.141'], ['3', '0.900']], 'the two seeds pool; the other epochs do not');
  assert.ok(buildComparison(set).pivot.spec.rows.includes('train.epochs'), 'the default pivot has the differing key as a row');
});

test('a partial sweep (cells pending or never started) is not "different data"', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cmp-sweeps-'));
  const store = new RunStore(root);
  await sweep(store, [], [
    { overrides: { 'render.noise': 0 } },
    { overrides: { 'render.noise': 0.5 }, status: 'pending' },
    { overrides: { 'render.noise': 1 }, status: 'missing' },
  ]);
  const cmp = buildComparison(await loadLocalRuns(root, ['quickstart']));
  assert.equal(cmp.warnings, []);
  assert.equal(cmp.work.data, [`synthetic (digest ${DIGEST.slice(0, 12)})`]);
  assert.not.ok(cmp.table.columnNames().includes('data'));
});

test('an experiment name says which sweep it chose, and names the earlier ones', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cmp-sweeps-'));
  const store = new RunStore(root);
  const first = await sweep(store, [], [{ overrides: { 'render.noise': 0 } }, { overrides: { 'render.noise': 0.5 } }]);
  const second = await sweep(store, ['render.noise=0'], [{ overrides: {}, fixed: { 'render.noise': 0 } }]);
  const md = toMarkdown(buildComparison(await loadLocalRuns(root, ['quickstart'])));
  const line = md.split('\n').find((l) => l.startsWith('Runs: '));
  assert.ok(line, md);
  assert.ok(line.includes(`latest sweep, ${second} (1 cell)`), line);
  assert.ok(line.includes(`ecg-lab compare ${first} ${second}`), line);
});

test.run();
