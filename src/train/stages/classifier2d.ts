/**
 * Stage `classifier2d` (the paper's classification (1)): the 2-D CNN on the
 * low-resolution greyscale page (model.classifier2d.inputHeight x
 * inputWidth, resized with sharp), 11 sigmoid outputs. Writes the trained
 * weights (model/classifier2d, TF.js format) and every split's
 * probabilities (probabilities.json) for the hierarchical stage. The
 * low-resolution pages are decoded once into a float32 page file in a
 * scratch folder of the stage (crop-file.ts) and read back per batch, and
 * only each page's layout is kept: memory does not grow with the pages.
 */
import { join } from 'node:path';
import type { Stage, StageContext } from '../stage.js';
import { buildClassifier2d, specsOf, type Classifier2dSpec } from '../../models/index.js';
import { saveFinal } from '../fit.js';
import { appendPageImages, bySplit, readPageRefs, SPLITS, type PageRef } from './stage-inputs.js';
import { CropFile } from './crop-file.js';
import { trainClassifier, type ClassifierSplit } from './train-classifier.js';
import type { PageSplit } from '../../render/pages.js';

export interface Classifier2dManifest {
  readonly model: string;
  readonly probabilities: string;
  readonly records: Readonly<Record<PageSplit, number>>;
}

export const classifier2dStage: Stage<Classifier2dManifest> = {
  name: 'classifier2d',
  version: 2,
  description: 'Train the 2-D image classifier on low-resolution pages; save its weights and per-split probabilities.',
  reads: ['render'],
  configKeys: ['seed.train', 'model.classifier2d.*', 'train.classifier2d.*', 'train.patience', 'train.loss', 'train.prefetch'],
  writes: 'model/classifier2d (TF.js), probabilities.json, predictions.csv (validation and test, per record)',
  usesBackend: true,
  async run(ctx) {
    const spec = specsOf(ctx.config).classifier2d;
    const pages = await readPageRefs(ctx, 'classifier2d');
    const size = { width: spec.inputWidth, height: spec.inputHeight };
    const pixels = size.width * size.height;
    const file = CropFile.create(join(ctx.outDir, '.low-res-pages-'));
    try {
      await appendPageImages(ctx, 'classifier2d: low-resolution pages', pages, size, file);
      const splitOf = (split: PageSplit): ClassifierSplit => {
        const indices = pages.flatMap((p, i) => (p.split === split ? [i] : []));
        return {
          records: indices.map((i) => (pages[i] as PageRef).record),
          inputs: {
            length: indices.length,
            at: (k) => (k >= 0 && k < indices.length ? file.read((indices[k] as number) * pixels, pixels) : undefined),
            rangeOf: (k) => file.range((indices[k] as number) * pixels, pixels),
          },
          labels: indices.map((i) => (pages[i] as PageRef).labels),
        };
      };
      const splits = Object.fromEntries(SPLITS.map((s) => [s, splitOf(s)])) as Record<PageSplit, ClassifierSplit>;
      return await trainAndSave(ctx, spec, splits, pages);
    } finally {
      file.remove();
    }
  },
};

async function trainAndSave(ctx: StageContext, spec: Classifier2dSpec, splits: Record<PageSplit, ClassifierSplit>, pages: readonly PageRef[]): Promise<Classifier2dManifest> {
  const model = buildClassifier2d(spec);
  try {
    await trainClassifier(ctx, 'classifier2d', model, ctx.config.train.classifier2d, { shape: [spec.inputHeight, spec.inputWidth, 1], splits });
    const dir = await saveFinal(ctx, 'classifier2d', 'classifier2d', model, { spec });
    return {
      model: dir.slice(ctx.outDir.length + 1),
      probabilities: 'probabilities.json',
      records: { train: bySplit(pages, 'train').length, val: bySplit(pages, 'val').length, test: bySplit(pages, 'test').length },
    };
  } finally {
    model.dispose();
  }
}
