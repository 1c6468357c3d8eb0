/**
 * Stage `digitizer` (the paper's digitization (2)): lead crops (cut with
 * the roi stage's boxes, cleaned by the denoise stage's model when there is
 * one) to per-column rows, trained on the renderer's trace positions
 * (crop-geometry.ts columnTargets) with the KL + L1 loss of
 * models/digitizer.ts; early stopping on the validation loss. Then every
 * page is digitized at its record's fs (digitize.ts) and saved
 * (signals.f32 + signals.json) for classifier1d, and the test split is
 * scored with the challenge SNR against the plotted reference:
 * `digitizer/snr/mean`, `digitizer/snr/I` ... (validation:
 * `digitizer/val_snr`): the digitizer before any fine-tuning. The cell's
 * `snr/*` are the hierarchical stage's, with the digitizer it ends with.
 * Version 5: the SNR metrics renamed so. model.backbone = shared: the
 * digitizer's encoder is classifier2d's trained backbone, frozen here
 * (models/backbone.ts; the stage then reads classifier2d), and
 * model/digitizer holds its head.
 * The first test page, with its digitized traces drawn back onto it, is the
 * stage's example for reports (artifacts digitizer/example.png + .json).
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { closeSync, openSync, writeSync } from 'node:fs';
import { writeJsonAtomic } from '../../core/fs.js';
import type { Stage, StageContext } from '../stage.js';
import { buildDigitizer, digitizerLoss, loadModel, outputOf, readScalar, savedPartOf, trainableVariables, specsOf, type DigitizerSpec } from '../../models/index.js';
import { backboneReads, stagePart } from './backbone-input.js';
import { recordSnr, snrMetrics, snrSummary } from '../../metrics/index.js';
import { plottedSignals } from '../../render/ground-truth.js';
import { fit, inChunks, saveFinal } from '../fit.js';
import { buildCropSets, readBoxes, rectificationOfPage, stackCrops, trainingExamples, type BoxesFile, type CropExample, type PageCropSet } from './crop-set.js';
import { denoiseCrops, digitizePage } from './digitize-crops.js';
import { writeExamplePage } from './example-page.js';
import { requireInput } from './stage-inputs.js';
import { saveRecordSnr } from './save-record-outputs.js';
import type { DenoiseManifest } from './denoise.js';
import { readRenderedPages, type PageSplit } from '../../render/pages.js';

export const SIGNALS_FILE = 'signals.f32';
export const SIGNALS_INDEX = 'signals.json';

export interface DigitizedRecord {
  readonly record: string;
  readonly split: PageSplit;
  readonly fsHz: number;
  readonly length: number;
  /** Offset in float32 values into signals.f32; 12 leads of `length` each follow, lead-major. */
  readonly offset: number;
}

export interface DigitizerManifest {
  readonly model: string;
  readonly signals: string;
  readonly index: string;
  readonly snrMean: number;
  /** `shared`: the saved model is the head on classifier2d's backbone (models/backbone.ts); absent: separate. */
  readonly backbone?: 'shared';
}

/**
 * Digitize every page into signals.f32, one page at a time (appended as it
 * is read, so memory does not grow with the pages), and keep only each
 * validation and test record's per-lead SNR (its reference read from the
 * page's ground truth then).
 */
async function digitizeAll(
  ctx: StageContext,
  model: tf.LayersModel,
  sets: readonly PageCropSet[],
  height: number,
): Promise<{ index: DigitizedRecord[]; scores: Record<PageSplit, number[][]>; scored: { record: string; split: PageSplit; snr: number[] }[] }> {
  const index: DigitizedRecord[] = [];
  const scores: Record<PageSplit, number[][]> = { train: [], val: [], test: [] };
  const scored: { record: string; split: PageSplit; snr: number[] }[] = [];
  const fd = openSync(join(ctx.outDir, SIGNALS_FILE), 'w');
  let offset = 0;
  ctx.progress.start('digitizer: digitizing pages', sets.length);
  try {
    for (const s of sets) {
      const { fsHz, recordLength } = s.page.gt;
      const leads = await digitizePage(model, s, height, fsHz, recordLength);
      for (const lead of leads) writeSync(fd, new Uint8Array(lead.buffer, lead.byteOffset, lead.byteLength));
      index.push({ record: s.page.record, split: s.page.split, fsHz, length: recordLength, offset });
      offset += leads.length * recordLength;
      if (s.page.split !== 'train') {
        const snr = recordSnr(plottedSignals((await s.truth()).gt), leads, fsHz);
        scores[s.page.split].push(snr);
        scored.push({ record: s.page.record, split: s.page.split, snr });
      }
      ctx.progress.tick();
    }
  } finally {
    closeSync(fd);
    ctx.progress.stop();
  }
  return { index, scores, scored };
}

async function loadDenoiser(ctx: StageContext): Promise<tf.LayersModel | null> {
  const denoise = requireInput<DenoiseManifest>(ctx, 'digitizer', 'denoise');
  if (!denoise.manifest.denoise || !denoise.manifest.model) return null;
  return (await loadModel(join(denoise.dir, denoise.manifest.model))).model;
}

export const digitizerStage: Stage<DigitizerManifest> = {
  name: 'digitizer',
  version: 6,
  description: 'Train the digitizer on (denoised) lead crops; digitize every page; test SNR per lead.',
  reads: ['render', 'roi', 'denoise'],
  // model.backbone = shared: the digitizer's encoder is classifier2d's backbone (backbone-input.ts).
  readsWhen: backboneReads,
  configKeys: ['seed.train', 'render.noise', 'digitizer.*', 'model.denoiser.*', 'model.digitizer.*', 'train.digitizer.*', 'train.patience', 'train.prefetch'],
  writes: 'model/digitizer (TF.js), signals.f32 + signals.json (every record digitized at its fs), example.png + example.json',
  usesBackend: true,
  async run(ctx) {
    const spec = specsOf(ctx.config).digitizer;
    const height = ctx.config.digitizer.cropHeight;
    // Page references only: buildCropSets reads each page's ground truth while it cuts the page's crops.
    const pages = await readRenderedPages(requireInput(ctx, 'digitizer', 'render'));
    const boxes = await readBoxes(requireInput(ctx, 'digitizer', 'roi'));
    const cropSets = await buildCropSets(ctx, 'digitizer', pages, boxes, false);
    const { sets } = cropSets;
    try {
      const denoiser = await loadDenoiser(ctx);
      if (denoiser) {
        try {
          for (const set of sets) await denoiseCrops(denoiser, set, height);
        } finally {
          denoiser.dispose();
        }
      }
      return await trainAndDigitize(ctx, spec, sets, boxes);
    } finally {
      cropSets.remove();
    }
  },
};

async function trainAndDigitize(ctx: StageContext, spec: DigitizerSpec, sets: readonly PageCropSet[], boxes: BoxesFile): Promise<DigitizerManifest> {
  const height = ctx.config.digitizer.cropHeight;
  const train = trainingExamples(sets, 'train');
  const val = trainingExamples(sets, 'val');
  const { sigmaPx, l1Weight } = ctx.config.model.digitizer;
  const targetsOf = ({ set, index }: CropExample) => (sets[set] as PageCropSet).targets(index);
  const batchOf = (examples: readonly CropExample[]) => ({
    x: tf.tensor4d(stackCrops(examples.map(({ set, index }) => (sets[set] as PageCropSet).pixels(index))), [examples.length, height, train.columns, 1]),
    rows: tf.tensor2d(stackCrops(examples.map((e) => targetsOf(e).rows)), [examples.length, train.columns]),
    mask: tf.tensor2d(stackCrops(examples.map((e) => targetsOf(e).mask)), [examples.length, train.columns]),
  });
  const part = await stagePart(ctx, 'digitizer', spec, () => buildDigitizer(spec));
  const { model } = part;
  try {
    await fit({
      stage: 'digitizer',
      ctx,
      models: { digitizer: savedPartOf(model) },
      variables: trainableVariables(model),
      train: ctx.config.train.digitizer,
      examples: train.examples.length,
      mode: 'min',
      prepared: {
        reads: (indices) => {
          const chosen = indices.map((i) => train.examples[i] as CropExample);
          const setOf = (e: CropExample) => sets[e.set] as PageCropSet;
          return {
            x: chosen.map((e) => setOf(e).pixelRange(e.index)),
            rows: chosen.map((e) => setOf(e).targetRanges(e.index).rows),
            mask: chosen.map((e) => setOf(e).targetRanges(e.index).mask),
          };
        },
        build: (data, indices) => ({
          x: tf.tensor4d(data.x as Float32Array, [indices.length, height, train.columns, 1]),
          rows: tf.tensor2d(data.rows as Float32Array, [indices.length, train.columns]),
          mask: tf.tensor2d(data.mask as Float32Array, [indices.length, train.columns]),
        }),
      },
      loss: ({ x, rows, mask }) => digitizerLoss(outputOf(model, x, { training: true }), rows, mask, { sigmaPx, l1Weight }),
      validate: async () => {
        const parts = await inChunks(val.examples, 64, async (chunk) => {
          const loss = tf.tidy(() => {
            const b = batchOf(chunk);
            return digitizerLoss(outputOf(model, b.x, { training: false }), b.rows, b.mask, { sigmaPx, l1Weight });
          });
          return [(await readScalar(loss)) * chunk.length];
        });
        const value = parts.reduce((s, v) => s + v, 0) / Math.max(1, val.examples.length);
        return { value, metrics: { val_loss: value } };
      },
    });
    const { index, scores, scored } = await digitizeAll(ctx, model, sets, height);
    await writeJsonAtomic(join(ctx.outDir, SIGNALS_INDEX), { records: index });
    await saveRecordSnr(ctx, 'digitizer', scored);

    const example = sets.find((s) => s.page.split === 'test') ?? sets[0];
    if (example) await writeExamplePage(ctx, 'digitizer', model, await example.withTruth(), height, rectificationOfPage(example.page, boxes));

    const test = snrSummary(scores.test);
    for (const [name, value] of Object.entries(snrMetrics(test))) ctx.metrics.log(`digitizer/${name}`, value);
    ctx.metrics.log('digitizer/val_snr', snrSummary(scores.val).mean);
    ctx.metrics.log('noise', ctx.config.render.noise);
    ctx.tags.set('render.noise', String(ctx.config.render.noise));
    ctx.logger.info(`digitizer: test SNR ${test.mean.toFixed(2)} dB over ${test.scoredPairs} of ${test.pairs} (record, lead) pairs at noise ${ctx.config.render.noise}`);
    const dir = await saveFinal(ctx, 'digitizer', 'digitizer', savedPartOf(model), { spec, backbone: part.backbone });
    const shared = part.backbone === 'shared' ? { backbone: 'shared' as const } : {};
    return { model: dir.slice(ctx.outDir.length + 1), signals: SIGNALS_FILE, index: SIGNALS_INDEX, snrMean: test.mean, ...shared };
  } finally {
    part.dispose();
  }
}
