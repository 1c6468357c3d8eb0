/**
 * Many crops -> one [B, length, leads] signal tensor, differentiably.
 *
 * Each crop's column series is placed on its record's time grid with
 * columns-to-samples.ts's matrix (zero outside the crop's span); the placed rows are
 * summed into their (example, lead) slot by a fixed 0/1 assembly matrix and
 * divided by how many crops cover each sample, so where a 3x4 page draws
 * lead II twice (its 2.5 s segment and the rhythm strip) the two readings
 * are averaged, and a sample no crop covers is 0 (the classifier sees the
 * page's gaps as flat line, as the challenge's own zero-filled signals).
 * Everything but the series is a constant, built in JavaScript.
 */
import * as tf from '@tensorflow/tfjs';
import { placementMatrix } from './columns-to-samples.js';

export interface CropPlacement {
  /** Index of the record within the batch. */
  readonly example: number;
  /** Index of the lead (LEADS order). */
  readonly lead: number;
  /** Time of the crop's left edge, seconds from the record's start. */
  readonly startS: number;
  /** Time of the record the crop shows. */
  readonly durationS: number;
  /** Seconds between columns, column 0 at startS (columns-to-samples.ts); absent: columns spread over durationS. */
  readonly columnStepS?: number;
}

export interface SignalGrid {
  readonly examples: number;
  readonly leads: number;
  readonly fsHz: number;
  /** Samples per lead. */
  readonly length: number;
}

/** A batch of crops of one width: series [n, columns], one placement per row. */
export interface SeriesGroup {
  readonly series: tf.Tensor2D;
  readonly placements: readonly CropPlacement[];
}

function placeGroup(group: SeriesGroup, grid: SignalGrid): { placed: tf.Tensor2D; coverage: Float32Array[] } {
  const columns = group.series.shape[1];
  const bySpan = new Map<string, number[]>();
  group.placements.forEach((p, i) => {
    const key = `${p.startS}:${p.durationS}:${p.columnStepS ?? ''}`;
    bySpan.set(key, [...(bySpan.get(key) ?? []), i]);
  });
  const order: number[] = [];
  const parts: tf.Tensor2D[] = [];
  const coverage: Float32Array[] = new Array<Float32Array>(group.placements.length);
  for (const rows of bySpan.values()) {
    const first = group.placements[rows[0] as number] as CropPlacement;
    const step = first.columnStepS === undefined ? {} : { columnStepS: first.columnStepS };
    const m = placementMatrix({ columns, startS: first.startS, durationS: first.durationS, fsHz: grid.fsHz, length: grid.length, ...step });
    const selected = tf.gather(group.series, tf.tensor1d(rows, 'int32'));
    parts.push(tf.matMul(selected, tf.tensor2d(m.matrix, [columns, grid.length])));
    for (const r of rows) coverage[r] = m.coverage;
    order.push(...rows);
  }
  const inverse = new Int32Array(order.length);
  order.forEach((row, position) => (inverse[row] = position));
  const placed = tf.gather(tf.concat(parts, 0), tf.tensor1d(inverse, 'int32')) as tf.Tensor2D;
  return { placed, coverage };
}

/** Groups of crop series -> signals [examples, length, leads]. */
export function assembleLeads(groups: readonly SeriesGroup[], grid: SignalGrid): tf.Tensor3D {
  return tf.tidy(() => {
    const placedParts: tf.Tensor2D[] = [];
    const placements: CropPlacement[] = [];
    const coverage: Float32Array[] = [];
    for (const group of groups) {
      const placed = placeGroup(group, grid);
      placedParts.push(placed.placed);
      placements.push(...group.placements);
      coverage.push(...placed.coverage);
    }
    const slots = grid.examples * grid.leads;
    const n = placements.length;
    const assembly = new Float32Array(slots * n);
    const covered = new Float32Array(slots * grid.length);
    placements.forEach((p, i) => {
      const slot = p.example * grid.leads + p.lead;
      assembly[slot * n + i] = 1;
      const c = coverage[i] as Float32Array;
      for (let k = 0; k < grid.length; k++) covered[slot * grid.length + k] = (covered[slot * grid.length + k] as number) + (c[k] as number);
    });
    const inverseCount = covered.map((count) => 1 / Math.max(1, count));
    const summed = tf.matMul(tf.tensor2d(assembly, [slots, n]), tf.concat(placedParts, 0));
    const averaged = tf.mul(summed, tf.tensor2d(inverseCount, [slots, grid.length]));
    return tf.transpose(tf.reshape(averaged, [grid.examples, grid.leads, grid.length]), [0, 2, 1]) as tf.Tensor3D;
  });
}
