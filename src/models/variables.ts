/**
 * The tf.Variables behind models' trainable weights: what an optimizer's
 * varList takes. Each variable once, in first-seen order: with a shared
 * backbone (backbone.ts) classifier2d and the digitizer list the same
 * variables, and an optimizer given one twice would step it twice.
 */
import * as tf from '@tensorflow/tfjs';

export function trainableVariables(...models: readonly tf.LayersModel[]): tf.Variable[] {
  const seen = new Set<tf.Variable>();
  return models.flatMap((model) =>
    model.trainableWeights.flatMap((weight) => {
      const value = weight.read();
      if (!(value instanceof tf.Variable)) throw new TypeError(`weight ${weight.name} of ${model.name} is not a variable`);
      if (seen.has(value)) return [];
      seen.add(value);
      return [value];
    }),
  );
}
