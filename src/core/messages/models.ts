/** Messages of src/models/ (model specs, checkpoints, training loop). */

export const specInvalid = (model: string, key: string, value: unknown, allowed: string) =>
  `${model} spec: ${key} = ${JSON.stringify(value)} is not valid; ${allowed}`;

export const inputShape = (model: string, expected: string, actual: readonly number[]) =>
  `${model}: input of shape [${actual.join(', ')}] does not fit; expected ${expected}`;

export const checkpointMissing = (file: string) => `checkpoint file not found: ${file}`;

export const checkpointUnreadable = (file: string, detail: string) => `checkpoint file ${file} is unreadable: ${detail}`;

export const checkpointWeightsSize = (file: string, actual: number, expected: number) =>
  `checkpoint weights ${file} have ${actual} bytes, but model.json's manifest describes ${expected}; the file is truncated or belongs to another model`;

export const checkpointTopology = (file: string, detail: string) =>
  `checkpoint ${file} does not describe a loadable model: ${detail}`;

export const lossNotFinite = (step: number, epoch: number) =>
  `training diverged: the loss at epoch ${epoch}, step ${step} is not finite; lower train.learningRate`;

export const boxesNeedRows = (found: number, expected: number) =>
  `ROI heatmap shows ${found} lead row(s), the layout needs ${expected}; falling back to the nominal rows`;

export const blendInputs = () => 'PerClassBlend takes [imageLogits, signalLogits] and must be built first';
