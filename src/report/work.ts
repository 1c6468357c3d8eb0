/**
 * What the numbers were computed on: split, data (source and digest) and
 * noise level. Every table names it, so that two figures are only compared
 * on the same work (DESIGN.md, Metrics).
 */
import { NOISE_KEY, coordText, compareCoords, type CellResult, type CoordValue } from './run-set.js';

export interface Work {
  /** The split the metrics are computed on (tag eval.split; the runner scores the test split). */
  split: string;
  /** One entry per distinct data set: `synthetic (digest 3f2a91c0)`. */
  data: string[];
  /** Noise levels of the cells (render.noise). */
  noise: CoordValue[];
}

export function workOf(cells: readonly CellResult[]): Work {
  const started = cells.filter((c) => c.status !== 'missing');
  const split = distinct(started.map((c) => c.tags['eval.split'] ?? 'test')).join(', ') || 'test';
  const data = distinct(dataCells(cells).map((c) => dataText(c.tags)));
  const noise = distinctCoords(cells.map((c) => c.coords[NOISE_KEY] ?? c.params[NOISE_KEY]).filter((v): v is CoordValue => v !== undefined));
  return { split, data, noise };
}

/**
 * The cells whose data is known: those that ran their data stage and so
 * carry data.digest. A cell still pending, or one that failed before its
 * data stage, tells nothing about the data and never makes the runs look
 * mixed. Without any digest (runs from before digests), every started cell.
 */
export function dataCells(cells: readonly CellResult[]): CellResult[] {
  const started = cells.filter((c) => c.status !== 'missing' && c.status !== 'pending');
  const digested = started.filter((c) => c.tags['data.digest'] !== undefined);
  return digested.length > 0 ? digested : started;
}

export function dataText(tags: Record<string, string>): string {
  const source = tags['data.source'] ?? 'unknown data';
  const digest = tags['data.digest'];
  return digest ? `${source} (digest ${digest.slice(0, 12)})` : `${source} (no digest)`;
}

/** One line for the head of a table: `split: test · data: synthetic (digest …) · noise: render.noise = 0, 0.5`. */
export function workLine(work: Work, noiseWhere?: string): string {
  const noise = work.noise.length === 0 ? 'not recorded' : `${NOISE_KEY} = ${work.noise.map(coordText).join(', ')}${noiseWhere ? ` (${noiseWhere})` : ''}`;
  return `split: ${work.split} · data: ${work.data.join('; ') || 'not recorded'} · noise: ${noise}`;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function distinctCoords(values: readonly CoordValue[]): CoordValue[] {
  const seen = new Map<string, CoordValue>();
  for (const v of values) seen.set(JSON.stringify(v), v);
  return [...seen.values()].sort(compareCoords);
}
