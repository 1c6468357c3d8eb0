import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandSweep } from '../../src/config/sweep.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { isEcgError } from '../../src/core/errors.js';

const where = 'test.yaml';

function refused(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (error) {
    assert.ok(isEcgError(error, 'SWEEP_INVALID'), String(error));
    for (const part of parts) assert.ok((error as Error).message.includes(part), `"${(error as Error).message}" lacks "${part}"`);
    return;
  }
  assert.unreachable('should have been refused');
}

test('a 2x3x2 grid gives 12 cells, every combination once, first key slowest', () => {
  const cells = expandSweep({
    spec: { 'model.hierarchy': [true, false], grid: { 'render.noise': [0, 0.25, 0.5] }, 'digitizer.roi': [true, false] },
    where,
  });
  assert.is(cells.length, 12);
  const seen = new Set(cells.map((c) => JSON.stringify([c.overrides['model.hierarchy'], c.overrides['render.noise'], c.overrides['digitizer.roi']])));
  assert.is(seen.size, 12);
  for (const h of [true, false]) for (const n of [0, 0.25, 0.5]) for (const r of [true, false]) assert.ok(seen.has(JSON.stringify([h, n, r])));
  assert.equal(cells[0]!.overrides, { 'model.hierarchy': true, 'render.noise': 0, 'digitizer.roi': true });
  assert.equal(cells[1]!.overrides, { 'model.hierarchy': true, 'render.noise': 0, 'digitizer.roi': false });
  assert.equal(cells[11]!.overrides, { 'model.hierarchy': false, 'render.noise': 0.5, 'digitizer.roi': false });
  assert.equal(cells.map((c) => c.id).slice(0, 3), ['c00', 'c01', 'c02']);
});

test('no sweep is one cell with no overrides', () => {
  const cells = expandSweep({ spec: undefined, where });
  assert.is(cells.length, 1);
  assert.equal(cells[0]!.overrides, {});
});

test('zipped keys vary together', () => {
  const cells = expandSweep({ spec: { zip: [{ 'render.noise': [0, 0.5], 'render.dpi': [100, 200] }], 'model.hierarchy': [true, false] }, where });
  assert.is(cells.length, 4);
  for (const c of cells) assert.is(c.overrides['render.dpi'], c.overrides['render.noise'] === 0 ? 100 : 200);
  refused(() => expandSweep({ spec: { zip: [{ 'render.noise': [0, 0.5], 'render.dpi': [100] }] }, where }), 'equal length', '2, 1');
});

test('excluded combinations are dropped', () => {
  const cells = expandSweep({
    spec: { 'digitizer.roi': [true, false], 'digitizer.denoise': [true, false], exclude: [{ 'digitizer.roi': false, 'digitizer.denoise': true }] },
    where,
  });
  assert.is(cells.length, 3);
  assert.not.ok(cells.some((c) => c.overrides['digitizer.roi'] === false && c.overrides['digitizer.denoise'] === true));
});

test('seed axis: `seeds` varies seed.train, and cells differing only in it share a group', () => {
  const cells = expandSweep({ spec: { 'render.noise': [0, 0.5], seeds: [0, 1, 2] }, where });
  assert.is(cells.length, 6);
  assert.ok(cells.every((c) => !('seed.data' in c.overrides)), 'data seed held fixed');
  const groups = new Map<string, number[]>();
  for (const c of cells) groups.set(c.group, [...(groups.get(c.group) ?? []), c.overrides['seed.train'] as number]);
  assert.is(groups.size, 2);
  for (const seeds of groups.values()) assert.equal(seeds.sort(), [0, 1, 2]);
});

test('seed axis: `seeds: {data: [..]}` varies seed.data; a `seed` grid or `seed=0,1` varies both together', () => {
  const data = expandSweep({ spec: { seeds: { data: [0, 1] } }, where });
  assert.equal(data.map((c) => c.overrides), [{ 'seed.data': 0 }, { 'seed.data': 1 }]);
  assert.is(new Set(data.map((c) => c.group)).size, 1);
  const crossed = expandSweep({ spec: { seeds: { data: [0, 1], train: [0, 1] } }, where });
  assert.is(crossed.length, 4);
  assert.is(new Set(crossed.map((c) => c.group)).size, 1);
  const both = expandSweep({ spec: { seed: [4, 5] }, where });
  assert.equal(both.map((c) => c.overrides), [{ 'seed.data': 4, 'seed.train': 4 }, { 'seed.data': 5, 'seed.train': 5 }]);
  const cli = parseOverrides(['seed=0,1']);
  const fromCli = expandSweep({ spec: { seeds: [7, 8, 9] }, where, cliAxes: cli.axes, cliFixed: Object.keys(cli.values) });
  assert.equal(fromCli.map((c) => c.overrides), [{ 'seed.data': 0, 'seed.train': 0 }, { 'seed.data': 1, 'seed.train': 1 }], 'the command-line seed axis replaces the file seeds');
  const fixed = parseOverrides(['seed=3']);
  assert.equal(fixed.values, { 'seed.data': 3, 'seed.train': 3 });
  assert.is(expandSweep({ spec: { seeds: [0, 1] }, where, cliFixed: Object.keys(fixed.values) }).length, 1, 'a fixed seed removes the seeds axis');
  refused(() => expandSweep({ spec: { seeds: { init: [0] } }, where }), 'seeds.init');
});

test('one factor at a time around a baseline', () => {
  const cells = expandSweep({
    spec: { ofat: { baseline: { 'render.noise': 0, 'model.hierarchy': true }, vary: { 'render.noise': [0.25, 0.5], 'model.hierarchy': [false] } } },
    where,
  });
  assert.equal(
    cells.map((c) => c.overrides),
    [
      { 'render.noise': 0, 'model.hierarchy': true },
      { 'render.noise': 0.25, 'model.hierarchy': true },
      { 'render.noise': 0.5, 'model.hierarchy': true },
      { 'render.noise': 0, 'model.hierarchy': false },
    ],
  );
});

test('command-line axes add to or replace file axes; a fixed value removes an axis', () => {
  const parsed = parseOverrides(['render.noise=0,0.25,0.5', 'train.epochs=4', 'model.hierarchy=true,false']);
  assert.equal(parsed.axes['render.noise'], [0, 0.25, 0.5]);
  assert.is(parsed.values['train.epochs'], 4);
  const cells = expandSweep({
    spec: { 'render.noise': [0, 1], 'train.epochs': [1, 2] },
    where,
    cliAxes: parsed.axes,
    cliFixed: Object.keys(parsed.values),
  });
  assert.is(cells.length, 6);
  assert.ok(cells.every((c) => c.overrides['train.epochs'] === undefined));
  assert.equal([...new Set(cells.map((c) => c.overrides['render.noise']))], [0, 0.25, 0.5]);
});

test('a bracketed list is one value, not a sweep', () => {
  const parsed = parseOverrides(['model.classifier2d.widths=[8,16]']);
  assert.equal(parsed.values['model.classifier2d.widths'], [8, 16]);
  assert.equal(parsed.axes, {});
});

test('bad sweeps are refused with the reason', () => {
  refused(() => expandSweep({ spec: { 'render.noize': [0, 1] }, where }), 'render.noize');
  refused(() => expandSweep({ spec: { 'render.noise': 0.5 }, where }), 'sweep.render.noise must be a non-empty list');
  refused(() => expandSweep({ spec: { 'render.noise': [0], zip: [{ 'render.noise': [0.5], 'render.dpi': [100] }] }, where }), "'render.noise' appears on more than one axis");
  refused(() => expandSweep({ spec: { 'render.noise': [0], exclude: [{ 'render.noise': 0 }] }, where }), 'no cells left');
  refused(() => expandSweep({ spec: { grids: {} }, where }), "no field 'grids'");
});

test.run();
