/**
 * How much of a training step waits for its data (issue 21), at the
 * quickstart's settings (experiments/quickstart.yaml: its models, crop
 * size, batch and micro-batch sizes): the digitizer on lead crops and the
 * ROI model on pages, each trained through fit() for `--steps` steps on a
 * float32 file of examples of the real size (values are noise: the time of
 * a step does not depend on them), three ways:
 *
 *   on-thread     each batch read and stacked on the training thread when
 *                 the step asks (how every stage built its batches before)
 *   thread-pool   gathered ahead by fit (train.prefetch batches) with fs
 *                 reads on libuv's thread pool
 *   worker        gathered ahead by one worker thread
 *
 * and prints, per way: ms per step and the share of step time spent
 * waiting for data (fit's FitResult.dataWait).
 *
 *   node --import tsx bench/data-wait.ts [--steps 12] [--prefetch 2] [--models digitizer,roi]
 *
 * It never fails on time; it prints the figures.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compose, readExperiment } from '../src/config/compose.js';
import { silentLogger } from '../src/core/logger.js';
import { silentProgress } from '../src/core/progress.js';
import { selectBackend } from '../src/backend/index.js';
import { buildDigitizer, buildRoi, columnsFor, digitizerLoss, outputOf, roiLoss, specsOf, trainableVariables } from '../src/models/index.js';
import { fit, type FitOptions } from '../src/train/fit.js';
import type { StageContext } from '../src/train/stage.js';
import { CropFile } from '../src/train/stages/crop-file.js';
import type { BatchReaderKind } from '../src/train/batch-reads.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { steps: { type: 'string', default: '12' }, prefetch: { type: 'string', default: '2' }, models: { type: 'string', default: 'digitizer,roi' } } });
const STEPS = Number(values.steps);
const PREFETCH = Number(values.prefetch);

const config = compose({ experiment: readExperiment(join(ROOT, 'experiments', 'quickstart.yaml')), configsDir: join(ROOT, 'configs') }).config;
const specs = specsOf(config);
await selectBackend('auto', silentLogger);
const scratch = mkdtempSync(join(tmpdir(), 'ecg-data-wait-'));

type Way = 'on-thread' | BatchReaderKind;
const WAYS: readonly Way[] = ['on-thread', 'thread-pool', 'worker'];

function context(): StageContext {
  return {
    config,
    outDir: mkdtempSync(join(scratch, 'fit-')),
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    metrics: { log: () => undefined },
  } as unknown as StageContext;
}

/** One example = named parts of given sizes, stored one after another per example. */
interface Bench<B extends tf.TensorContainer> {
  readonly name: string;
  readonly parts: Readonly<Record<string, number>>;
  readonly model: tf.LayersModel;
  readonly train: { epochs: number; batchSize: number; learningRate: number; microBatchSize: number };
  readonly build: (data: Readonly<Record<string, Float32Array>>, n: number) => B;
  readonly loss: (batch: B) => tf.Scalar;
}

async function run<B extends tf.TensorContainer>(bench: Bench<B>, way: Way, steps = STEPS): Promise<{ msPerStep: number; waitShare: number }> {
  const examples = steps * bench.train.batchSize;
  const names = Object.keys(bench.parts);
  const exampleSize = names.reduce((n, k) => n + (bench.parts[k] as number), 0);
  const file = CropFile.create(join(scratch, '.examples-'));
  for (let i = 0; i < examples; i++) file.append(Float32Array.from({ length: exampleSize }, () => Math.random()));
  const partOffset = (name: string) => names.slice(0, names.indexOf(name)).reduce((n, k) => n + (bench.parts[k] as number), 0);
  const common = {
    stage: bench.name,
    ctx: context(),
    models: { [bench.name]: bench.model },
    variables: trainableVariables(bench.model),
    train: { ...bench.train, epochs: 1 },
    examples,
    mode: 'min' as const,
    loss: bench.loss,
    validate: () => ({ value: 0, metrics: {} }),
  };
  const options: FitOptions<B> =
    way === 'on-thread'
      ? {
          ...common,
          batch: (indices) => {
            const data: Record<string, Float32Array> = {};
            for (const name of names) {
              const size = bench.parts[name] as number;
              const out = new Float32Array(indices.length * size);
              indices.forEach((i, k) => out.set(file.read(i * exampleSize + partOffset(name), size), k * size));
              data[name] = out;
            }
            return bench.build(data, indices.length);
          },
        }
      : {
          ...common,
          reader: way,
          prefetch: PREFETCH,
          prepared: {
            reads: (indices) => Object.fromEntries(names.map((name) => [name, indices.map((i) => file.range(i * exampleSize + partOffset(name), bench.parts[name] as number))])),
            build: (data, indices) => bench.build(data, indices.length),
          },
        };
  try {
    const { dataWait } = await fit(options);
    return { msPerStep: (1000 * dataWait.stepS) / dataWait.steps, waitShare: dataWait.waitS / dataWait.stepS };
  } finally {
    file.remove();
  }
}

function digitizerBench(): Bench<{ x: tf.Tensor4D; rows: tf.Tensor2D; mask: tf.Tensor2D }> {
  const height = config.digitizer.cropHeight;
  const columns = columnsFor(config)(config.data.durationS / 4);
  const model = buildDigitizer(specs.digitizer);
  const { sigmaPx, l1Weight } = config.model.digitizer;
  return {
    name: 'digitizer',
    parts: { x: height * columns, rows: columns, mask: columns },
    model,
    train: config.train.digitizer,
    build: (data, n) => ({
      x: tf.tensor4d(data.x as Float32Array, [n, height, columns, 1]),
      rows: tf.tensor2d((data.rows as Float32Array).map((v) => v * height), [n, columns]),
      mask: tf.tensor2d((data.mask as Float32Array).map((v) => (v > 0.5 ? 1 : 0)), [n, columns]),
    }),
    loss: ({ x, rows, mask }) => digitizerLoss(outputOf(model, x, { training: true }), rows, mask, { sigmaPx, l1Weight }),
  };
}

function roiBench(): Bench<{ x: tf.Tensor4D; y: tf.Tensor4D }> {
  const { inputHeight: h, inputWidth: w } = specs.roi;
  const model = buildRoi(specs.roi);
  return {
    name: 'roi',
    parts: { x: h * w, y: h * w },
    model,
    train: config.train.roi,
    build: (data, n) => ({ x: tf.tensor4d(data.x as Float32Array, [n, h, w, 1]), y: tf.tensor4d((data.y as Float32Array).map((v) => (v > 0.8 ? 1 : 0)), [n, h, w, 1]) }),
    loss: ({ x, y }) => roiLoss(outputOf(model, x, { training: true }), y),
  };
}

/** Every way on a fresh model of `make` (same seed), one table row each. */
async function measure<B extends tf.TensorContainer>(make: () => Bench<B>): Promise<void> {
  for (const way of WAYS) {
    const bench = make();
    try {
      // Two untimed steps first: the first steps of a model allocate what later steps re-use.
      await run(bench, way, 2);
      const { msPerStep, waitShare } = await run(bench, way);
      console.log(`| ${bench.name} | ${bench.train.batchSize} (${bench.train.microBatchSize || '-'}) | ${way} | ${msPerStep.toFixed(0)} | ${(100 * waitShare).toFixed(1)}% |`);
    } finally {
      bench.model.dispose();
    }
  }
}

const BENCHES: Readonly<Record<string, () => Promise<void>>> = { digitizer: () => measure(digitizerBench), roi: () => measure(roiBench) };

console.log(`steps ${STEPS} per way, prefetch ${PREFETCH}, backend ${tf.getBackend()}, load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('| model | batch (micro) | way | ms / step | waiting for data |');
console.log('| --- | --- | --- | ---: | ---: |');
try {
  for (const name of values.models.split(',')) await BENCHES[name]?.();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
