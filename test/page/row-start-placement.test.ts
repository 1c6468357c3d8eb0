/**
 * page/lead-placement.ts placeOnRowStarts: a row's start from column bars is
 * taken far beyond the boxes' reach for other starts, but not a beat or a
 * panel away (QRS strokes taken for bars on a page without a grid): then the
 * row keeps its boxes and is named unmatched.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nominalPlacements, placeOnRowStarts, type RowStartCandidates } from '../../src/page/lead-placement.js';

const render = { layout: '3x4', rhythmLead: 'II', paper: 'letter', dpi: 100, speedMmPerS: 25, gainMmPerMv: 10 } as const;
const size = { width: 1100, height: 850 };
const pxPerMm = 100 / 25.4;
const pxPerS = 25 * pxPerMm;
const placements = nominalPlacements(render, size);
const rowsOf = (startX: (row: number) => number, fromBars: boolean): RowStartCandidates[] =>
  [...new Set(placements.map((p) => p.row))].map((row) => {
    const leads = placements.filter((p) => p.row === row);
    return { y: leads[0]!.baselineY, startsX: [startX(row)], fromBars };
  });
const boxStart = (row: number) => {
  const first = placements.filter((p) => p.row === row).reduce((a, b) => (b.startS < a.startS ? b : a));
  return first.box.x1 * (size.width - 1) - first.startS * pxPerS;
};

test('a start from bars 6 mm off the boxes is taken; from a pulse it is not (3 mm)', () => {
  for (const fromBars of [true, false]) {
    const rows = rowsOf((row) => boxStart(row) + 6 * pxPerMm, fromBars);
    const placed = placeOnRowStarts(placements, size, rows, 200, pxPerS, 3 * pxPerMm, 10 * pxPerMm);
    assert.equal(placed.unmatchedRows, fromBars ? [] : [0, 1, 2, 3]);
    const first = placed.placements.find((p) => p.row === 0 && p.startS === 0)!;
    const expected = fromBars ? boxStart(0) + 6 * pxPerMm : boxStart(0);
    assert.ok(Math.abs(first.box.x1 * (size.width - 1) - expected) < 1e-6, `${fromBars ? 'bars' : 'pulse'}: x1 ${first.box.x1 * (size.width - 1)}, expected ${expected}`);
  }
});

test('a start from bars 40 mm off the boxes (a panel of QRS strokes taken for bars) is not taken; without a limit it is', () => {
  const rows = rowsOf((row) => boxStart(row) - 40 * pxPerMm, true);
  assert.equal(placeOnRowStarts(placements, size, rows, 200, pxPerS, 3 * pxPerMm, 10 * pxPerMm).unmatchedRows, [0, 1, 2, 3]);
  assert.equal(placeOnRowStarts(placements, size, rows, 200, pxPerS, 3 * pxPerMm).unmatchedRows, []);
});

test.run();
