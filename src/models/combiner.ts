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
 */
import * as tf from '@tensorflow/tfjs';
import { EcgError } from '../core/errors.js';
import { modelMessages as msg } from '../core/messages.js';
import { createRng } from '../core/rng.js';
import { CHALLENGE_CLASSES } from '../core/ecg.js';
import { applyLayer, glorotUniform, requirePositiveInt } from './blocks.js';

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
