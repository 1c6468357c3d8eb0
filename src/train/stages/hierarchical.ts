/**
 * Stage `hierarchical` (the paper's hierarchy, steps 3 and 4) and the
 * cell's reported classification figures: `f1/macro`, `f1/<class>`,
 * `threshold/<class>` (chosen on validation), `f1/constant_macro` (the best
 * constant predictor, the yardstick) and `noise`.
 *
 * model.hierarchy = true: the trained parts (classifier2d, denoiser,
 * digitizer, classifier1d) and a new combiner are fine-tuned end to end on
 * the train pages (models/hierarchical.ts): the page, turned back by the
 * roi stage's angle (digitizer.deskew), is cut with its boxes, denoised, digitized, assembled into leads and classified,
 * and the combined loss (plus each branch's own and the digitizer's) moves
 * every part, the digitizer included. Early stopping on the validation loss
 * of the combined output. model.hierarchy = false: classifier2d's saved
 * probabilities alone, so the two cells share every other stage.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { ChallengeClass } from '../../core/ecg.js';
import type { Stage, StageContext } from '../stage.js';
import {
  buildCombiner,
  classificationLoss,
  cropRequest,
  hierarchicalForward,
  hierarchicalLoss,
  hierarchicalVariables,
  loadModel,
  type HierarchicalBatch,
  type HierarchicalParts,
  type SignalGeometry,
  specsOf,
} from '../../models/index.js';
import type { PageSplit } from '../../render/pages.js';
import { labelRows, logClassifierScore, scoreClassifier, validationF1 } from './classification.js';
import { fit, inChunks, saveFinal } from '../fit.js';
import { deskewDegOf, pageTrainingCrops, readBoxes, stackCrops, type BoxesFile } from './crop-set.js';
import { deskewImage } from '../../page/deskew.js';
import type { LeadCrop } from '../../page/lead-crop.js';
import { readGreyImage, type GreyImage } from '../../page/grey-image.js';
import { readPages, readProbabilities, requireInput, type Page } from './stage-inputs.js';
import type { DenoiseManifest } from './denoise.js';

export interface HierarchicalManifest {
  readonly hierarchy: boolean;
  readonly macroF1: number;
  readonly models: readonly string[];
}

interface PageExample {
  readonly page: Page;
  /** The roi stage's rotation of the page (0 without digitizer.deskew). */
  readonly deskewDeg: number;
  readonly lowRes: GreyImage;
  readonly crops: readonly LeadCrop[];
}

const PREDICT_BATCH = 8;

/** A batch as the train loop disposes it (its tensors are found by walking the object). */
type PageBatch = HierarchicalBatch & tf.TensorContainerObject;

async function loadPart(output: { dir: string; manifest: unknown }): Promise<tf.LayersModel> {
  return (await loadModel(join(output.dir, (output.manifest as { model: string }).model))).model;
}

async function loadParts(ctx: StageContext): Promise<HierarchicalParts> {
  const input = (name: string) => requireInput(ctx, 'hierarchical', name);
  const denoise = input('denoise') as { dir: string; manifest: DenoiseManifest };
  const loaded: tf.LayersModel[] = [];
  try {
    const load = async (name: string) => {
      const model = await loadPart(input(name));
      loaded.push(model);
      return model;
    };
    const classifier2d = await load('classifier2d');
    const denoiser = denoise.manifest.denoise ? await load('denoise') : null;
    const digitizer = await load('digitizer');
    const classifier1d = await load('classifier1d');
    return { classifier2d, denoiser, digitizer, classifier1d, combiner: buildCombiner(specsOf(ctx.config).combiner) };
  } catch (error) {
    for (const m of loaded) m.dispose();
    throw error;
  }
}

function disposeParts(parts: HierarchicalParts): void {
  for (const m of [parts.classifier2d, parts.denoiser, parts.digitizer, parts.classifier1d, parts.combiner]) m?.dispose();
}

async function makeBatch(examples: readonly PageExample[], withLabels: boolean): Promise<PageBatch> {
  const pages = await Promise.all(examples.map(async (e) => deskewImage(await readGreyImage(e.page.imagePath), e.deskewDeg)));
  const first = pages[0] as GreyImage;
  const lowFirst = examples[0]!.lowRes;
  const batch: HierarchicalBatch = {
    lowRes: tf.tensor4d(stackCrops(examples.map((e) => e.lowRes.data)), [examples.length, lowFirst.height, lowFirst.width, 1]),
    page: tf.tensor4d(stackCrops(pages.map((p) => p.data)), [pages.length, first.height, first.width, 1]),
    crops: examples.flatMap((e, example) => e.crops.map((c) => cropRequest(c, example))),
  };
  if (!withLabels) return batch as PageBatch;
  const rows = labelRows(examples.map((e) => e.page.labels));
  return { ...batch, labels: tf.tensor2d(stackCrops(rows), [rows.length, rows[0]?.length ?? 11]) } as PageBatch;
}

/** Combined probabilities and mean BCE of `examples`, in inference mode. */
async function predict(parts: HierarchicalParts, examples: readonly PageExample[], geometry: SignalGeometry): Promise<{ probabilities: Float32Array[]; loss: number }> {
  let lossSum = 0;
  const probabilities = await inChunks(examples, PREDICT_BATCH, async (chunk) => {
    const batch = await makeBatch(chunk, true);
    try {
      const [probs, loss] = tf.tidy(() => {
        const out = hierarchicalForward(parts, batch, geometry, { training: false });
        return [tf.sigmoid(out.logits), classificationLoss(out.logits, batch.labels as tf.Tensor2D)];
      });
      const values = (await probs.data()) as Float32Array;
      lossSum += ((await loss.data())[0] as number) * chunk.length;
      tf.dispose([probs, loss]);
      const classes = probs.shape[1] as number;
      return chunk.map((_, i) => values.slice(i * classes, (i + 1) * classes));
    } finally {
      tf.dispose([batch.lowRes, batch.page, batch.labels as tf.Tensor]);
    }
  });
  return { probabilities, loss: lossSum / Math.max(1, examples.length) };
}

async function imageOnly(ctx: StageContext): Promise<HierarchicalManifest> {
  const saved = await readProbabilities(requireInput(ctx, 'hierarchical', 'classifier2d'));
  const split = (name: PageSplit) => {
    const s = saved.splits[name];
    return { probabilities: (s?.probabilities ?? []).map((p) => Float32Array.from(p)), labels: (s?.labels ?? []) as ChallengeClass[][] };
  };
  const score = scoreClassifier(split('val'), split('test'));
  logClassifierScore(ctx, score);
  ctx.logger.info(`hierarchical (image classifier alone): test macro F1 ${score.test.macro.toFixed(3)}`);
  return { hierarchy: false, macroF1: score.test.macro, models: [] };
}

async function endToEnd(ctx: StageContext): Promise<HierarchicalManifest> {
  const specs = specsOf(ctx.config);
  const geometry: SignalGeometry = { cropHeight: ctx.config.digitizer.cropHeight, fsHz: specs.classifier1d.length / ctx.config.data.durationS, length: specs.classifier1d.length };
  const boxes: BoxesFile = await readBoxes(requireInput(ctx, 'hierarchical', 'roi'));
  const pages = await readPages(ctx, 'hierarchical');
  const size = { width: specs.classifier2d.inputWidth, height: specs.classifier2d.inputHeight };
  const lowRes = await Promise.all(pages.map((p) => readGreyImage(p.imagePath, size)));
  const examples: PageExample[] = pages.map((page, i) => ({ page, deskewDeg: deskewDegOf(page, boxes), lowRes: lowRes[i] as GreyImage, crops: pageTrainingCrops(ctx.config, page, boxes) }));
  const of = (split: PageSplit) => examples.filter((e) => e.page.split === split);
  const train = of('train');
  const val = of('val');
  const parts = await loadParts(ctx);
  try {
    const { auxWeight, digitizerWeight } = ctx.config.model.endToEnd;
    const { sigmaPx, l1Weight } = ctx.config.model.digitizer;
    await fit({
      stage: 'hierarchical',
      ctx,
      models: Object.fromEntries(Object.entries(parts).filter(([, m]) => m !== null)) as Record<string, tf.LayersModel>,
      variables: hierarchicalVariables(parts),
      train: ctx.config.train.hierarchical,
      examples: train.length,
      mode: 'min',
      batch: (indices) => makeBatch(indices.map((i) => train[i] as PageExample), true),
      loss: (batch) => hierarchicalLoss(parts, batch, geometry, { auxWeight, digitizerWeight, digitizer: { sigmaPx, l1Weight } }),
      validate: async () => {
        const v = await predict(parts, val, geometry);
        const f1 = validationF1({ probabilities: v.probabilities, labels: val.map((e) => e.page.labels) });
        return { value: v.loss, metrics: { val_loss: v.loss, val_f1: f1 } };
      },
    });
    const valPred = await predict(parts, val, geometry);
    const testExamples = of('test');
    const testPred = await predict(parts, testExamples, geometry);
    const score = scoreClassifier(
      { probabilities: valPred.probabilities, labels: val.map((e) => e.page.labels) },
      { probabilities: testPred.probabilities, labels: testExamples.map((e) => e.page.labels) },
    );
    logClassifierScore(ctx, score);
    ctx.logger.info(`hierarchical: test macro F1 ${score.test.macro.toFixed(3)} (constant predictor ${score.constant.macro.toFixed(3)})`);
    const models: string[] = [];
    for (const [name, model] of Object.entries(parts)) {
      if (!model) continue;
      const dir = await saveFinal(ctx, 'hierarchical', name, model as tf.LayersModel, { stage: 'hierarchical' });
      models.push(dir.slice(ctx.outDir.length + 1));
    }
    return { hierarchy: true, macroF1: score.test.macro, models };
  } finally {
    disposeParts(parts);
  }
}

export const hierarchicalStage: Stage<HierarchicalManifest> = {
  name: 'hierarchical',
  version: 3,
  description: 'Combine the classifiers and fine-tune end to end (model.hierarchy = true) or report classifier2d alone; test F1.',
  reads: ['data', 'render', 'roi', 'denoise', 'digitizer', 'classifier2d', 'classifier1d'],
  // Besides its own keys, what it reads to rebuild the parts' inputs (specs,
  // crop geometry) and to label its metrics; the input stages' keys already
  // vary with these, so declaring them shares nothing less.
  configKeys: [
    'seed.train',
    'render.noise',
    'data.durationS',
    'digitizer.*',
    'model.hierarchy',
    'model.combiner',
    'model.endToEnd.*',
    'model.classifier2d.*',
    'model.classifier1d.*',
    'model.denoiser.*',
    'model.digitizer.*',
    'train.hierarchical.*',
    'train.patience',
  ],
  writes: 'fine-tuned parts model/<part> (TF.js) when model.hierarchy = true; test F1 metrics',
  usesBackend: true,
  async run(ctx) {
    ctx.metrics.log('noise', ctx.config.render.noise);
    ctx.tags.set('render.noise', String(ctx.config.render.noise));
    ctx.tags.set('model.hierarchy', String(ctx.config.model.hierarchy));
    return ctx.config.model.hierarchy ? endToEnd(ctx) : imageOnly(ctx);
  },
};
