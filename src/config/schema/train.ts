import type { SchemaTree } from './types.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
}

export const trainSchema: SchemaTree = {
  train: {
    epochs: { doc: 'Maximum epochs per stage.', format: 'nat', default: 10 },
    batchSize: { doc: 'Batch size.', format: 'positive-int', default: 16 },
    learningRate: { doc: 'Adam learning rate.', format: 'positive-number', default: 1e-3 },
    patience: { doc: 'Early stopping: epochs without validation improvement before stopping (0 = never stop early).', format: 'nat', default: 3 },
  },
};
