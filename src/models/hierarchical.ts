/**
 * The hierarchical model (Dege et al., CinC 2024, steps 3 and 4): the image
 * classifier's logits and the 1-D classifier's logits on the digitized leads,
 * combined by combiner.ts; and the end-to-end path that lets the
 * classification loss reach the digitizer:
 *
 *   page --cropAndResize(boxes), crop-cut.ts--> crops --denoiser?--> digitizer logits
 *     --soft-argmax, (baseline - row) / pxPerMv--> column series (mV)
 *     --assemble-leads (fixed matrices)--> signals [B, T, 12]
 *     --classifier1d--> signal logits  \
 *   low-res page --classifier2d--> image logits --combiner--> logits --> loss
 *
 * Every step after the crop is differentiable in the models' weights. The
 * crop itself has no gradient in tfjs 4.22 (no CropAndResize gradient is
 * registered), which is fine: boxes come from the ROI model or the layout,
 * the page is data, and nothing trainable lies before the crop.
 *
 * Without a combiner (model.combine = false) the output is the image
 * classifier's logits and the signal branch is supervised only by its own
 * (auxiliary) loss: fine-tuning then still lets a classification loss reach
 * the digitizer, through the 1-D classifier, but the reported classifier
 * is the 2-D one. Neither combined nor fine-tuned: classifier2d alone
 * (forward.ts), no page pass at all.
 */
import * as tf from '@tensorflow/tfjs';
import { LEADS } from '../core/ecg.js';
import { assembleLeads, type CropPlacement, type SeriesGroup } from './leads/assemble-leads.js';
import { digitizerLoss, type DigitizerLossOptions, rowsToMillivolts, softArgmaxRows } from './digitizer.js';
import { classificationLoss, type ClassificationLoss, classify, type Mode, outputOf } from './forward.js';
import { cutCropTensor } from './leads/crop-cut.js';
import type { LeadCrop } from '../page/lead-crop.js';
import { trainableVariables } from './variables.js';
import { concatFloat32 } from '../core/typed-arrays.js';

export interface HierarchicalParts {
  readonly classifier2d: tf.LayersModel;
  /** null when digitizer.denoise = false. */
  readonly denoiser: tf.LayersModel | null;
  readonly digitizer: tf.LayersModel;
  readonly classifier1d: tf.LayersModel;
  /** null when model.combine = false: the output is the image classifier's logits. */
  readonly combiner: tf.LayersModel | null;
}

/**
 * One lead crop of one page of a batch: the page's LeadCrop (page/lead-crop.ts;
 * targets optional, the digitizer term skips crops without) and the index
 * of its page in the batch.
 */
export interface CropRequest extends Omit<LeadCrop, 'targetRows' | 'targetMask'>, CropPlacement {
  readonly example: number;
  /** Digitizer ground truth (page/crop-geometry.ts columnTargets), for the optional digitizer term. */
  readonly targetRows?: Float32Array;
  readonly targetMask?: Float32Array;
}

/** A page's LeadCrop as the crop of page `example` of a batch. */
export function cropRequest(crop: Omit<LeadCrop, 'targetRows' | 'targetMask'>, example: number): CropRequest {
  return { ...crop, example };
}

export interface HierarchicalBatch {
  /** classifier2d's input [B, h, w, 1]. */
  readonly lowRes: tf.Tensor4D;
  /** The page the crops are cut from, [B, H, W, 1]. */
  readonly page: tf.Tensor4D;
  readonly crops: readonly CropRequest[];
  /** 0/1 labels [B, classes], for the loss. */
  readonly labels?: tf.Tensor2D;
}

export interface SignalGeometry {
  readonly cropHeight: number;
  /** classifier1d's sampling: fsHz and samples per lead (its spec's length). */
  readonly fsHz: number;
  readonly length: number;
}

export interface CropGroupOutput {
  readonly crops: readonly CropRequest[];
  /** Digitizer logits [n, cropHeight, columns, 1]. */
  readonly logits: tf.Tensor4D;
}

export interface HierarchicalOutput {
  readonly logits: tf.Tensor2D;
  readonly imageLogits: tf.Tensor2D;
  readonly signalLogits: tf.Tensor2D;
  /** Digitized leads on classifier1d's grid, [B, length, 12], mV. */
  readonly signals: tf.Tensor3D;
  readonly groups: readonly CropGroupOutput[];
}

function groupByColumns(crops: readonly CropRequest[]): CropRequest[][] {
  const groups = new Map<number, CropRequest[]>();
  for (const crop of crops) groups.set(crop.columns, [...(groups.get(crop.columns) ?? []), crop]);
  return [...groups.values()];
}

/** The whole forward pass. Call inside tf.tidy (or a loss function) and dispose what you keep. */
export function hierarchicalForward(
  parts: HierarchicalParts,
  batch: HierarchicalBatch,
  geometry: SignalGeometry,
  mode: Mode,
): HierarchicalOutput {
  const groups: CropGroupOutput[] = [];
  const series: SeriesGroup[] = [];
  for (const crops of groupByColumns(batch.crops)) {
    const columns = (crops[0] as CropRequest).columns;
    const cut = cutCropTensor(batch.page, crops, geometry.cropHeight, columns);
    const input = parts.denoiser ? outputOf(parts.denoiser, cut, mode) : cut;
    const logits = outputOf(parts.digitizer, input, mode) as tf.Tensor4D;
    const rows = softArgmaxRows(logits);
    const baseline = tf.tensor1d(crops.map((c) => c.baselineRow));
    const scale = tf.tensor1d(crops.map((c) => c.pxPerMv));
    series.push({ series: rowsToMillivolts(rows, baseline, scale), placements: crops });
    groups.push({ crops, logits });
  }
  const examples = batch.lowRes.shape[0];
  const signals = assembleLeads(series, { examples, leads: LEADS.length, fsHz: geometry.fsHz, length: geometry.length });
  const image = classify(parts.classifier2d, batch.lowRes, mode);
  const signal = classify(parts.classifier1d, signals, mode);
  const logits = parts.combiner ? (outputOf(parts.combiner, [image.logits, signal.logits], mode) as tf.Tensor2D) : image.logits;
  return { logits, imageLogits: image.logits, signalLogits: signal.logits, signals, groups };
}

export interface HierarchicalLossOptions {
  /** Weight of each classifier's own loss beside the combined one (deep supervision); default 0.5. */
  readonly auxWeight?: number;
  /** Weight of the digitizer's loss where crops carry targets; default 0 (classification only). */
  readonly digitizerWeight?: number;
  readonly digitizer?: DigitizerLossOptions;
  /** The classification loss of every term (train.loss); bce by default. */
  readonly classification?: ClassificationLoss;
}

/**
 * L(output) + auxWeight (L(image) + L(signal)) + digitizerWeight x
 * digitizer loss, L the classification loss (bce unless told). The
 * auxiliary terms keep each branch a classifier on its own during
 * fine-tuning; the digitizer term keeps the signals signals (the
 * classification loss alone would let the digitizer drift into any feature
 * the 1-D classifier likes). Without a combiner the output is the image
 * branch, so L(image) counts 1 + auxWeight times.
 *
 * The parts run in inference mode while their weights are fine-tuned:
 * batch norm keeps the statistics each part learned in its own stage (an
 * end-to-end batch is a few pages, too few for batch statistics of the
 * image classifier), and dropout is off. The loss is then a plain mean over
 * the pages, so a batch split into micro-batches (train-loop.ts) gets
 * exactly the gradient of the whole batch, one page at a time if memory
 * asks for it.
 */
export function hierarchicalLoss(
  parts: HierarchicalParts,
  batch: HierarchicalBatch,
  geometry: SignalGeometry,
  options: HierarchicalLossOptions = {},
): tf.Scalar {
  const labels = batch.labels;
  if (!labels) throw new TypeError('hierarchicalLoss needs batch.labels');
  const auxWeight = options.auxWeight ?? 0.5;
  const digitizerWeight = options.digitizerWeight ?? 0;
  return tf.tidy(() => {
    const out = hierarchicalForward(parts, batch, geometry, { training: false });
    const lossOf = (logits: tf.Tensor2D) => classificationLoss(logits, labels, options.classification);
    let loss = lossOf(out.logits);
    if (auxWeight > 0) {
      const aux = tf.add(lossOf(out.imageLogits), lossOf(out.signalLogits));
      loss = tf.add(loss, tf.mul(auxWeight, aux));
    }
    if (digitizerWeight > 0) {
      for (const group of out.groups) {
        const withTargets = group.crops.every((c) => c.targetRows && c.targetMask);
        if (!withTargets) continue;
        const width = group.logits.shape[2];
        const rows = tf.tensor2d(concatFloat32(group.crops.map((c) => c.targetRows as Float32Array)), [group.crops.length, width]);
        const mask = tf.tensor2d(concatFloat32(group.crops.map((c) => c.targetMask as Float32Array)), [group.crops.length, width]);
        loss = tf.add(loss, tf.mul(digitizerWeight, digitizerLoss(group.logits, rows, mask, options.digitizer)));
      }
    }
    return loss as tf.Scalar;
  });
}


/** Probabilities [B, classes] of the combined model, for inference. */
export function hierarchicalProbabilities(parts: HierarchicalParts, batch: HierarchicalBatch, geometry: SignalGeometry): tf.Tensor2D {
  return tf.tidy(() => tf.sigmoid(hierarchicalForward(parts, batch, geometry, { training: false }).logits));
}

/** All trainable weights of the parts, for end-to-end fine-tuning. */
export function hierarchicalVariables(parts: HierarchicalParts): tf.Variable[] {
  const models = [parts.classifier2d, parts.denoiser, parts.digitizer, parts.classifier1d, parts.combiner];
  return trainableVariables(...models.filter((m): m is tf.LayersModel => m !== null));
}
