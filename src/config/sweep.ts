/**
 * Sweep expansion. A sweep is a product of axes; an axis is a list of
 * assignments (dotted key -> value) and comes from one of:
 *   `key: [v1, v2]` or `grid: {key: [...]}`   one key, its values
 *   `zip: [{a: [...], b: [...]}]`              keys that vary together
 *   `seeds: [0, 1, 2]`                         seed.train: initialisation, batch
 *                                              order, dropout; data and pages
 *                                              stay fixed, so the cells share
 *                                              the data and render cache
 *                                              entries and one data digest
 *   `seeds: {data: [0, 1]}`                    seed.data instead (records,
 *                                              split, pages); `{data, train}`
 *                                              gives both axes, crossed
 *   `seed: [0, 1]` (grid, or `seed=0,1`)       the shorthand: seed.data and
 *                                              seed.train vary together
 * Cells that differ only in seed keys share a `group` (mean and CI in reports).
 *   `ofat: {baseline: {...}, vary: {k: [...]}}` one factor at a time around
 *                                              a baseline: one axis of
 *                                              1 + sum(len(values)) settings
 * `exclude: [{key: value | [values]}]` drops cells matching every key of an
 * entry. Command-line axes (`key=v1,v2`) replace a file axis on that key; a
 * single command-line value fixes the key and removes its axis.
 */
import { EcgError } from '../core/errors.js';
import { configMessages as msg } from '../core/messages.js';
import { hashValue, stableStringify } from '../core/hash.js';
import { isShorthand, schemaEntry, schemaLeafKeys, shorthandLeaves, type Values } from './compose.js';
import { isSeedKey } from './schema/run.js';
import { closestNames } from './suggest.js';

export type Assignment = Readonly<Values>;

export interface Cell {
  readonly index: number;
  /** Stable within the sweep: c00, c01, ... */
  readonly id: string;
  /** What this cell sets on top of the composed experiment. */
  readonly overrides: Assignment;
  /** Same for cells that differ only in seed keys (for mean and CI in reports). */
  readonly group: string;
}

interface Axis {
  readonly keys: readonly string[];
  readonly items: readonly Assignment[];
}

const SWEEP_FIELDS = new Set(['grid', 'zip', 'exclude', 'seeds', 'ofat']);

export interface SweepInput {
  readonly spec: unknown;
  readonly where: string;
  /** Axes from the command line (key -> values). */
  readonly cliAxes?: Readonly<Record<string, unknown[]>>;
  /** Keys fixed on the command line: their file axes are removed. */
  readonly cliFixed?: readonly string[];
}

export function expandSweep(input: SweepInput): Cell[] {
  const { where } = input;
  const spec = asMapping(input.spec ?? {}, 'sweep', where);
  const axes: Axis[] = [];
  const exclusions: Values[] = [];

  for (const [field, value] of Object.entries(spec)) {
    if (field === 'grid') {
      for (const [key, values] of Object.entries(asMapping(value, 'sweep.grid', where))) axes.push(keyAxis(key, values, where));
    } else if (field === 'zip') {
      for (const group of asList(value, 'zip', where)) axes.push(zipAxis(asMapping(group, 'sweep.zip[]', where), where));
    } else if (field === 'seeds') {
      axes.push(...seedAxes(value, where));
    } else if (field === 'ofat') {
      axes.push(ofatAxis(asMapping(value, 'sweep.ofat', where), where));
    } else if (field === 'exclude') {
      for (const entry of asList(value, 'exclude', where)) exclusions.push(asMapping(entry, 'sweep.exclude[]', where));
    } else if (field.includes('.') || schemaEntry(field) !== undefined || isShorthand(field)) {
      axes.push(keyAxis(field, value, where));
    } else if (!SWEEP_FIELDS.has(field)) {
      throw new EcgError('SWEEP_INVALID', msg.sweepUnknownField(field, where));
    }
  }

  const cliAxes = input.cliAxes ?? {};
  const replaced = new Set([...Object.keys(cliAxes), ...(input.cliFixed ?? [])].flatMap(shorthandLeaves));
  const kept = axes
    .map((axis) => dropKeys(axis, replaced))
    .filter((axis): axis is Axis => axis !== undefined);
  for (const [key, values] of Object.entries(cliAxes)) kept.push(keyAxis(key, values, 'command line'));

  checkDisjoint(kept, where);
  const assignments = product(kept).filter((cell) => !exclusions.some((ex) => matches(cell, ex)));
  if (assignments.length === 0) throw new EcgError('SWEEP_INVALID', msg.sweepEmpty(where));

  const width = String(assignments.length - 1).length < 2 ? 2 : String(assignments.length - 1).length;
  return assignments.map((overrides, index) => {
    const rest = Object.fromEntries(Object.entries(overrides).filter(([key]) => !isSeedKey(key)));
    return {
      index,
      id: `c${String(index).padStart(width, '0')}`,
      overrides,
      group: hashValue(rest, 10),
    };
  });
}

/** `seeds: [..]` varies seed.train; `seeds: {data: [..], train: [..]}` names the seed keys to vary. */
function seedAxes(value: unknown, where: string): Axis[] {
  if (Array.isArray(value)) return [keyAxis('seed.train', value, where)];
  return Object.entries(asMapping(value, 'sweep.seeds', where)).map(([part, values]) => {
    if (part !== 'data' && part !== 'train') throw new EcgError('SWEEP_INVALID', msg.unknownKey(`seeds.${part}`, where, ['seeds.data', 'seeds.train'], []));
    return keyAxis(`seed.${part}`, values, where);
  });
}

function keyAxis(key: string, values: unknown, where: string): Axis {
  if (isShorthand(key)) return zipAxis(Object.fromEntries(shorthandLeaves(key).map((leaf) => [leaf, values])), where);
  if (schemaEntry(key) === undefined) throw new EcgError('SWEEP_INVALID', msg.unknownKey(key, where, [], closestNames(key, schemaLeafKeys())));
  if (!Array.isArray(values) || values.length === 0) throw new EcgError('SWEEP_INVALID', msg.sweepValuesNotList(key, where));
  return { keys: [key], items: values.map((v) => ({ [key]: v })) };
}

function zipAxis(group: Values, where: string): Axis {
  const keys = Object.keys(group);
  const lists = keys.map((k) => {
    const axis = keyAxis(k, group[k], where);
    return axis.items.map((item) => item[k]);
  });
  const lengths = lists.map((l) => l.length);
  if (new Set(lengths).size > 1) throw new EcgError('SWEEP_INVALID', msg.sweepZipLengths(keys, lengths, where));
  const n = lengths[0] ?? 0;
  const items = Array.from({ length: n }, (_, i) => Object.fromEntries(keys.map((k, j) => [k, (lists[j] as unknown[])[i]])));
  return { keys, items };
}

function ofatAxis(spec: Values, where: string): Axis {
  const baseline = asMapping(spec['baseline'] ?? {}, 'sweep.ofat.baseline', where);
  const vary = asMapping(spec['vary'] ?? {}, 'sweep.ofat.vary', where);
  for (const key of Object.keys(baseline)) keyAxis(key, [baseline[key]], where);
  const items: Assignment[] = [{ ...baseline }];
  for (const [key, values] of Object.entries(vary)) {
    for (const item of keyAxis(key, values, where).items) {
      const cell = { ...baseline, ...item };
      if (!items.some((existing) => stableStringify(existing) === stableStringify(cell))) items.push(cell);
    }
  }
  const keys = [...new Set([...Object.keys(baseline), ...Object.keys(vary)])];
  return { keys, items };
}

function dropKeys(axis: Axis, keys: Set<string>): Axis | undefined {
  const remaining = axis.keys.filter((k) => !keys.has(k));
  if (remaining.length === axis.keys.length) return axis;
  if (remaining.length === 0) return undefined;
  const items = axis.items.map((item) => Object.fromEntries(remaining.map((k) => [k, item[k]])));
  const unique = items.filter((item, i) => items.findIndex((o) => stableStringify(o) === stableStringify(item)) === i);
  return { keys: remaining, items: unique };
}

function checkDisjoint(axes: readonly Axis[], where: string): void {
  const seen = new Set<string>();
  for (const axis of axes) {
    for (const key of axis.keys) {
      if (seen.has(key)) throw new EcgError('SWEEP_INVALID', msg.sweepKeyTwice(key, where));
      seen.add(key);
    }
  }
}

function product(axes: readonly Axis[]): Assignment[] {
  let cells: Assignment[] = [{}];
  for (const axis of axes) cells = cells.flatMap((cell) => axis.items.map((item) => ({ ...cell, ...item })));
  return cells;
}

function matches(cell: Assignment, exclusion: Values): boolean {
  return Object.entries(exclusion).every(([key, value]) =>
    Array.isArray(value)
      ? value.some((v) => stableStringify(v) === stableStringify(cell[key]))
      : stableStringify(value) === stableStringify(cell[key]),
  );
}

function asMapping(value: unknown, what: string, where: string): Values {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EcgError('SWEEP_INVALID', msg.notAMapping(what, where));
  }
  return value as Values;
}

function asList(value: unknown, what: string, where: string): unknown[] {
  if (!Array.isArray(value)) throw new EcgError('SWEEP_INVALID', msg.sweepValuesNotList(what, where));
  return value;
}
