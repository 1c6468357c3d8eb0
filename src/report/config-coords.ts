/**
 * The coordinates reports group by, taken from what each cell ran with, not
 * only from what its sweep listed. A cell's sweep coordinates are its
 * overrides; two sweeps compared side by side may have set the same key
 * differently and elsewhere (one swept render.noise, the other fixed it on
 * the command line), and may differ in keys neither swept. So:
 *   - every key some cell has as a coordinate is read, for every cell, from
 *     the cell's coordinates, else from its flattened config (params);
 *   - every config key whose value differs between the cells (seed aside,
 *     and the bookkeeping keys experiment.* and tracking.*, which change no
 *     result) becomes a coordinate too, so cells that differ beyond the seed
 *     are never pooled: they land in separate rows, the key named.
 * A cell that never started has no params: it takes those of a started cell
 * of its own sweep (a sweep's cells differ only in their coordinates).
 */
import { stableStringify } from '../core/hash.js';
import { isSeedKey, coordValue, unionKeys, type CellResult, type CoordValue } from './run-set.js';

/** Config keys that name or route a run but do not change its numbers. */
const BOOKKEEPING = /^(experiment|tracking)\./;

export interface ConfigCoords {
  cells: CellResult[];
  /** The sweeps' own keys first (in the order they list them), then keys that differ otherwise. */
  sweptKeys: string[];
}

export function withConfigCoords(cells: readonly CellResult[]): ConfigCoords {
  const configs = cells.map((cell) => configOf(cell, cells));
  const swept = unionKeys(cells.map((c) => c.coords));
  const known = configs.filter((c): c is Record<string, CoordValue> => c !== undefined);
  const differing = unionKeys(known)
    .filter((key) => !isSeedKey(key) && !BOOKKEEPING.test(key) && !swept.includes(key))
    .filter((key) => new Set(known.map((config) => stableStringify(config[key] ?? null))).size > 1);
  const sweptKeys = [...swept, ...differing];
  return {
    sweptKeys,
    cells: cells.map((cell, i) => ({
      ...cell,
      coords: Object.fromEntries(sweptKeys.map((key) => [key, key in cell.coords ? (cell.coords[key] as CoordValue) : coordValue(configs[i]?.[key])])),
    })),
  };
}

/** The cell's flattened config: its params, or a started sibling's with the cell's own coordinates. */
function configOf(cell: CellResult, cells: readonly CellResult[]): Record<string, CoordValue> | undefined {
  if (Object.keys(cell.params).length > 0) return cell.params;
  const sibling = cells.find((c) => c.experiment === cell.experiment && c.sweepId === cell.sweepId && Object.keys(c.params).length > 0);
  if (!sibling) return undefined;
  const config = { ...sibling.params };
  for (const key of Object.keys(sibling.coords)) delete config[key];
  return { ...config, ...cell.coords };
}
