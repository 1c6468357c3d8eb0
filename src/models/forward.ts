/**
 * Calling the models eagerly: `model.apply(x, { training })` records on the
 * gradient tape (what the train loop needs) and switches dropout and batch
 * norm between training and inference; these helpers give its loosely typed
 * result one shape.
 */
import * as tf from '@tensorflow/tfjs';
import { EcgError } from '../core/errors.js';
import { modelMessages } from '../core/messages.js';

export interface Mode {
  readonly training: boolean;
}

export function outputsOf(model: tf.LayersModel, input: tf.Tensor | tf.Tensor[], mode: Mode): tf.Tensor[] {
  const out = model.apply(input, { training: mode.training });
  return (Array.isArray(out) ? out : [out]) as tf.Tensor[];
}

export function outputOf(model: tf.LayersModel, input: tf.Tensor | tf.Tensor[], mode: Mode): tf.Tensor {
  const [first, ...rest] = outputsOf(model, input, mode);
  tf.dispose(rest);
  if (first === undefined) throw new EcgError('MODEL_INVALID', modelMessages.inputShape(model.name, 'a model with an output', []));
  return first;
}

export interface ClassifierOutput {
  readonly logits: tf.Tensor2D;
  readonly features: tf.Tensor2D;
}

/** classifier2d and classifier1d: [logits, features]. */
export function classify(model: tf.LayersModel, input: tf.Tensor, mode: Mode): ClassifierOutput {
  const [logits, features] = outputsOf(model, input, mode);
  if (logits === undefined || features === undefined) {
    throw new EcgError('MODEL_INVALID', modelMessages.inputShape(model.name, 'a classifier with outputs [logits, features]', input.shape));
  }
  return { logits: logits as tf.Tensor2D, features: features as tf.Tensor2D };
}

/** Inference: class probabilities [B, classes]. */
export function predictProbabilities(model: tf.LayersModel, input: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.sigmoid(classify(model, input, { training: false }).logits));
}

/**
 * The classifiers' multi-label losses (`train.loss`), each a mean over
 * records and classes of a per-element term in the logit z, p = sigmoid(z),
 * label y in {0, 1}:
 *   bce           y softplus(-z) + (1 - y) softplus(z)            (= -y log p - (1 - y) log(1 - p))
 *   weighted-bce  w_k y softplus(-z) + (1 - y) softplus(z), w_k = clip((1 - q_k) / q_k, 0.1, 10)
 *                 from class k's training prevalence q_k (w_k = 1 where q_k = 0: no positive to weigh)
 *   asymmetric    -y (1 - p)^g+ log p - (1 - y) p_m^g- log(1 - p_m), p_m = max(p - m, 0)
 *                 (Ridnik et al., "Asymmetric Loss for Multi-Label Classification", ICCV 2021,
 *                 eq. 1-4, with the paper's recommended g+ = 0, g- = 4, m = 0.05: easy negatives,
 *                 the bulk of an 11-class multi-label problem, are down-weighted and those below
 *                 p = m discarded). The paper sums; the mean keeps the scale of bce for the same
 *                 learning rate.
 */
export type ClassificationLoss =
  | { readonly kind: 'bce' }
  | { readonly kind: 'weighted-bce'; readonly posWeight: Float32Array }
  | { readonly kind: 'asymmetric'; readonly gammaPos: number; readonly gammaNeg: number; readonly margin: number };

export const BCE: ClassificationLoss = { kind: 'bce' };
export const POS_WEIGHT_RANGE = [0.1, 10] as const;
export const ASYMMETRIC = { gammaPos: 0, gammaNeg: 4, margin: 0.05 } as const;

/** The positive weights of weighted-bce from the training prevalence per class (see ClassificationLoss). */
export function positiveWeights(trainPrevalence: ArrayLike<number>): Float32Array {
  const [lo, hi] = POS_WEIGHT_RANGE;
  return Float32Array.from({ length: trainPrevalence.length }, (_, k) => {
    const q = trainPrevalence[k] as number;
    return q > 0 ? Math.min(hi, Math.max(lo, (1 - q) / q)) : 1;
  });
}

/** The loss `train.loss` names; weighted-bce needs the training prevalence of each class. */
export function classificationLossOf(kind: ClassificationLoss['kind'], trainPrevalence: ArrayLike<number>): ClassificationLoss {
  if (kind === 'weighted-bce') return { kind, posWeight: positiveWeights(trainPrevalence) };
  if (kind === 'asymmetric') return { kind, ...ASYMMETRIC };
  return BCE;
}

/** The mean multi-label loss of logits [B, classes] against 0/1 labels (ClassificationLoss; bce by default). */
export function classificationLoss(logits: tf.Tensor, labels: tf.Tensor, loss: ClassificationLoss = BCE): tf.Scalar {
  return tf.tidy(() => {
    if (loss.kind === 'bce') return tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
    const negatives = tf.sub(1, labels);
    if (loss.kind === 'weighted-bce') {
      const positive = tf.mul(tf.mul(labels, tf.tensor1d(loss.posWeight)), tf.softplus(tf.neg(logits)));
      return tf.mean(tf.add(positive, tf.mul(negatives, tf.softplus(logits)))) as tf.Scalar;
    }
    const p = tf.sigmoid(logits);
    const logP = tf.neg(tf.softplus(tf.neg(logits)));
    const positive = loss.gammaPos === 0 ? logP : tf.mul(tf.pow(tf.sub(1, p), loss.gammaPos), logP);
    // 1 - p_m = min(1 - p + m, 1) >= m: its log is finite for m > 0; m = 0 is plain log(1 - p) = -softplus(z).
    const shifted = tf.relu(tf.sub(p, loss.margin));
    const logNotP = loss.margin > 0 ? tf.log(tf.sub(1, shifted)) : tf.neg(tf.softplus(logits));
    const negative = tf.mul(tf.pow(shifted, loss.gammaNeg), logNotP);
    return tf.neg(tf.mean(tf.add(tf.mul(labels, positive), tf.mul(negatives, negative)))) as tf.Scalar;
  });
}
