/**
 * Tiny versions of the layer mixes ecg-lab's models are made of (2-D CNN
 * with batch norm, depthwise conv, pooling, upsampling and a strided conv;
 * 1-D CNN), trained a few steps from fixed weights on a fixed batch, so
 * two backends can be compared loss by loss.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/core/rng.js';

export function imageModel(): tf.LayersModel {
  const input = tf.input({ shape: [12, 16, 1] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export function signalModel(): tf.LayersModel {
  const input = tf.input({ shape: [40, 2] });
  let x = tf.layers.conv1d({ filters: 5, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling1d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling1d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function seeded(seed: string, shape: readonly number[], sd = 0.3): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, sd)), shape as number[]);
}

export interface TrainResult {
  readonly losses: number[];
  readonly tensorsAfterEachStep: number[];
}

/** Builds the model on the current backend with seeded weights and trains `steps` SGD steps on one seeded batch. */
export function trainSteps(build: () => tf.LayersModel, inputShape: readonly number[], steps: number): TrainResult {
  const model = build();
  model.setWeights(model.weights.map((w, i) => {
    const shape = w.shape as number[];
    return w.originalName.includes('variance') ? tf.ones(shape) : seeded(`w${i}`, shape);
  }));
  const x = seeded('x', inputShape, 1);
  const labels = tf.tensor(Array.from({ length: inputShape[0]! * 3 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), [inputShape[0]!, 3]);
  const optimizer = tf.train.sgd(0.05);
  const losses: number[] = [];
  const tensorsAfterEachStep: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
    losses.push(loss!.dataSync()[0]!);
    loss!.dispose();
    tensorsAfterEachStep.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  tf.dispose([x, labels]);
  model.dispose();
  return { losses, tensorsAfterEachStep };
}
