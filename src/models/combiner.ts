/**
 * The hierarchical combination of the two classifiers' logits.
 *
 * `per-class` (default): z = a (.) z2d + b (.) z1d + c, with a, b, c vectors
 * over the classes, initialised to the mean of the two logits. 3 x 11
 * weights: on a few hundred validation-sized batches it cannot overfit, and
 * it can still learn that rhythm classes (AFIB/AFL, TACHY, BRADY) trust the
 * signal classifier and morphology classes the image one. `dense`: a dense
 * layer on the concatenated logits (22 -> 11), which also mixes classes;
 * worth it only with a lot of data.
 *
 * The combiner learns on the frozen parts' logits first (combinerLoss, the
 * hierarchical stage's combiner-only phase): with 33 weights and logits
 * computed once, it takes many cheap steps at its own rate
 * (train.combiner.*), so that a branch that carries no information is
 * weighted down before, or instead of, end-to-end fine-tuning.
 */
import * as tf from '@tensorflow/tfjs';
import { EcgError } from '../core/errors.js';
import { modelMessages as msg } from '../core/messages.js';
import { createRng } from '../core/rng.js';
import { CHALLENGE_CLASSES } from '../core/ecg.js';
import { applyLayer, glorotUniform, requirePositiveInt } from './blocks.js';
import { classificationLoss, type ClassificationLoss, outputOf } from './forward.js';

/** z = a (.) z2d + b (.) z1d + c, per class. Registered for serialisation. */
export class PerClassBlend extends tf.layers.Layer {
  static readonly className = 'EcgLab>PerClassBlend';
  private weightImage: tf.LayerVariable | null = null;
  private weightSignal: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const first = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const classes = first[first.length - 1] as number;
    const half = tf.initializers.constant({ value: 0.5 });
    this.weightImage = this.addWeight('image_weight', [classes], 'float32', half);
    this.weightSignal = this.addWeight('signal_weight', [classes], 'float32', half);
    this.bias = this.addWeight('bias', [classes], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [image, signal] = inputs as tf.Tensor[];
      if (!image || !signal || !this.weightImage || !this.weightSignal || !this.bias) {
        throw new EcgError('MODEL_INVALID', msg.blendInputs());
      }
      return tf.add(tf.add(tf.mul(image, this.weightImage.read()), tf.mul(signal, this.weightSignal.read())), this.bias.read());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }
}
tf.serialization.registerClass(PerClassBlend);

export type CombinerKind = 'per-class' | 'dense';

export interface CombinerSpec {
  readonly kind: CombinerKind;
  readonly classes: number;
  readonly seed: number;
}

export const DEFAULT_COMBINER: CombinerSpec = { kind: 'per-class', classes: CHALLENGE_CLASSES.length, seed: 0 };

/** [imageLogits [B, classes], signalLogits [B, classes]] -> combined logits [B, classes]. */
export function buildCombiner(spec: CombinerSpec): tf.LayersModel {
  requirePositiveInt('combiner', 'classes', spec.classes);
  const image = tf.input({ shape: [spec.classes], name: 'image_logits' });
  const signal = tf.input({ shape: [spec.classes], name: 'signal_logits' });
  if (spec.kind === 'per-class') {
    const out = applyLayer(new PerClassBlend({ name: 'blend' }), [image, signal]);
    return tf.model({ inputs: [image, signal], outputs: out, name: 'combiner' });
  }
  const rng = createRng(`combiner:${spec.seed}`);
  const joined = applyLayer(tf.layers.concatenate({ axis: -1 }), [image, signal]);
  const out = applyLayer(tf.layers.dense({ units: spec.classes, kernelInitializer: glorotUniform(rng), name: 'blend' }), joined);
  return tf.model({ inputs: [image, signal], outputs: out, name: 'combiner' });
}

/** The loss of the combined logits, the branches' logits held fixed (inputs, not variables). */
export function combinerLoss(combiner: tf.LayersModel, imageLogits: tf.Tensor2D, signalLogits: tf.Tensor2D, labels: tf.Tensor2D, loss?: ClassificationLoss): tf.Scalar {
  return tf.tidy(() => classificationLoss(outputOf(combiner, [imageLogits, signalLogits], { training: true }), labels, loss));
}

export interface CombinerWeights {
  /** Per class, what multiplies the image classifier's logit. */
  readonly image: Float32Array;
  /** Per class, what multiplies the signal classifier's logit. */
  readonly signal: Float32Array;
}

/**
 * Each class's weight on each branch: a and b of the per-class blend; for
 * the dense combiner, the kernel's entries from class k's logit of each
 * branch to output k (what the other classes add is not shown).
 */
export async function combinerWeights(combiner: tf.LayersModel): Promise<CombinerWeights> {
  const blend = combiner.getLayer('blend');
  // The layer's own variables: read, not disposed (models/read.ts disposes what it reads).
  const values = await Promise.all(blend.getWeights().map(async (w) => (await w.data()) as Float32Array));
  if (blend instanceof PerClassBlend) return { image: Float32Array.from(values[0] as Float32Array), signal: Float32Array.from(values[1] as Float32Array) };
  const kernel = values[0] as Float32Array;
  const classes = (combiner.outputs[0]?.shape.at(-1) ?? 0) as number;
  return {
    image: Float32Array.from({ length: classes }, (_, k) => kernel[k * classes + k] as number),
    signal: Float32Array.from({ length: classes }, (_, k) => kernel[(classes + k) * classes + k] as number),
  };
}
