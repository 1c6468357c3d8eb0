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

/** Mean sigmoid cross-entropy of multi-label logits against 0/1 labels. */
export function classificationLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar);
}
