/**
 * Stage `classifier2d` (the paper's classification (1)): the 2-D CNN on the
 * low-resolution greyscale page (model.classifier2d.inputHeight x
 * inputWidth, resized with sharp), 11 sigmoid outputs. Writes the trained
 * weights (model/classifier2d, TF.js format) and every split's
 * probabilities (probabilities.json) for the hierarchical stage.
 */
import type { Stage } from '../stage.js';
import { buildClassifier2d, specsOf } from '../../models/index.js';
import { readGreyImages } from '../../page/grey-image.js';
import { saveFinal } from '../fit.js';
import { bySplit, readPages, SPLITS, type Page } from './stage-inputs.js';
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
  configKeys: ['seed.train', 'model.classifier2d.*', 'train.classifier2d.*', 'train.patience', 'train.loss'],
  writes: 'model/classifier2d (TF.js), probabilities.json, predictions.csv (validation and test, per record)',
  usesBackend: true,
  async run(ctx) {
    const spec = specsOf(ctx.config).classifier2d;
    const pages = await readPages(ctx, 'classifier2d');
    const size = { width: spec.inputWidth, height: spec.inputHeight };
    ctx.progress.start('classifier2d: low-resolution pages', pages.length);
    const images = await readGreyImages(pages.map((p) => p.imagePath), size, () => ctx.progress.tick());
    ctx.progress.stop();
    const splitOf = (split: PageSplit): ClassifierSplit => {
      const indices = pages.flatMap((p, i) => (p.split === split ? [i] : []));
      return {
        records: indices.map((i) => (pages[i] as Page).record),
        inputs: indices.map((i) => images[i]!.data),
        labels: indices.map((i) => (pages[i] as Page).labels),
      };
    };
    const splits = Object.fromEntries(SPLITS.map((s) => [s, splitOf(s)])) as Record<PageSplit, ClassifierSplit>;
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
  },
};
