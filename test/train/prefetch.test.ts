/**
 * Batches gathered off the training thread (train/batch-reads.ts, fit.ts
 * `prepared`): both gatherers return exactly the file's bytes and refuse a
 * range past the end, and training with batches gathered ahead (any depth,
 * either gatherer) gives the same losses and weights as building each batch
 * when the step asks: same batches, same order, same seed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { createBatchReader } from '../../src/train/batch-reads.js';
import { fit, type FitOptions } from '../../src/train/fit.js';
import type { StageContext } from '../../src/train/stage.js';
import { CropFile } from '../../src/train/stages/crop-file.js';
import { loadBackend } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'ecg-prefetch-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const EXAMPLES = 37;
const SIZE = 6;

function exampleFile(): CropFile {
  const file = CropFile.create(join(root, '.examples-'));
  for (let i = 0; i < EXAMPLES; i++) file.append(Float32Array.from({ length: SIZE + 1 }, (_, k) => Math.sin(i * 7 + k) + (k === SIZE ? i / EXAMPLES : 0)));
  return file;
}

for (const kind of ['thread-pool', 'worker'] as const) {
  test(`${kind}: a batch is the file's bytes, ranges concatenated in order; past the end is refused`, async () => {
    const file = exampleFile();
    const reader = createBatchReader(kind);
    try {
      const data = await reader.read({ a: [file.range(14, 7), file.range(0, 3)], b: [file.range(7 * 36, 7)] });
      assert.equal(data.a, Float32Array.from([...file.read(14, 7), ...file.read(0, 3)]));
      assert.equal(data.b, file.read(7 * 36, 7));
      let refused = false;
      await reader.read({ a: [file.range(7 * 36, 8)] }).catch(() => (refused = true));
      assert.ok(refused);
    } finally {
      await reader.close();
      file.remove();
    }
  });
}

function context(outDir: string): { ctx: StageContext; losses: number[] } {
  const losses: number[] = [];
  const ctx = {
    config: { seed: { train: 3 }, train: { patience: 0, prefetch: 2 } },
    outDir,
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    metrics: { log: (name: string, value: number) => (name === 't/loss' ? losses.push(value) : undefined) },
  } as unknown as StageContext;
  return { ctx, losses };
}

async function train(how: 'batch' | { reader: 'thread-pool' | 'worker'; prefetch: number }): Promise<{ losses: number[]; weights: number[] }> {
  await loadBackend();
  const file = exampleFile();
  const { ctx, losses } = context(mkdtempSync(join(root, 'fit-')));
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [SIZE], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
  const build = (x: Float32Array, n: number) => {
    const xs = new Float32Array(n * SIZE);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      xs.set(x.subarray(i * (SIZE + 1), i * (SIZE + 1) + SIZE), i * SIZE);
      ys[i] = x[i * (SIZE + 1) + SIZE] as number;
    }
    return { x: tf.tensor2d(xs, [n, SIZE]), y: tf.tensor2d(ys, [n, 1]) };
  };
  const common = {
    stage: 't',
    ctx,
    models: { t: model },
    variables: model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    train: { epochs: 3, batchSize: 8, learningRate: 0.05, microBatchSize: 3 },
    examples: EXAMPLES,
    mode: 'min' as const,
    loss: ({ x, y }: { x: tf.Tensor2D; y: tf.Tensor2D }) => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor2D) as tf.Scalar,
    validate: () => ({ value: 0, metrics: {} }),
  };
  const options: FitOptions<{ x: tf.Tensor2D; y: tf.Tensor2D }> =
    how === 'batch'
      ? { ...common, batch: (indices) => build(Float32Array.from(indices.flatMap((i) => [...file.read(i * (SIZE + 1), SIZE + 1)])), indices.length) }
      : {
          ...common,
          reader: how.reader,
          prefetch: how.prefetch,
          prepared: { reads: (indices) => ({ x: indices.map((i) => file.range(i * (SIZE + 1), SIZE + 1)) }), build: (data, indices) => build(data.x as Float32Array, indices.length) },
        };
  try {
    const result = await fit(options);
    assert.is(result.dataWait.steps, 3 * Math.ceil(EXAMPLES / 8));
    assert.ok(result.dataWait.waitS <= result.dataWait.stepS);
    assert.is(result.dataWait.offPlan, 0, 'every batch asked for was the planned one');
    return { losses, weights: Array.from(model.getWeights()[0]!.dataSync()) };
  } finally {
    model.dispose();
    file.remove();
  }
}

test('training on batches gathered ahead is the same as on batches built when asked (any depth, either gatherer)', async () => {
  await loadBackend();
  const tensors = tf.memory().numTensors;
  const reference = await train('batch');
  assert.is(reference.losses.length, 3);
  for (const reader of ['thread-pool', 'worker'] as const) {
    for (const prefetch of [0, 1, 4]) {
      const got = await train({ reader, prefetch });
      assert.equal(got.losses, reference.losses, `${reader} prefetch ${prefetch}`);
      assert.equal(got.weights, reference.weights, `${reader} prefetch ${prefetch}`);
    }
  }
  assert.is(tf.memory().numTensors, tensors, 'no tensor left behind');
});

test.run();
