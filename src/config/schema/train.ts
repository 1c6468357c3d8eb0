import type { SchemaTree } from './types.js';

/** Optimiser settings of one training stage (`train.<stage>.*`). */
export interface StageTrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  microBatchSize: number;
}

export const TRAINED_STAGES = ['classifier2d', 'roi', 'denoise', 'digitizer', 'classifier1d', 'hierarchical'] as const;
export type TrainedStage = (typeof TRAINED_STAGES)[number];

/** The combiner-only phase of the hierarchical stage (`train.combiner.*`). */
export interface CombinerTrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
}

/** The classifiers' loss (models/forward.ts classificationLossOf). */
export type ClassificationLossKind = 'bce' | 'weighted-bce' | 'asymmetric';

export interface TrainConfig extends Record<TrainedStage, StageTrainConfig> {
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  prefetch: number;
  loss: ClassificationLossKind;
  combiner: CombinerTrainConfig;
}

/**
 * `train.*`: how each stage of the method trains. Every trained stage has its
 * own epochs, batch size and learning rate (`train.digitizer.epochs`), since
 * a U-Net on crops and a classifier on whole pages want different budgets;
 * early stopping (`train.patience`) is shared. The top-level `train.epochs`,
 * `train.batchSize` and `train.learningRate` are for stages without a group of
 * their own (plugin stages).
 */
const stage = (what: string, unit: string, epochs: number, batchSize: number, learningRate: number, microBatchSize = 0) => ({
  epochs: { doc: `Maximum epochs of ${what} (0 skips training and keeps the initial weights).`, format: 'nat', default: epochs },
  batchSize: { doc: `Batch size of ${what}, in ${unit}.`, format: 'positive-int', default: batchSize },
  learningRate: { doc: `Adam learning rate of ${what}.`, format: 'positive-number', default: learningRate },
  microBatchSize: {
    doc:
      `Largest number of ${unit} of ${what} differentiated at once: a larger batch is split and its gradients summed before the one ` +
      'optimizer step (the same update up to batch-norm statistics; memory bounded by this instead of batchSize). 0 = the whole batch.',
    format: 'nat',
    default: microBatchSize,
  },
});

export const trainSchema: SchemaTree = {
  train: {
    epochs: { doc: 'Maximum epochs of a stage without its own train.<stage> group (plugin stages).', format: 'nat', default: 10 },
    batchSize: { doc: 'Batch size of a stage without its own train.<stage> group (plugin stages).', format: 'positive-int', default: 16 },
    learningRate: { doc: 'Adam learning rate of a stage without its own train.<stage> group (plugin stages).', format: 'positive-number', default: 1e-3 },
    patience: {
      doc: 'Early stopping of every trained stage: epochs without validation improvement before stopping (0 = never stop early).',
      format: 'nat',
      default: 3,
    },
    prefetch: {
      doc:
        'Batches gathered ahead of the training step, off the training thread, by the stages that read their batches from files ' +
        '(roi, classifier2d, denoise, digitizer): at most this many are held beyond the one in use. 0 = each batch is gathered when ' +
        'the step asks for it. Results do not depend on it (same batches, same order).',
      format: 'nat',
      default: 2,
    },
    loss: {
      doc:
        'Loss of the classifiers (classifier2d, classifier1d, hierarchical): bce; weighted-bce, positives weighted by (1 - q) / q ' +
        'of the class\'s training prevalence q, clipped to [0.1, 10]; asymmetric, Ridnik et al. 2021 with gamma+ = 0, gamma- = 4, margin 0.05.',
      format: ['bce', 'weighted-bce', 'asymmetric'],
      default: 'bce',
    },
    classifier2d: stage('the 2-D image classifier', 'pages', 20, 16, 2e-3),
    roi: stage('the ROI heatmap model (digitizer.roi = true)', 'pages', 10, 8, 2e-3),
    // The U-Nets of denoise and digitizer hold about 40 MB of activations per
    // 48 x 256 crop for the backward pass (tfjs keeps every op's inputs):
    // pieces of 8 crops keep a step near 0.4 GB whatever the batch size.
    denoise: stage('the denoiser (digitizer.denoise = true)', 'lead crops', 6, 32, 2e-3, 8),
    digitizer: stage('the digitizer', 'lead crops', 10, 32, 2e-3, 8),
    classifier1d: stage('the 1-D classifier on digitized leads', 'records', 20, 16, 2e-3),
    // One page at a time: the end-to-end pass holds every lead crop's digitizer
    // activations for the backward pass (about 0.7 GB a page at 100 DPI); the
    // parts run in inference mode (models/hierarchical.ts), so the gradient is
    // exactly the batch's.
    hierarchical: stage('the end-to-end fine-tuning of the hierarchy (model.finetune)', 'pages', 4, 8, 3e-4, 1),
    // The combiner has 33 weights (per-class) and trains on the frozen parts'
    // logits, computed once: many cheap epochs at a high rate.
    combiner: {
      epochs: {
        doc: 'Maximum epochs of the combiner-only phase (model.combine): the combiner trained on the frozen parts\' logits, before any fine-tuning (0 keeps its initial mean of the two).',
        format: 'nat',
        default: 60,
      },
      batchSize: { doc: 'Batch size of the combiner-only phase, in pages.', format: 'positive-int', default: 32 },
      learningRate: { doc: 'Adam learning rate of the combiner-only phase.', format: 'positive-number', default: 0.02 },
    },
  },
};
