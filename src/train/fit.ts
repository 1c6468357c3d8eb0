/**
 * The training driver every trained stage shares: Adam on the given
 * variables, seeded batch order (models/train-loop.ts), per-epoch metrics
 * with their step (`<stage>/loss`, `<stage>/val_*`), a checkpoint of every
 * model after each epoch (`checkpoint/<model>`), the best epoch's weights
 * by a validation metric (`best/<model>`, restored at the end), early
 * stopping after `train.patience` epochs without improvement, and progress
 * per step (the CLI's bar shows the ETA), and the live tensor count per
 * epoch (`<stage>/tensors`, which a leak makes grow).
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { StageTrainConfig } from '../config/schema/train.js';
import { createEarlyStopping, loadWeightsInto, saveModel, trainLoop, epochBatches } from '../models/index.js';
import type { StageContext } from './stage.js';

export interface Validation {
  /** The early-stopping value. */
  readonly value: number;
  /** Logged as `<stage>/<name>` at the epoch's step. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface FitOptions<B extends tf.TensorContainer> {
  readonly stage: string;
  readonly ctx: StageContext;
  /** Saved per epoch and restored from the best epoch. */
  readonly models: Readonly<Record<string, tf.LayersModel>>;
  readonly variables: readonly tf.Variable[];
  readonly train: StageTrainConfig;
  readonly examples: number;
  readonly batch: (indices: readonly number[]) => B | Promise<B>;
  readonly loss: (batch: B) => tf.Scalar;
  readonly validate: () => Validation | Promise<Validation>;
  /** Whether a larger validation value is better (F1, SNR) or a smaller one (a loss). */
  readonly mode: 'max' | 'min';
}

export interface FitResult {
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly best: number;
  readonly stoppedEarly: boolean;
}

const round = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : String(x));

export async function fit<B extends tf.TensorContainer>(options: FitOptions<B>): Promise<FitResult> {
  const { ctx, stage, train } = options;
  if (train.epochs === 0 || options.examples === 0) return { epochsRun: 0, bestEpoch: -1, best: Number.NaN, stoppedEarly: false };
  const steps = epochBatches(options.examples, train.batchSize, 0, 0).length;
  const stopping = createEarlyStopping({ patience: ctx.config.train.patience, mode: options.mode });
  const optimizer = tf.train.adam(train.learningRate);
  const bestDir = join(ctx.outDir, 'best');
  let lastLoss = Number.NaN;
  ctx.progress.start(`${stage}: ${train.epochs} epochs x ${steps} steps`, train.epochs * steps);
  try {
    const result = await trainLoop<B>({
      variables: options.variables,
      optimizer,
      epochs: train.epochs,
      examples: options.examples,
      batchSize: train.batchSize,
      seed: `${stage}:${ctx.config.seed.train}`,
      signal: ctx.signal,
      microBatchSize: train.microBatchSize,
      batch: (indices) => options.batch(indices),
      loss: (batch) => options.loss(batch),
      onStep: () => ctx.progress.tick(1, Number.isFinite(lastLoss) ? `loss ${round(lastLoss)}` : undefined),
      onEpochEnd: async ({ epoch, meanLoss }) => {
        lastLoss = meanLoss;
        ctx.metrics.log(`${stage}/loss`, meanLoss, epoch);
        // Live tensors after the epoch's steps: flat from epoch to epoch, or a step leaks.
        ctx.metrics.log(`${stage}/tensors`, tf.memory().numTensors, epoch);
        const validation = await options.validate();
        for (const [name, value] of Object.entries(validation.metrics)) ctx.metrics.log(`${stage}/${name}`, value, epoch);
        for (const [name, model] of Object.entries(options.models)) await saveModel(model, join(ctx.outDir, 'checkpoint', name), { epoch });
        const { improved, stop } = stopping.update(validation.value);
        if (improved) for (const [name, model] of Object.entries(options.models)) await saveModel(model, join(bestDir, name), { epoch });
        ctx.logger.info(`${stage}: epoch ${epoch + 1}/${train.epochs} loss ${round(meanLoss)} validation ${round(validation.value)}${improved ? ' (best)' : ''}`);
        return { stop };
      },
    });
    if (stopping.bestEpoch >= 0) for (const [name, model] of Object.entries(options.models)) await loadWeightsInto(model, join(bestDir, name));
    ctx.metrics.log(`${stage}/best_epoch`, stopping.bestEpoch);
    return { epochsRun: result.epochsRun, bestEpoch: stopping.bestEpoch, best: stopping.best, stoppedEarly: result.stoppedEarly };
  } finally {
    ctx.progress.stop();
    optimizer.dispose();
  }
}

/** Save the final weights to `model/<name>` (TF.js format) and add them as artifacts `<stage>/<name>/`. */
export async function saveFinal(ctx: StageContext, stage: string, name: string, model: tf.LayersModel, metadata: Record<string, unknown>): Promise<string> {
  const dir = join(ctx.outDir, 'model', name);
  await saveModel(model, dir, metadata);
  await ctx.artifacts.add(dir, `${stage}/${name}`);
  return dir;
}

/** Run `f` over `items` in chunks of `size` (inference batches). */
export async function inChunks<T, R>(items: readonly T[], size: number, f: (chunk: readonly T[], offset: number) => R[] | Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += size) out.push(...(await f(items.slice(start, start + size), start)));
  return out;
}
