/**
 * page/lead-placement.ts placeOnRowStarts: a row's start from column bars is
 * taken far beyond the boxes' reach for other starts, but not a beat or a
 * panel away (QRS strokes taken for bars on a page without a grid): then the
 * row keeps its boxes and is named unmatched. And boxesPxPerS, the scale a
 * page without a grid takes from its ROI boxes: one px per second fitted to
 * every panel's edges, each row at its own offset.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boxesPxPerS, nominalPlacements, placeOnRowStarts, type LeadPlacement, type RowStartCandidates } from '../../src/page/lead-placement.js';
import { createRng } from '../../src/core/rng.js';

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

/** The placements of a page drawn `zoom` times larger about x = 0, each row `rowShiftPx(row)` to the right, every edge jittered by up to `jitterPx`. */
function drawnAt(zoom: number, rowShiftPx: (row: number) => number, jitterPx: number): LeadPlacement[] {
  const rng = createRng('boxes-scale');
  const x = (v: number, row: number) => (v * (size.width - 1) * zoom + rowShiftPx(row) + rng.uniform(-jitterPx, jitterPx)) / (size.width - 1);
  return placements.map((p) => ({ ...p, box: { ...p.box, x1: x(p.box.x1, p.row), x2: x(p.box.x2, p.row) } }));
}

test('boxesPxPerS: the page scale from nominal boxes; 1.08 times it from boxes of a page drawn 8 % larger with rows apart, within 0.5 % at 2 px of jitter', () => {
  const nominal = boxesPxPerS(placements, size)!;
  assert.ok(Math.abs(nominal / pxPerS - 1) < 1e-3, `nominal: ${nominal} against ${pxPerS}`);
  const exact = boxesPxPerS(drawnAt(1.08, (row) => 7 * row, 0), size)!;
  assert.ok(Math.abs(exact / (1.08 * nominal) - 1) < 1e-9, `zoomed: ${exact} against ${1.08 * nominal}`);
  const jittered = boxesPxPerS(drawnAt(1.08, (row) => 7 * row, 2), size)!;
  assert.ok(Math.abs(jittered / (1.08 * nominal) - 1) < 0.005, `jittered: ${jittered} against ${1.08 * nominal}`);
});

test('boxesPxPerS: undefined where the edges pin no scale (no time between them)', () => {
  assert.is(boxesPxPerS([], size), undefined);
  assert.is(boxesPxPerS(placements.map((p) => ({ ...p, startS: 0, endS: 0 })), size), undefined);
});

test.run();
