/**
 * The combiner's weights in a comparison: per arm (seeds averaged), per
 * class, image / signal; arms without a combiner left out, no table when
 * no cell has one, failed cells not counted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHALLENGE_CLASSES } from '../../src/core/ecg.js';
import { buildComparison } from '../../src/report/comparison.js';
import { combinerWeightsText } from '../../src/report/combiner-weights.js';
import { toMarkdown } from '../../src/report/text-formats.js';
import type { CellResult, CellStatus, RunSet } from '../../src/report/run-set.js';

function cell(id: string, combine: boolean, seed: number, weights: [number, number] | null, status: CellStatus = 'finished'): CellResult {
  const metrics: Record<string, number> = { 'f1/macro': 0.3 };
  if (weights) {
    for (const c of CHALLENGE_CLASSES) {
      metrics[`combiner/image_weight/${c}`] = weights[0];
      metrics[`combiner/signal_weight/${c}`] = weights[1];
    }
  }
  return { experiment: 'x', sweepId: 's', cellId: id, group: String(combine), status, coords: { 'model.combine': combine, 'seed.train': seed }, params: {}, tags: {}, metrics };
}

function runSet(cells: CellResult[]): RunSet {
  return { source: 'local', where: 'memory', cells, sweptKeys: ['model.combine', 'seed.train'], notes: [], history: async () => ({}) };
}

test('one row per arm with a combiner, seeds averaged, failed cells left out', () => {
  const table = combinerWeightsText(runSet([
    cell('c00', true, 0, [0.2, 0.8]),
    cell('c01', true, 1, [0.4, 0.6]),
    cell('c02', true, 2, [9, 9], 'failed'),
    cell('c03', false, 0, null),
    cell('c04', false, 1, null),
  ]));
  assert.ok(table);
  assert.equal(table.header, ['model.combine', 'cells', ...CHALLENGE_CLASSES]);
  assert.equal(table.rows, [['true', '2', ...CHALLENGE_CLASSES.map(() => '0.30 / 0.70')]]);
});

test('no table, and no section in the report, when no cell has a combiner', () => {
  const set = runSet([cell('c00', false, 0, null), cell('c01', false, 1, null)]);
  assert.is(combinerWeightsText(set), undefined);
  assert.not.match(toMarkdown(buildComparison(set)), /Combiner weights/);
  const withCombiner = runSet([cell('c00', true, 0, [0.5, 0.5])]);
  assert.match(toMarkdown(buildComparison(withCombiner)), /## Combiner weights per class[^\n]*\n\n\| model\.combine \| cells \| NORM/);
});

test.run();
