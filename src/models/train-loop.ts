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
 *
 * Micro-batches: with `microBatchSize` below the batch size, a batch is
 * built and differentiated in pieces of at most that many examples and the
 * pieces' gradients are summed before the one optimizer step, each piece's
 * loss weighted by its share of the batch:
 *
 *   grad = sum_k (n_k / n) grad L_k,   L_k the mean loss of piece k,
 *
 * which is the gradient of the batch's mean loss, so the update is the same
 * (up to batch-norm statistics and dropout, which see a piece at a time)
 * while activation memory is bounded by the piece, not the batch.
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
  /** Largest piece of a batch differentiated at once (see the header); undefined or 0: the whole batch. */
  readonly microBatchSize?: number;
  /** Called after each optimizer step with the step's loss. */
  readonly onStep?: (loss: number) => void;
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
  const wholeBatch = async (indices: readonly number[], epoch: number): Promise<number> => {
    const batch = await options.batch(indices, epoch);
    try {
      const cost = options.optimizer.minimize(() => options.loss(batch), true, varList);
      const value = cost ? ((await cost.data())[0] ?? Number.NaN) : Number.NaN;
      cost?.dispose();
      return value;
    } finally {
      disposeBatch(batch);
    }
  };
  const inPieces = async (pieces: readonly (readonly number[])[], total: number, epoch: number): Promise<number> => {
    let grads: tf.NamedTensorMap = {};
    let value = 0;
    try {
      for (const piece of pieces) {
        options.signal?.throwIfAborted();
        const batch = await options.batch(piece, epoch);
        try {
          const share = piece.length / total;
          const step = tf.variableGrads(() => tf.mul(options.loss(batch), share) as tf.Scalar, varList);
          value += (await step.value.data())[0] ?? Number.NaN;
          step.value.dispose();
          grads = addGradients(grads, step.grads);
        } finally {
          disposeBatch(batch);
        }
      }
      options.optimizer.applyGradients(grads);
      return value;
    } finally {
      tf.dispose(grads);
    }
  };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const stepLosses: number[] = [];
    for (const indices of epochBatches(options.examples, options.batchSize, options.seed, epoch)) {
      options.signal?.throwIfAborted();
      const pieces = splitBatch(indices, options.microBatchSize);
      const value = pieces.length === 1 ? await wholeBatch(indices, epoch) : await inPieces(pieces, indices.length, epoch);
      if (!Number.isFinite(value)) throw new EcgError('STAGE_FAILED', modelMessages.lossNotFinite(stepLosses.length, epoch));
      stepLosses.push(value);
      options.onStep?.(value);
    }
    allSteps.push(...stepLosses);
    const meanLoss = stepLosses.reduce((s, v) => s + v, 0) / Math.max(1, stepLosses.length);
    epochLosses.push(meanLoss);
    const decision = await options.onEpochEnd?.({ epoch, meanLoss, stepLosses });
    if (decision?.stop) return { epochLosses, stepLosses: allSteps, epochsRun: epoch + 1, stoppedEarly: true };
  }
  return { epochLosses, stepLosses: allSteps, epochsRun: options.epochs, stoppedEarly: false };
}

/** A batch's indices in pieces of at most `size` (one piece when size is 0, undefined or not smaller). */
export function splitBatch(indices: readonly number[], size: number | undefined): (readonly number[])[] {
  if (!size || size >= indices.length) return [indices];
  const pieces: number[][] = [];
  for (let start = 0; start < indices.length; start += size) pieces.push(indices.slice(start, start + size));
  return pieces;
}

/** sum + next, by variable name; both inputs are consumed (disposed or kept in the result). */
function addGradients(sum: tf.NamedTensorMap, next: tf.NamedTensorMap): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = { ...sum };
  for (const [name, grad] of Object.entries(next)) {
    const before = out[name];
    if (!before) {
      out[name] = grad;
      continue;
    }
    out[name] = tf.add(before, grad);
    tf.dispose([before, grad]);
  }
  return out;
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
