/**
 * From the digitizer's column series to samples at a record's fs, as a fixed
 * matrix so that the step is a matMul and differentiable in tf.
 *
 * A crop with `columns` columns shows [startS, startS + durationS) of the
 * record. Column j sits at time startS + j columnStepS when the crop says
 * its column step (the training crops do: their box is cut so that columns
 * fall on the record's samples, page/lead-crop.ts), else its centre is at
 * startS + (j + 0.5) durationS / columns (columns spread over the span).
 * Sample k of the output grid (time k / fsHz) reads the columns with a
 * triangle kernel centred on its column coordinate
 *
 *   u_k = (k / fsHz - startS) / columnStepS            (step given)
 *   u_k = (k / fsHz - startS) columns / durationS - 0.5 (otherwise)
 *   w_kj = max(0, 1 - |u_k - j| / s),  s = max(1, columns per sample)
 *
 * normalised to sum 1: linear interpolation when upsampling (s = 1), a
 * triangle (anti-aliasing) average when there are more columns than samples.
 * Samples outside the crop's span get no weight and are reported as not
 * covered, so several crops (the 3x4 page's four column segments, the
 * rhythm strip) place their leads on one record-long grid.
 */
import * as tf from '@tensorflow/tfjs';

export interface ColumnSpan {
  readonly columns: number;
  readonly startS: number;
  readonly durationS: number;
  readonly fsHz: number;
  /** Samples of the output grid (record duration x fsHz). */
  readonly length: number;
  /** Seconds between columns, column 0 at startS; absent: columns spread over [startS, startS + durationS). */
  readonly columnStepS?: number;
}

export interface PlacementMatrix {
  /** [columns, length] row-major: output = series @ matrix. */
  readonly matrix: Float32Array;
  /** 1 where the crop covers the sample. */
  readonly coverage: Float32Array;
}

export function placementMatrix(p: ColumnSpan): PlacementMatrix {
  const matrix = new Float32Array(p.columns * p.length);
  const coverage = new Float32Array(p.length);
  const step = p.columnStepS ?? p.durationS / p.columns;
  const firstColumnS = p.columnStepS === undefined ? step / 2 : 0;
  const scale = Math.max(1, 1 / (step * p.fsHz));
  const reach = Math.ceil(scale);
  for (let k = 0; k < p.length; k++) {
    const offsetS = k / p.fsHz - p.startS;
    if (offsetS < 0 || offsetS >= p.durationS) continue;
    const u = (offsetS - firstColumnS) / step;
    const centre = Math.round(u);
    let total = 0;
    for (let j = centre - reach; j <= centre + reach; j++) {
      if (j < 0 || j >= p.columns) continue;
      total += Math.max(0, 1 - Math.abs(u - j) / scale);
    }
    if (total === 0) {
      // u lies within half a column of an edge with no neighbour: take the edge column.
      matrix[Math.min(p.columns - 1, Math.max(0, centre)) * p.length + k] = 1;
    } else {
      for (let j = centre - reach; j <= centre + reach; j++) {
        if (j < 0 || j >= p.columns) continue;
        const w = Math.max(0, 1 - Math.abs(u - j) / scale);
        if (w > 0) matrix[j * p.length + k] = w / total;
      }
    }
    coverage[k] = 1;
  }
  return { matrix, coverage };
}

/** series [N, columns] -> [N, length] on the record's grid (0 where not covered). */
export function resampleColumns(series: tf.Tensor2D, placement: Omit<ColumnSpan, 'columns'>): tf.Tensor2D {
  return tf.tidy(() => {
    const columns = series.shape[1];
    const { matrix } = placementMatrix({ ...placement, columns });
    return tf.matMul(series, tf.tensor2d(matrix, [columns, placement.length]));
  });
}
