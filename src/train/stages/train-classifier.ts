/**
 * Training one of the two classifiers (image or signal) on fixed inputs:
 * train.loss on the 11 classes (bce; weighted-bce's weights from the train
 * split's prevalence), early stopping on the validation
 * loss, validation F1 logged per epoch, then probabilities of every split
 * saved for the hierarchical stage and the test F1 logged as
 * `<stage>/f1/macro`, `<stage>/f1/<class>` (thresholds from validation);
 * the validation and test predictions per record are the artifact
 * `<stage>/predictions.csv`.
 */
import * as tf from '@tensorflow/tfjs';
import { trainMessages } from '../../core/messages.js';
import { EcgError } from '../../core/errors.js';
import type { ChallengeClass } from '../../core/ecg.js';
import type { StageTrainConfig } from '../../config/schema/train.js';
import { classificationLoss, classificationLossOf, classify, type ClassificationLoss, trainableVariables } from '../../models/index.js';
import type { PageSplit } from '../../render/pages.js';
import { labelRows, logClassifierScore, scoreClassifier, trainPrevalence, validationF1 } from './classification.js';
import { fit, inChunks } from '../fit.js';
import { savePredictions } from './save-record-outputs.js';
import { writeProbabilities, type SavedProbabilities } from './stage-inputs.js';
import type { StageContext } from '../stage.js';
import type { BatchData, FloatRange } from '../batch-reads.js';

/** A split's inputs in record order: an array, or a reader of example i on demand (classifier2d's page file). */
export interface ClassifierInputs {
  readonly length: number;
  at(index: number): Float32Array | undefined;
  /** Where example i lies in a float32 file, when it does: training batches are then gathered ahead, off the training thread (fit.ts). */
  rangeOf?(index: number): FloatRange;
}

export interface ClassifierSplit {
  readonly records: readonly string[];
  readonly inputs: ClassifierInputs;
  readonly labels: readonly (readonly ChallengeClass[])[];
}

export interface ClassifierData {
  /** Shape of one example, e.g. [height, width, 1] or [length, 12]. */
  readonly shape: readonly number[];
  readonly splits: Readonly<Record<PageSplit, ClassifierSplit>>;
}

const PREDICT_BATCH = 32;

function stack(inputs: readonly Float32Array[], shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  const data = new Float32Array(inputs.length * size);
  inputs.forEach((x, i) => data.set(x, i * size));
  return tf.tensor(data, [inputs.length, ...shape]);
}

function labelTensor(labels: readonly (readonly ChallengeClass[])[]): tf.Tensor2D {
  const rows = labelRows(labels);
  return stack(rows, [rows[0]?.length ?? 11]) as tf.Tensor2D;
}

/** Probabilities and the mean loss of `split`, in inference mode. */
export async function predictSplit(model: tf.LayersModel, split: ClassifierSplit, shape: readonly number[], lossKind?: ClassificationLoss): Promise<{ probabilities: Float32Array[]; loss: number }> {
  let lossSum = 0;
  const indices = Array.from({ length: split.inputs.length }, (_, i) => i);
  const probabilities = await inChunks(indices, PREDICT_BATCH, async (chunk, offset) => {
    const [probs, loss] = tf.tidy(() => {
      const logits = classify(model, stack(chunk.map((i) => split.inputs.at(i) as Float32Array), shape), { training: false }).logits;
      const labels = labelTensor(split.labels.slice(offset, offset + chunk.length));
      return [tf.sigmoid(logits), tf.mul(classificationLoss(logits, labels, lossKind), chunk.length)];
    });
    const values = (await probs.data()) as Float32Array;
    lossSum += (await loss.data())[0] as number;
    tf.dispose([probs, loss]);
    const classes = probs.shape[1] as number;
    return chunk.map((_, i) => values.slice(i * classes, (i + 1) * classes));
  });
  return { probabilities, loss: lossSum / Math.max(1, split.inputs.length) };
}

/** The training batches of `split`: gathered ahead from its file when its inputs lie in one, else stacked when the step asks. */
function batches(split: ClassifierSplit, shape: readonly number[]) {
  const labelsOf = (indices: readonly number[]) => labelTensor(indices.map((i) => split.labels[i] as ChallengeClass[]));
  const { rangeOf } = split.inputs;
  if (rangeOf) {
    return {
      prepared: {
        reads: (indices: readonly number[]) => ({ x: indices.map((i) => rangeOf(i)) }),
        build: (data: BatchData, indices: readonly number[]) => ({ x: tf.tensor(data.x as Float32Array, [indices.length, ...shape]), y: labelsOf(indices) }),
      },
    };
  }
  return { batch: (indices: readonly number[]) => ({ x: stack(indices.map((i) => split.inputs.at(i) as Float32Array), shape), y: labelsOf(indices) }) };
}

export async function trainClassifier(ctx: StageContext, stage: string, model: tf.LayersModel, train: StageTrainConfig, data: ClassifierData): Promise<SavedProbabilities> {
  const { shape, splits } = data;
  // A folder of unlabelled records (e.g. ../shared/data/ptb-xl-unlabelled) would train on all-negative targets and score NaN.
  if (!splits.train.labels.some((labels) => labels.length > 0)) {
    throw new EcgError('DATA_INVALID', trainMessages.needsLabels(stage, splits.train.labels.length));
  }
  const lossKind = classificationLossOf(ctx.config.train.loss, trainPrevalence(splits.train.labels));
  await fit({
    stage,
    ctx,
    models: { [stage]: model },
    variables: trainableVariables(model),
    train,
    examples: splits.train.inputs.length,
    mode: 'min',
    ...batches(splits.train, shape),
    loss: ({ x, y }) => classificationLoss(classify(model, x, { training: true }).logits, y, lossKind),
    validate: async () => {
      const val = await predictSplit(model, splits.val, shape, lossKind);
      const f1 = validationF1({ probabilities: val.probabilities, labels: splits.val.labels });
      return { value: val.loss, metrics: { val_loss: val.loss, val_f1: f1 } };
    },
  });
  const saved: SavedProbabilities = { splits: {} };
  const predicted: Partial<Record<PageSplit, Float32Array[]>> = {};
  for (const name of ['train', 'val', 'test'] as const) {
    const split = splits[name];
    const { probabilities } = await predictSplit(model, split, shape);
    predicted[name] = probabilities;
    saved.splits[name] = { records: [...split.records], labels: split.labels.map((l) => [...l]), probabilities: probabilities.map((p) => Array.from(p)) };
  }
  const score = scoreClassifier(
    { probabilities: predicted.val ?? [], labels: splits.val.labels },
    { probabilities: predicted.test ?? [], labels: splits.test.labels },
    splits.train.labels,
  );
  logClassifierScore(ctx, score, stage);
  const withRecords = (name: 'val' | 'test') => ({ records: splits[name].records, labels: splits[name].labels, probabilities: predicted[name] ?? [] });
  await savePredictions(ctx, stage, score.thresholds, { val: withRecords('val'), test: withRecords('test') });
  ctx.logger.info(`${stage}: test macro F1 ${score.test.macro.toFixed(3)} (constant predictor ${score.constant.macro.toFixed(3)})`);
  await writeProbabilities(ctx.outDir, saved);
  return saved;
}
