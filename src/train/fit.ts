/**
 * The training driver every trained stage shares: Adam on the given
 * variables, seeded batch order (models/train-loop.ts), per-epoch metrics
 * with their step (`<stage>/loss`, `<stage>/val_*`), a checkpoint of every
 * model after each epoch (`checkpoint/<model>`), the best epoch's weights
 * by a validation metric (`best/<model>`, restored at the end), early
 * stopping after `train.patience` epochs without improvement, and progress
 * per step (the CLI's bar shows the ETA), and the live tensor count per
 * epoch (`<stage>/tensors`, which a leak makes grow).
 *
 * Batches: either built by the stage when the step asks (`batch`), or
 * described as reads from the stage's float32 files (`prepared`,
 * batch-reads.ts) and gathered ahead, off the training thread: up to
 * `train.prefetch` batches beyond the one the step uses, in the order the
 * loop will ask for them (the same seeded permutation, epochBatches, and
 * micro-batch pieces, splitBatch), so the data of a batch and the order are
 * the same whatever the depth and a seed's results do not change. At most
 * that many batches are held ahead (back-pressure: nothing is read further
 * until the step takes one). The fraction of the steps' time spent waiting
 * for data is logged and returned (FitResult.dataWait).
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { StageTrainConfig } from '../config/schema/train.js';
import { createEarlyStopping, loadWeightsInto, saveModel, trainLoop, epochBatches, splitBatch } from '../models/index.js';
import type { StageContext } from './stage.js';
import { createBatchReader, type BatchData, type BatchReader, type BatchReaderKind, type BatchReads } from './batch-reads.js';

/**
 * The gatherer of prefetched batches. bench/data-wait.ts (bench/RESULTS.md)
 * put the worker ahead on the digitizer in three runs out of three (0.8-1.1%
 * of step time waiting against 1.3-2.5%) and within noise on the ROI model:
 * it hands a batch back in one message where the thread pool calls back
 * once per range on the training thread.
 */
export const DEFAULT_BATCH_READER: BatchReaderKind = 'worker';

/** A batch described by where its data lies, gathered off the training thread (see the header). */
export interface PreparedBatches<B> {
  /** The files' ranges of the batch of these example indices. */
  readonly reads: (indices: readonly number[]) => BatchReads;
  /** The batch's tensors from its gathered data (on the training thread; no I/O). */
  readonly build: (data: BatchData, indices: readonly number[]) => B;
}

export interface Validation {
  /** The early-stopping value. */
  readonly value: number;
  /** Logged as `<stage>/<name>` at the epoch's step. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** Either the batch built when the step asks for it, or `prepared` (the stage then declares `train.prefetch`). */
export type FitOptions<B extends tf.TensorContainer> = FitCommon<B> & ({ readonly batch: (indices: readonly number[]) => B | Promise<B> } | { readonly prepared: PreparedBatches<B> });

export interface FitCommon<B extends tf.TensorContainer> {
  readonly stage: string;
  readonly ctx: StageContext;
  /** Saved per epoch and restored from the best epoch. */
  readonly models: Readonly<Record<string, tf.LayersModel>>;
  readonly variables: readonly tf.Variable[];
  readonly train: StageTrainConfig;
  readonly examples: number;
  /** Who gathers prepared batches (default DEFAULT_BATCH_READER); and the prefetch depth instead of train.prefetch (benches). */
  readonly reader?: BatchReaderKind;
  readonly prefetch?: number;
  readonly loss: (batch: B) => tf.Scalar;
  readonly validate: () => Validation | Promise<Validation>;
  /** Whether a larger validation value is better (F1, SNR) or a smaller one (a loss). */
  readonly mode: 'max' | 'min';
}

export interface DataWait {
  /** Seconds the steps waited for their batches (gathering and building tensors included). */
  readonly waitS: number;
  /** Seconds of the steps, from asking for the batch to the optimizer's loss read back. */
  readonly stepS: number;
  readonly steps: number;
  /** Batches asked for off the planned order, gathered when asked (none expected: a count above 0 is a bug). */
  readonly offPlan: number;
}

export interface FitResult {
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly best: number;
  readonly stoppedEarly: boolean;
  readonly dataWait: DataWait;
}

/** The pieces the loop asks for, in order: every epoch's seeded batches, cut into micro-batches as trainLoop cuts them. */
function* plannedPieces(examples: number, train: StageTrainConfig, seed: string): Generator<readonly number[]> {
  for (let epoch = 0; epoch < train.epochs; epoch++) {
    for (const indices of epochBatches(examples, train.batchSize, seed, epoch)) yield* splitBatch(indices, train.microBatchSize);
  }
}

const sameIndices = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Prepared batches gathered `depth` ahead of the step in the planned order.
 * A request off the plan (none is expected) is gathered when asked.
 */
function prefetcher<B>(prepared: PreparedBatches<B>, reader: BatchReader, plan: Iterator<readonly number[]>, depth: number) {
  const queue: { indices: readonly number[]; data: Promise<BatchData> }[] = [];
  let planDone = false;
  let offPlan = 0;
  const refill = (size: number) => {
    while (queue.length < size && !planDone) {
      const next = plan.next();
      if (next.done) {
        planDone = true;
        break;
      }
      const data = reader.read(prepared.reads(next.value));
      // Settled or not, a read that is never taken (early stopping) must not surface as an unhandled rejection.
      data.catch(() => undefined);
      queue.push({ indices: next.value, data });
    }
  };
  return {
    async batch(indices: readonly number[]): Promise<B> {
      refill(1);
      const head = queue[0];
      let data: Promise<BatchData>;
      if (head && sameIndices(head.indices, indices)) {
        queue.shift();
        data = head.data;
      } else {
        offPlan++;
        data = reader.read(prepared.reads(indices));
      }
      refill(depth);
      return prepared.build(await data, indices);
    },
    get offPlan() {
      return offPlan;
    },
    async close() {
      await Promise.allSettled(queue.map((q) => q.data));
      queue.length = 0;
      await reader.close();
    },
  };
}

const round = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : String(x));

export async function fit<B extends tf.TensorContainer>(options: FitOptions<B>): Promise<FitResult> {
  const { ctx, stage, train } = options;
  const noWait: DataWait = { waitS: 0, stepS: 0, steps: 0, offPlan: 0 };
  if (train.epochs === 0 || options.examples === 0) return { epochsRun: 0, bestEpoch: -1, best: Number.NaN, stoppedEarly: false, dataWait: noWait };
  const steps = epochBatches(options.examples, train.batchSize, 0, 0).length;
  const stopping = createEarlyStopping({ patience: ctx.config.train.patience, mode: options.mode });
  const optimizer = tf.train.adam(train.learningRate);
  const bestDir = join(ctx.outDir, 'best');
  const seed = `${stage}:${ctx.config.seed.train}`;
  const prefetch =
    'prepared' in options
      ? prefetcher(options.prepared, createBatchReader(options.reader ?? DEFAULT_BATCH_READER), plannedPieces(options.examples, train, seed), options.prefetch ?? ctx.config.train.prefetch)
      : undefined;
  const gather = 'prepared' in options ? (indices: readonly number[]) => (prefetch as NonNullable<typeof prefetch>).batch(indices) : options.batch;
  let waitMs = 0;
  let stepMs = 0;
  let stepsDone = 0;
  let stepStartedAt: number | undefined;
  let lastLoss = Number.NaN;
  ctx.progress.start(`${stage}: ${train.epochs} epochs x ${steps} steps`, train.epochs * steps);
  try {
    const result = await trainLoop<B>({
      variables: options.variables,
      optimizer,
      epochs: train.epochs,
      examples: options.examples,
      batchSize: train.batchSize,
      seed,
      signal: ctx.signal,
      microBatchSize: train.microBatchSize,
      batch: async (indices) => {
        const askedAt = performance.now();
        stepStartedAt ??= askedAt;
        const batch = await gather(indices);
        waitMs += performance.now() - askedAt;
        return batch;
      },
      loss: (batch) => options.loss(batch),
      onStep: () => {
        if (stepStartedAt !== undefined) stepMs += performance.now() - stepStartedAt;
        stepStartedAt = undefined;
        stepsDone++;
        ctx.progress.tick(1, Number.isFinite(lastLoss) ? `loss ${round(lastLoss)}` : undefined);
      },
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
    const dataWait: DataWait = { waitS: waitMs / 1000, stepS: stepMs / 1000, steps: stepsDone, offPlan: prefetch?.offPlan ?? 0 };
    ctx.logger.info(`${stage}: steps waited for data ${((100 * waitMs) / Math.max(1e-9, stepMs)).toFixed(1)}% of their time (${dataWait.waitS.toFixed(1)} of ${dataWait.stepS.toFixed(1)} s)`);
    return { epochsRun: result.epochsRun, bestEpoch: stopping.bestEpoch, best: stopping.best, stoppedEarly: result.stoppedEarly, dataWait };
  } finally {
    ctx.progress.stop();
    optimizer.dispose();
    await prefetch?.close();
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
