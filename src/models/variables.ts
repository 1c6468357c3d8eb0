/** The tf.Variables behind models' trainable weights: what an optimizer's varList takes. */
import * as tf from '@tensorflow/tfjs';

export function trainableVariables(...models: readonly tf.LayersModel[]): tf.Variable[] {
  return models.flatMap((model) =>
    model.trainableWeights.map((weight) => {
      const value = weight.read();
      if (!(value instanceof tf.Variable)) throw new TypeError(`weight ${weight.name} of ${model.name} is not a variable`);
      return value;
    }),
  );
}
