/**
 * Differences against a baseline: `--baseline model.hierarchy=false,digitizer.roi=false`.
 * A row's baseline is the row with the named values and the row's own values
 * for every other key (same noise level, same seed), so a difference only
 * ever changes what the baseline names.
 */
import { EcgError } from '../core/errors.js';
import { reportMessages as msg } from '../core/messages.js';
import { coordText, coordValue, type CoordValue } from './run-set.js';

export type Baseline = Record<string, CoordValue>;

export function parseBaseline(text: string): Baseline {
  const out: Baseline = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new EcgError('USAGE', msg.badBaseline(text));
    out[pair.slice(0, eq).trim()] = coordValue(pair.slice(eq + 1).trim());
  }
  if (Object.keys(out).length === 0) throw new EcgError('USAGE', msg.badBaseline(text));
  return out;
}

export function baselineText(baseline: Baseline): string {
  return Object.entries(baseline)
    .map(([k, v]) => `${k}=${coordText(v)}`)
    .join(', ');
}

/** The coordinates of `coords`' baseline over `keys`. */
export function baselineCoords(coords: Record<string, CoordValue>, baseline: Baseline, keys: readonly string[]): Record<string, CoordValue> {
  return Object.fromEntries(keys.map((k) => [k, k in baseline ? (baseline[k] as CoordValue) : (coords[k] ?? null)]));
}

/** A stable key of coordinates over `keys` (for lookups). */
export function coordsKey(coords: Record<string, CoordValue>, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => coords[k] ?? null));
}
