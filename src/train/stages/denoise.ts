/**
 * Stage `denoise` (the paper's denoising step). digitizer.denoise = true:
 * the denoiser (models/denoiser.ts) is trained on (noisy crop, clean-twin
 * crop) pairs cut with the roi stage's boxes; early stopping on the
 * validation loss. digitizer.denoise = false: identity, nothing trained.
 */
import * as tf from '@tensorflow/tfjs';
import type { Stage } from '../stage.js';
import { buildDenoiser, denoiserLoss, outputOf, readScalar, trainableVariables, specsOf } from '../../models/index.js';
import { fit, inChunks, saveFinal } from '../fit.js';
import { buildCropSets, readBoxes, stackCrops, trainingExamples, type CropExample, type PageCropSet } from './crop-set.js';
import { requireInput } from './stage-inputs.js';
import { readRenderedPages, type PageSplit } from '../../render/pages.js';

/** The splits the denoiser trains and validates on: the render stage writes clean twins for these pages only. */
export const DENOISE_SPLITS: readonly PageSplit[] = ['train', 'val'];

export interface DenoiseManifest {
  readonly denoise: boolean;
  readonly model: string | null;
}

export const denoiseStage: Stage<DenoiseManifest> = {
  name: 'denoise',
  version: 3,
  description: 'Train the crop denoiser on (noisy, clean twin) pairs (digitizer.denoise = true), else identity.',
  reads: ['render', 'roi'],
  configKeys: [
    'seed.train',
    'digitizer.denoise',
    'digitizer.deskew',
    'digitizer.rectify',
    'digitizer.cropHeight',
    'digitizer.columnsPerS',
    'model.denoiser.*',
    'model.digitizer.widths',
    'train.denoise.*',
    'train.patience',
    'train.prefetch',
  ],
  writes: 'model/denoiser (TF.js) when digitizer.denoise = true',
  usesBackend: true,
  async run(ctx) {
    if (!ctx.config.digitizer.denoise) return { denoise: false, model: null };
    const spec = specsOf(ctx.config).denoiser;
    // Page references only: buildCropSets reads each page's ground truth while it cuts the page's crops.
    const pages = (await readRenderedPages(requireInput(ctx, 'denoise', 'render'))).filter((p) => DENOISE_SPLITS.includes(p.split));
    const cropSets = await buildCropSets(ctx, 'denoise', pages, await readBoxes(requireInput(ctx, 'denoise', 'roi')), true);
    const { sets } = cropSets;
    const train = trainingExamples(sets, 'train');
    const val = trainingExamples(sets, 'val');
    const height = ctx.config.digitizer.cropHeight;
    const tensorOf = (examples: readonly CropExample[], clean: boolean) =>
      tf.tensor4d(
        stackCrops(examples.map(({ set, index }) => (clean ? (sets[set] as PageCropSet).clean(index) : (sets[set] as PageCropSet).pixels(index)))),
        [examples.length, height, train.columns, 1],
      );
    const weight = ctx.config.model.denoiser.traceWeight;
    const model = buildDenoiser(spec);
    try {
      await fit({
        stage: 'denoise',
        ctx,
        models: { denoiser: model },
        variables: trainableVariables(model),
        train: ctx.config.train.denoise,
        examples: train.examples.length,
        mode: 'min',
        prepared: {
          reads: (indices) => {
            const chosen = indices.map((i) => train.examples[i] as CropExample);
            return {
              x: chosen.map(({ set, index }) => (sets[set] as PageCropSet).pixelRange(index)),
              y: chosen.map(({ set, index }) => (sets[set] as PageCropSet).cleanRange(index)),
            };
          },
          build: (data, indices) => ({
            x: tf.tensor4d(data.x as Float32Array, [indices.length, height, train.columns, 1]),
            y: tf.tensor4d(data.y as Float32Array, [indices.length, height, train.columns, 1]),
          }),
        },
        loss: ({ x, y }) => denoiserLoss(outputOf(model, x, { training: true }), y, weight),
        validate: async () => {
          const parts = await inChunks(val.examples, 64, async (chunk) => [
            (await readScalar(tf.tidy(() => denoiserLoss(outputOf(model, tensorOf(chunk, false), { training: false }), tensorOf(chunk, true), weight)))) * chunk.length,
          ]);
          const identity = await inChunks(val.examples, 64, async (chunk) => [(await readScalar(tf.tidy(() => denoiserLoss(tensorOf(chunk, false), tensorOf(chunk, true), weight)))) * chunk.length]);
          const n = Math.max(1, val.examples.length);
          const value = parts.reduce((s, v) => s + v, 0) / n;
          return { value, metrics: { val_loss: value, val_loss_identity: identity.reduce((s, v) => s + v, 0) / n } };
        },
      });
      const dir = await saveFinal(ctx, 'denoise', 'denoiser', model, { spec });
      return { denoise: true, model: dir.slice(ctx.outDir.length + 1) };
    } finally {
      model.dispose();
      cropSets.remove();
    }
  },
};
