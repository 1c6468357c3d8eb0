import type { SchemaTree } from './types.js';

export interface RunConfig {
  seed: number;
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  experiment: { name: string; description: string };
}

export const runSchema: SchemaTree = {
  seed: { doc: 'Seed of every random choice in the run (data, render, init, batches).', format: 'nat', default: 0 },
  backend: {
    doc: 'TensorFlow.js backend; auto takes the fastest that loads (tensorflow-gpu, tensorflow, wasm, cpu).',
    format: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
  },
  experiment: {
    name: { doc: 'Experiment name (defaults to the experiment file name).', format: String, default: '' },
    description: { doc: 'One line on what the experiment asks.', format: String, default: '' },
  },
};
