import type { SchemaTree } from './types.js';

export interface RunConfig {
  seed: { data: number; train: number };
  deterministic: boolean;
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';
  experiment: { name: string; description: string };
}

export const runSchema: SchemaTree = {
  seed: {
    data: {
      doc: 'Seed of the data: synthetic records, the split, rendered pages (the data and render stages, `generate` commands).',
      format: 'nat',
      default: 0,
    },
    train: { doc: 'Seed of training: initialisation, batch order, dropout (every trained stage).', format: 'nat', default: 0 },
  },
  deterministic: {
    doc: 'Deterministic TensorFlow kernels and fixed thread pools (TF_DETERMINISTIC_OPS=1, one intra-op and one inter-op thread) on the native backends: same config, same numbers, at a cost in speed (docs/reproducibility.md).',
    format: Boolean,
    default: false,
  },
  backend: {
    doc: 'TensorFlow.js backend; auto takes the fastest that loads (tensorflow-gpu, tensorflow, wasm, cpu); webgpu only when named (npm run setup:webgpu, docs/gpu.md).',
    format: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'],
    default: 'auto',
  },
  experiment: {
    name: { doc: 'Experiment name (defaults to the experiment file name).', format: String, default: '' },
    description: { doc: 'One line on what the experiment asks.', format: String, default: '' },
  },
};

/**
 * Keys that stand for several leaves: `seed: 3` in YAML and `seed=3` on the
 * command line set seed.data and seed.train; `seed.train=1` sets one.
 */
export const SHORTHAND_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({ seed: ['seed.data', 'seed.train'] });

/** The seed keys: `seed` (run stores from before the split), `seed.data`, `seed.train`. Cells that differ only in these are replicates. */
export function isSeedKey(key: string): boolean {
  return key === 'seed' || key.startsWith('seed.');
}
