/**
 * digitizer: a lead crop [B, H, W, 1] (greyscale, 1 = white) to the lead's
 * signal, differentiably.
 *
 *   logits [B, H, W, 1]  (U-Net, width free at run time)
 *   p(row | column)      = softmax over H of each column's logits
 *   row(column)          = sum_r r p(r | column)          (soft-argmax)
 *   mV(column)           = (baselineRow - row) / pxPerMv   (crop pixels)
 *   samples at fsHz      = columns-to-samples.ts's fixed matrix
 *
 * Why a per-column distribution: a trace is (almost) a function of x, so one
 * row per column is the right output shape; a softmax over the column makes
 * "where is the ink in this column" a classification the network learns
 * from a few hundred crops, and the soft-argmax reads it out with a
 * gradient, so the classification loss can reach these weights in the
 * end-to-end fine-tuning. Steep QRS flanks span many rows in one column; the
 * target row is the trace's position at the column's time, which is what
 * the challenge's resampled signal asks for.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import { type UNetSpec, unetBody, unetInput, validateUNet } from './unet.js';

export interface DigitizerSpec extends UNetSpec {
  readonly inputWidth: null;
  readonly seed: number;
}

export const DEFAULT_DIGITIZER: DigitizerSpec = { inputHeight: 64, inputWidth: null, widths: [16, 32, 64], seed: 0 };

/** crop [B, H, W, 1] -> per-pixel logits [B, H, W, 1]; W any multiple of 2^(widths.length - 1). */
export function buildDigitizer(spec: DigitizerSpec): tf.LayersModel {
  validateUNet('digitizer', spec);
  const rng = createRng(`digitizer:${spec.seed}`);
  const input = unetInput(spec, 'crop');
  const logits = unetBody(input, spec.widths, 1, rng);
  return tf.model({ inputs: input, outputs: logits, name: 'digitizer' });
}

/** logits [B, H, W, 1] -> log p(row | column), [B, W, H]. */
export function columnLogProbs(logits: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w] = logits.shape as [number, number, number, number];
    const byColumn = tf.transpose(tf.reshape(logits, [b, h, w]), [0, 2, 1]);
    return tf.logSoftmax(byColumn) as tf.Tensor3D;
  });
}

function rowIndex(height: number): tf.Tensor1D {
  return tf.range(0, height, 1, 'float32') as tf.Tensor1D;
}

/** Expected row per column, [B, W], in crop pixels (0 = top row). */
export function softArgmaxRows(logits: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const probs = tf.exp(columnLogProbs(logits));
    return tf.sum(tf.mul(probs, rowIndex(logits.shape[1] as number)), -1) as tf.Tensor2D;
  });
}

/** rows [B, W] -> mV [B, W]; baselineRow and pxPerMv are per crop ([B]), in crop pixels. */
export function rowsToMillivolts(rows: tf.Tensor2D, baselineRow: tf.Tensor1D, pxPerMv: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.sub(tf.expandDims(baselineRow, 1), rows), tf.expandDims(pxPerMv, 1)) as tf.Tensor2D);
}

export interface DigitizerLossOptions {
  /** Width (crop rows) of the Gaussian the target distribution spreads the GT row over; 0 < sigma. */
  readonly sigmaPx?: number;
  /** Weight of the L1 term on the soft-argmax row. */
  readonly l1Weight?: number;
}

/**
 * Cross-entropy of each column's distribution against a Gaussian around the
 * ground-truth row (a soft label: sub-pixel targets, and near misses cost
 * less than far ones), less the target's entropy (so the KL divergence: 0
 * for a perfect column, whatever sigma), plus l1Weight x |soft-argmax - row|, which sharpens
 * the readout where a distribution is bimodal (trace and a grid line).
 * Both are means over the columns with mask 1; masked columns (no ground
 * truth) contribute nothing. targetRows, mask: [B, W].
 */
export function digitizerLoss(
  logits: tf.Tensor,
  targetRows: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: DigitizerLossOptions = {},
): tf.Scalar {
  const sigma = options.sigmaPx ?? 1;
  const l1Weight = options.l1Weight ?? 0.1;
  return tf.tidy(() => {
    const height = logits.shape[1] as number;
    const logProbs = columnLogProbs(logits);
    const distance = tf.sub(rowIndex(height), tf.expandDims(targetRows, 2));
    const logTarget = tf.logSoftmax(tf.div(tf.neg(tf.square(distance)), 2 * sigma * sigma));
    const kl = tf.sum(tf.mul(tf.exp(logTarget), tf.sub(logTarget, logProbs)), -1);
    const rows = tf.sum(tf.mul(tf.exp(logProbs), rowIndex(height)), -1);
    const l1 = tf.abs(tf.sub(rows, targetRows));
    const perColumn = tf.add(kl, tf.mul(l1Weight, l1));
    return tf.div(tf.sum(tf.mul(perColumn, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * The 0 mV row when the page does not say (a user's scan): the median of the
 * read rows. An ECG lead sits on its isoelectric line most of the time, so
 * the median is the baseline to within a fraction of a millimetre, and the
 * challenge's SNR forgives a residual offset up to 1 mV by alignment.
 */
export function medianRow(rows: Float32Array): number {
  const finite = Array.from(rows).filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? (finite[mid] as number) : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
}
