/**
 * roi: where the leads are on a page. A U-Net maps the page, resized to
 * [inputHeight, inputWidth], to a per-pixel logit of "inside a lead's box";
 * roi-boxes.ts turns the heatmap into one box per lead.
 *
 * Why a segmentation heatmap rather than box regression:
 * - Supervision is dense: every pixel of every training page is a target
 *   (the renderer's lead boxes, rasterised by `rasterizeBoxes`), where a
 *   regressor gets 4 numbers per lead. On the few hundred synthetic pages a
 *   quickstart trains on, that difference decides whether it learns at all.
 * - A fully convolutional net is translation-equivariant: a page shifted or
 *   cropped by a scan moves the heatmap with it, while a regressor has to
 *   learn the shift from a global pooled feature and tends to predict the
 *   mean layout.
 * - The layout fixes how many boxes there are and their order (3x4 plus the
 *   rhythm strip: 13), so the detector only has to find row bands and column
 *   extents; projecting the heatmap onto the nominal rows and columns does
 *   that robustly (a few stray pixels do not move a mean profile) with no
 *   anchor boxes, NMS or matching loss.
 * - Under small rotations the band widens instead of the box jumping, and
 *   the crop keeps the trace.
 * What it gives up: it cannot tell leads of the same row apart by content;
 * columns come from the layout's equal time split, which is what the
 * renderer (and the challenge's generator) draw.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import { type UNetSpec, unetBody, unetInput, validateUNet } from './unet.js';

export interface RoiSpec extends UNetSpec {
  readonly inputWidth: number;
  readonly seed: number;
}

export const DEFAULT_ROI: RoiSpec = { inputHeight: 128, inputWidth: 160, widths: [8, 16, 32], seed: 0 };

/** page [B, H, W, 1] -> lead-region logits [B, H, W, 1]. */
export function buildRoi(spec: RoiSpec): tf.LayersModel {
  validateUNet('roi', spec);
  const rng = createRng(`roi:${spec.seed}`);
  const input = unetInput(spec, 'page');
  const logits = unetBody(input, spec.widths, 1, rng);
  return tf.model({ inputs: input, outputs: logits, name: 'roi' });
}

/**
 * Per-pixel sigmoid cross-entropy plus a soft Dice term (Milletari et al.,
 * V-Net, 2016): cross-entropy gives smooth early gradients, Dice keeps the
 * thin gaps between rows from being drowned by the large lead regions.
 */
export function roiLoss(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const ce = tf.losses.sigmoidCrossEntropy(target, logits) as tf.Scalar;
    const probs = tf.sigmoid(logits);
    const overlap = tf.sum(tf.mul(probs, target));
    const total = tf.add(tf.sum(probs), tf.sum(target));
    const dice = tf.sub(1, tf.div(tf.add(tf.mul(2, overlap), 1), tf.add(total, 1)));
    return tf.add(ce, dice) as tf.Scalar;
  });
}
