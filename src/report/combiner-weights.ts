/**
 * The combiner's learnt weights in a comparison (issue 17: "a combiner that
 * learns", shown per arm). The hierarchical stage logs, per class, the
 * weight on the image classifier's logit and on the signal classifier's
 * (`combiner/image_weight/<class>`, `combiner/signal_weight/<class>`). One
 * row per arm (the swept keys but the seeds), one column per class, each
 * "image / signal" averaged over the arm's finished cells; the arms whose
 * cells have no combiner (model.combine = false) are left out, and so is
 * the whole table when none has one. A blend that stayed at its start
 * reads 0.50 / 0.50.
 */
import { CHALLENGE_CLASSES } from '../core/ecg.js';
import type { TextTable } from './comparison.js';
import { coordText, isSeedKey, type CellResult, type RunSet } from './run-set.js';

export const COMBINER_WEIGHTS_TITLE = "Combiner weights per class: image / signal logit weight, mean over the arm's cells";

const IMAGE = 'combiner/image_weight/';
const SIGNAL = 'combiner/signal_weight/';

export function combinerWeightsText(set: RunSet): TextTable | undefined {
  const armKeys = set.sweptKeys.filter((k) => !isSeedKey(k));
  const arms = new Map<string, CellResult[]>();
  for (const cell of set.cells) {
    if (cell.status !== 'finished' || !CHALLENGE_CLASSES.some((c) => Number.isFinite(cell.metrics[`${IMAGE}${c}`]))) continue;
    const key = JSON.stringify(armKeys.map((k) => cell.coords[k] ?? null));
    arms.set(key, [...(arms.get(key) ?? []), cell]);
  }
  if (arms.size === 0) return undefined;
  const mean = (cells: readonly CellResult[], metric: string): string => {
    const values = cells.map((c) => c.metrics[metric]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length === 0 ? '-' : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(2);
  };
  const rows = [...arms.entries()].map(([key, cells]) => [
    ...(JSON.parse(key) as (string | number | boolean | null)[]).map((v) => coordText(v)),
    String(cells.length),
    ...CHALLENGE_CLASSES.map((c) => `${mean(cells, `${IMAGE}${c}`)} / ${mean(cells, `${SIGNAL}${c}`)}`),
  ]);
  return { header: [...armKeys, 'cells', ...CHALLENGE_CLASSES], rows };
}
