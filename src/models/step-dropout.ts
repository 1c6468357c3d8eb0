/**
 * Dropout whose mask changes at every training call and is the same in every
 * process for the same seed.
 *
 * tfjs-layers' Dropout with a `seed` restarts its generator from that seed on
 * every call, so each training step drops the same units (for one batch
 * shape): regularisation by a fixed sub-network, not dropout. Without a seed
 * it draws from Math.random and no run can be repeated. Here the k-th
 * training call (k = 0, 1, ... since the layer was built) draws its mask from
 * the seed hash(seed, k): a new mask per step, and the same sequence of masks
 * in every process that builds the model from the same spec and calls it in
 * the same order (the train loop's seeded batch order fixes that order).
 * Inference (training false) is the identity, as in Keras.
 *
 *   y = x * keep / (1 - rate),   keep = [u >= rate], u ~ U[0, 1) from hash(seed, k)
 */
import * as tf from '@tensorflow/tfjs';
import { hashString32 } from '../core/rng.js';

export interface StepDropoutArgs {
  readonly rate: number;
  readonly seed: number;
  readonly name?: string;
}

/** Default layer names: tfjs would derive one from className, whose '>' is not allowed in tensor names. */
let unnamed = 0;

export class StepDropout extends tf.layers.Layer {
  static readonly className = 'EcgLab>StepDropout';
  readonly rate: number;
  readonly seed: number;
  /** Training calls so far: the k of the header. */
  private calls = 0;

  constructor(args: StepDropoutArgs) {
    super({ name: args.name ?? `step_dropout_${++unnamed}` });
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const seed = hashString32(`${this.seed}:${this.calls++}`);
    return tf.tidy(() => {
      const keep = tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), this.rate);
      return tf.mul(x, tf.mul(tf.cast(keep, 'float32'), 1 / (1 - this.rate)));
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(StepDropout);
