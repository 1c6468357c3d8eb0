/**
 * The training loop every stage calls: seeded batch order, one optimizer
 * step per batch, a per-epoch callback (validation, checkpoints, early
 * stopping, metric logging) that may stop training, and the losses back.
 *
 * Tensor ownership: the tensors `batch()` returns belong to the loop and are
 * disposed after their step (tf.dispose walks the returned object, or
 * `disposeBatch` when given), so a callback may build them freshly from
 * typed arrays. The loss function runs
 * inside optimizer.minimize (its own tidy); only the step's scalar cost
 * leaves it, read and disposed here.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import { EcgError } from '../core/errors.js';
import { modelMessages } from '../core/messages.js';

export interface EpochSummary {
  /** 0-based. */
  readonly epoch: number;
  readonly meanLoss: number;
  readonly stepLosses: readonly number[];
}

/** What the epoch callback answers: `stop: true` ends training after this epoch. */
export interface EpochDecision {
  readonly stop?: boolean;
}

export interface TrainLoopOptions<B> {
  readonly variables: readonly tf.Variable[];
  readonly optimizer: tf.Optimizer;
  readonly epochs: number;
  /** Examples in the training set; batches are drawn from indices 0 .. examples - 1. */
  readonly examples: number;
  readonly batchSize: number;
  /** Seeds the batch order; epoch e uses its own derived shuffle. */
  readonly seed: number | string;
  /** Builds the batch for these example indices; its tensors are disposed by the loop. */
  readonly batch: (indices: readonly number[], epoch: number) => B | Promise<B>;
  /** Frees a batch after its step; default tf.dispose on the batch (every tensor found in it). */
  readonly disposeBatch?: (batch: B) => void;
  /** The scalar loss of a batch in training mode (called inside the gradient tape). */
  readonly loss: (batch: B) => tf.Scalar;
  readonly onEpochEnd?: (summary: EpochSummary) => EpochDecision | void | Promise<EpochDecision | void>;
  /** Checked between steps. */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly epochLosses: readonly number[];
  readonly stepLosses: readonly number[];
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
}

/** The batches of one epoch: a seeded permutation of 0 .. examples - 1, cut into batchSize pieces (last may be short). */
export function epochBatches(examples: number, batchSize: number, seed: number | string, epoch: number): number[][] {
  const order = createRng(`${seed}:epoch:${epoch}`).shuffle(Array.from({ length: examples }, (_, i) => i));
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

export async function trainLoop<B>(options: TrainLoopOptions<B>): Promise<TrainResult> {
  const disposeBatch = options.disposeBatch ?? ((batch: B) => tf.dispose(batch as tf.TensorContainer));
  const epochLosses: number[] = [];
  const allSteps: number[] = [];
  const varList = options.variables.slice();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const stepLosses: number[] = [];
    for (const indices of epochBatches(options.examples, options.batchSize, options.seed, epoch)) {
      options.signal?.throwIfAborted();
      const batch = await options.batch(indices, epoch);
      let value: number;
      try {
        const cost = options.optimizer.minimize(() => options.loss(batch), true, varList);
        value = cost ? (await cost.data())[0] ?? Number.NaN : Number.NaN;
        cost?.dispose();
      } finally {
        disposeBatch(batch);
      }
      if (!Number.isFinite(value)) throw new EcgError('STAGE_FAILED', modelMessages.lossNotFinite(stepLosses.length, epoch));
      stepLosses.push(value);
    }
    allSteps.push(...stepLosses);
    const meanLoss = stepLosses.reduce((s, v) => s + v, 0) / Math.max(1, stepLosses.length);
    epochLosses.push(meanLoss);
    const decision = await options.onEpochEnd?.({ epoch, meanLoss, stepLosses });
    if (decision?.stop) return { epochLosses, stepLosses: allSteps, epochsRun: epoch + 1, stoppedEarly: true };
  }
  return { epochLosses, stepLosses: allSteps, epochsRun: options.epochs, stoppedEarly: false };
}

export interface EarlyStopping {
  /** Record this epoch's validation value; says whether it is the best so far and whether to stop. */
  update(value: number): { improved: boolean; stop: boolean };
  readonly best: number;
  readonly bestEpoch: number;
}

/**
 * Stop after `patience` epochs without improvement of a validation metric
 * (`max` for F1 or SNR, `min` for a loss); patience 0 never stops. NaN never
 * improves.
 */
export function createEarlyStopping(options: { patience: number; mode: 'max' | 'min'; minDelta?: number }): EarlyStopping {
  const sign = options.mode === 'max' ? 1 : -1;
  const minDelta = options.minDelta ?? 0;
  let best = options.mode === 'max' ? -Infinity : Infinity;
  let bestEpoch = -1;
  let epoch = -1;
  return {
    update(value) {
      epoch++;
      const improved = Number.isFinite(value) && sign * (value - best) > minDelta;
      if (improved) {
        best = value;
        bestEpoch = epoch;
      }
      const stop = options.patience > 0 && epoch - bestEpoch >= options.patience;
      return { improved, stop };
    },
    get best() {
      return best;
    },
    get bestEpoch() {
      return bestEpoch;
    },
  };
}
