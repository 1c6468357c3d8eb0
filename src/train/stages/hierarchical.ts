/**
 * Stage `hierarchical` (the paper's hierarchy, steps 3 and 4) and the
 * cell's reported figures: `f1/macro`, `f1/<class>`, `threshold/<class>`
 * (chosen on validation), `f1/constant_macro` (the best constant predictor,
 * the yardstick), `snr/mean` and `snr/<lead>` (test split, with the
 * digitizer the cell ends with) and `noise`.
 *
 * Two switches (config/schema/model.ts hierarchySwitches; model.hierarchy =
 * false turns both off), four arms that share every other stage:
 *
 *   combine  finetune  reported classifier          digitizer scored
 *   false    false     classifier2d alone           the digitizer stage's
 *   true     false     combiner on the frozen parts the digitizer stage's
 *   false    true      fine-tuned classifier2d      fine-tuned
 *   true     true      fine-tuned combined model    fine-tuned
 *
 * combine: a combiner-only phase first (train.combiner.*): the frozen parts'
 * logits of every train and validation page are computed once through the
 * hierarchical path (models/hierarchical.ts, inference mode: the path that
 * fine-tuning and `ecg-lab classify` run), and the combiner alone learns on
 * them, early stopping on the validation loss. No gradient reaches the
 * parts. Its per-class weights are logged as `combiner/image_weight/<class>`
 * and `combiner/signal_weight/<class>` (step 0 after this phase, step 1
 * after fine-tuning).
 *
 * finetune: every part (classifier2d, denoiser, digitizer, classifier1d,
 * and the combiner when there is one) is trained end to end on the train
 * pages: the page, turned back by the roi stage's angle (digitizer.deskew),
 * is cut with its boxes, denoised, digitized, assembled into leads and
 * classified; the loss is L(output) + auxWeight (L(image) + L(signal)) +
 * digitizerWeight x the digitizer's loss, L = train.loss; early stopping on
 * the validation loss of the output. Without combine the output IS the
 * image classifier's logits: there is no combined output to replace, so the
 * honest arm reports the 2-D classifier after fine-tuning, and the
 * classification loss reaches the digitizer only through the 1-D
 * classifier's own term (auxWeight; with auxWeight 0 only the digitizer's
 * loss moves it). That arm isolates "the classification loss improves the
 * digitizer" (claim c) from "combining improves classification" (claim b).
 *
 * SNR: without fine-tuning, the digitizer stage's own test signals
 * (signals.f32: the same weights, so `snr/*` equals `digitizer/snr/*`);
 * with it, the test pages digitized again through the digitizer stage's
 * path (crop-set.ts, digitize-crops.ts) with the fine-tuned denoiser and
 * digitizer, scored with the same alignment and masking (metrics/snr.ts on
 * plottedSignals). Either way only the weights differ between the arms.
 *
 * model.backbone = shared (the digitizer stage's manifest says so): the
 * digitizer is its head on this stage's classifier2d (models/backbone.ts),
 * so fine-tuning moves one backbone by the gradients of both the
 * classification and the digitizer losses; the saved digitizer is its head.
 * The ROI model is not a part here (its boxes carry no gradient).
 *
 * Pages (issue 21): the stage keeps per page only its layout (readPageRefs)
 * and its crops' placements. With combine or finetune, every page's inputs
 * are decoded once into a float32 page file in a scratch folder of the
 * stage (crop-file.ts): the low-resolution page (classifier2d's input), the
 * full page turned back by the roi stage's angle (the crops are cut from
 * it in the graph) and its crops' targets, cut from its traces, which are
 * read from its ground-truth file then and dropped. A batch reads its pages
 * from that file: in training gathered ahead off the training thread
 * (train.prefetch, batch-reads.ts), in prediction when the chunk is taken.
 * SNR reads a test page's traces only while scoring it. The file holds a
 * full page as float32 (about 3.7 MB at 100 DPI): disk, not memory, grows
 * with the pages.
 *
 * Per record (artifacts hierarchical/predictions.csv, validation and test;
 * hierarchical/per-record-snr.csv, test): what the cell's figures are made
 * of, for bootstrap intervals in reports (report/stats/record-outputs.ts).
 *
 * Saved (artifacts hierarchical/<part>): the combiner when combine, every
 * fine-tuned part when finetune; inference/load-cell.ts takes a part from
 * here when the cell's switches say this stage trained it.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { CHALLENGE_CLASSES, type ChallengeClass } from '../../core/ecg.js';
import { hierarchySwitches, type HierarchySwitches } from '../../config/schema/model.js';
import type { Stage, StageContext } from '../stage.js';
import {
  buildCombiner,
  classificationLoss,
  classificationLossOf,
  combinerLoss,
  composeShared,
  loadClassifier2d,
  savedPartOf,
  combinerWeights,
  type CropRequest,
  hierarchicalForward,
  hierarchicalLoss,
  hierarchicalVariables,
  loadModel,
  outputOf,
  readScalar,
  readValues,
  trainableVariables,
  type ClassificationLoss,
  type HierarchicalBatch,
  type HierarchicalParts,
  type SignalGeometry,
  specsOf,
} from '../../models/index.js';
import { recordSnr, snrMetrics, snrSummary, type SnrSummary } from '../../metrics/index.js';
import { plottedSignals } from '../../render/ground-truth.js';
import type { PageSplit } from '../../render/pages.js';
import { labelRows, logClassifierScore, scoreClassifier, trainPrevalence, validationF1, type SplitProbabilities } from './classification.js';
import { fit, inChunks, saveFinal } from '../fit.js';
import { buildCropSets, pageTrainingCrops, readBoxes, readCropSource, rectifiedPage, stackCrops, type BoxesFile } from './crop-set.js';
import { denoiseCrops, digitizePage } from './digitize-crops.js';
import { readGreyImage } from '../../page/grey-image.js';
import { readPageRefs, readProbabilities, requireInput, withTruth, type PageRef } from './stage-inputs.js';
import { CropFile } from './crop-file.js';
import type { BatchData, BatchReads, FloatRange } from '../batch-reads.js';
import { concatFloat32 } from '../../core/typed-arrays.js';
import { readDigitized } from './classifier1d.js';
import type { DenoiseManifest } from './denoise.js';
import type { DigitizerManifest } from './digitizer.js';
import { savePredictions, saveRecordSnr } from './save-record-outputs.js';
import type { RecordSnr } from '../../report/stats/record-outputs.js';

export interface HierarchicalManifest {
  readonly combine: boolean;
  readonly finetune: boolean;
  readonly macroF1: number;
  /** Test SNR with the digitizer the cell ends with. */
  readonly snrMean: number;
  readonly models: readonly string[];
}

/**
 * A page as a batch reads it: its layout, and where its inputs lie in the
 * stage's page file (pagesFile): the low-resolution page, the full page
 * turned back by the roi stage's angle (the page the crops are cut from)
 * and its crops' targets. Its crops' placements are kept in memory.
 */
interface PageExample {
  readonly page: PageRef;
  readonly lowRes: FloatRange;
  readonly full: FloatRange;
  readonly fullSize: { readonly width: number; readonly height: number };
  readonly crops: readonly Omit<CropRequest, 'example' | 'targetRows' | 'targetMask'>[];
  readonly targets: readonly { readonly rows: FloatRange; readonly mask: FloatRange }[];
}

/** The frozen parts' logits of some pages, one row per page. */
interface BranchLogits {
  readonly image: readonly Float32Array[];
  readonly signal: readonly Float32Array[];
}

const PREDICT_BATCH = 8;
const CLASSES = CHALLENGE_CLASSES.length;

/** A batch as the train loop disposes it (its tensors are found by walking the object). */
type PageBatch = HierarchicalBatch & tf.TensorContainerObject;

async function loadPart(output: { dir: string; manifest: unknown }): Promise<tf.LayersModel> {
  return (await loadModel(join(output.dir, (output.manifest as { model: string }).model))).model;
}

/** Whether the digitizer stage put the digitizer on classifier2d's backbone (model.backbone = shared). */
function sharedBackbone(ctx: StageContext): boolean {
  return requireInput<DigitizerManifest>(ctx, 'hierarchical', 'digitizer').manifest.backbone === 'shared';
}

/**
 * The parts as their stages saved them. Shared backbone: the digitizer's
 * head on the loaded classifier2d (models/backbone.ts), its backbone weights
 * classifier2d's own variables, trainable: the end-to-end step moves them
 * once, by the gradients of both losses.
 */
async function loadParts(ctx: StageContext, combine: boolean): Promise<HierarchicalParts> {
  const input = (name: string) => requireInput(ctx, 'hierarchical', name);
  const denoise = input('denoise') as { dir: string; manifest: DenoiseManifest };
  const shared = sharedBackbone(ctx);
  const loaded: tf.LayersModel[] = [];
  try {
    const load = async (name: string) => {
      const model = await loadPart(input(name));
      loaded.push(model);
      return model;
    };
    const classifier2dInput = input('classifier2d') as { dir: string; manifest: { model: string } };
    const classifier2d = shared ? (await loadClassifier2d(join(classifier2dInput.dir, classifier2dInput.manifest.model))).model : await load('classifier2d');
    if (shared) loaded.push(classifier2d);
    const denoiser = denoise.manifest.denoise ? await load('denoise') : null;
    // The composed part owns its head: disposing it disposes the head (models/backbone.ts).
    const digitizer = shared ? composeShared(await loadPart(input('digitizer')), classifier2d, { trainBackbone: true }) : await load('digitizer');
    if (shared) loaded.push(digitizer);
    const classifier1d = await load('classifier1d');
    const combiner = combine ? buildCombiner(specsOf(ctx.config).combiner) : null;
    return { classifier2d, denoiser, digitizer, classifier1d, combiner };
  } catch (error) {
    for (const m of loaded) m.dispose();
    throw error;
  }
}

function disposeParts(parts: HierarchicalParts): void {
  for (const m of [parts.classifier2d, parts.denoiser, parts.digitizer, parts.classifier1d, parts.combiner]) m?.dispose();
}

/** Pages decoded at once while the page file is written (sharp decodes two at a time off the main thread). */
const DECODE_CHUNK = 8;

/**
 * Every page's inputs decoded once into a float32 page file in a scratch
 * folder of the stage (crop-file.ts; removed by the caller): the
 * low-resolution page, the full page turned back by the roi stage's angle,
 * and its crops' targets, cut from its traces (read from its ground-truth
 * file here and dropped). Batches read their pages from the file, so
 * memory holds per page only its layout and its crops' placements.
 */
async function writePageFile(ctx: StageContext, pages: readonly PageRef[], boxes: BoxesFile, lowSize: { width: number; height: number }, file: CropFile): Promise<PageExample[]> {
  const examples: PageExample[] = [];
  ctx.progress.start('hierarchical: decoding pages', pages.length);
  try {
    for (let start = 0; start < pages.length; start += DECODE_CHUNK) {
      ctx.signal.throwIfAborted();
      const chunk = pages.slice(start, start + DECODE_CHUNK);
      const decoded = await Promise.all(chunk.map(async (page) => ({ lowRes: await readGreyImage(page.imagePath, lowSize), full: await readCropSource(page.imagePath, page, boxes) })));
      for (const [i, page] of chunk.entries()) {
        const { lowRes, full } = decoded[i]!;
        const crops = pageTrainingCrops(ctx.config, await withTruth(page), boxes);
        const stored = (pixels: Float32Array) => file.range(file.append(pixels), pixels.length);
        examples.push({
          page,
          lowRes: stored(lowRes.data),
          full: stored(full.data),
          fullSize: { width: full.width, height: full.height },
          crops: crops.map(({ targetRows: _rows, targetMask: _mask, ...placement }) => placement),
          targets: crops.map((c) => ({ rows: stored(c.targetRows), mask: stored(c.targetMask) })),
        });
        ctx.progress.tick();
      }
    }
  } finally {
    ctx.progress.stop();
  }
  return examples;
}

/** Where a batch of `examples` lies in the page file (fit gathers it off the training thread). */
function batchReads(examples: readonly PageExample[]): BatchReads {
  return {
    lowRes: examples.map((e) => e.lowRes),
    page: examples.map((e) => e.full),
    rows: examples.flatMap((e) => e.targets.map((t) => t.rows)),
    mask: examples.flatMap((e) => e.targets.map((t) => t.mask)),
  };
}

/** The batch of `examples` from its gathered data (the pages share the first page's size, as rendered). */
function buildBatch(examples: readonly PageExample[], data: BatchData, withLabels: boolean, lowSize: { width: number; height: number }): PageBatch {
  const first = examples[0]!.fullSize;
  let rowsAt = 0;
  let maskAt = 0;
  const crops = examples.flatMap((e, example) =>
    e.crops.map((placement, i): CropRequest => {
      const { rows, mask } = e.targets[i]!;
      const targetRows = (data.rows as Float32Array).slice(rowsAt, rowsAt + rows.length);
      const targetMask = (data.mask as Float32Array).slice(maskAt, maskAt + mask.length);
      rowsAt += rows.length;
      maskAt += mask.length;
      return { ...placement, targetRows, targetMask, example };
    }),
  );
  const batch: HierarchicalBatch = {
    lowRes: tf.tensor4d(data.lowRes as Float32Array, [examples.length, lowSize.height, lowSize.width, 1]),
    page: tf.tensor4d(data.page as Float32Array, [examples.length, first.height, first.width, 1]),
    crops,
  };
  if (!withLabels) return batch as PageBatch;
  const rows = labelRows(examples.map((e) => e.page.labels));
  return { ...batch, labels: tf.tensor2d(stackCrops(rows), [rows.length, rows[0]?.length ?? CLASSES]) } as PageBatch;
}

/** The batch of `examples` read from the page file now (validation and prediction). */
function readBatch(file: CropFile, examples: readonly PageExample[], withLabels: boolean, lowSize: { width: number; height: number }): PageBatch {
  const reads = batchReads(examples);
  const data = Object.fromEntries(Object.entries(reads).map(([name, ranges]) => [name, concatFloat32(ranges.map((r) => file.read(r.offset, r.length)))]));
  return buildBatch(examples, data, withLabels, lowSize);
}

const rowsOf = (values: Float32Array, n: number) => Array.from({ length: n }, (_, i) => values.slice(i * CLASSES, (i + 1) * CLASSES));

/** A batch of some examples read from the page file now. */
type ReadBatch = (examples: readonly PageExample[], withLabels: boolean) => PageBatch;

/** The output's probabilities and mean loss of `examples`, in inference mode. */
async function predict(parts: HierarchicalParts, examples: readonly PageExample[], read: ReadBatch, geometry: SignalGeometry, loss: ClassificationLoss): Promise<{ probabilities: Float32Array[]; loss: number }> {
  let lossSum = 0;
  const probabilities = await inChunks(examples, PREDICT_BATCH, async (chunk) => {
    const batch = read(chunk, true);
    try {
      const [probs, cost] = tf.tidy(() => {
        const out = hierarchicalForward(parts, batch, geometry, { training: false });
        return [tf.sigmoid(out.logits), classificationLoss(out.logits, batch.labels as tf.Tensor2D, loss)];
      });
      const values = (await probs.data()) as Float32Array;
      lossSum += ((await cost.data())[0] as number) * chunk.length;
      tf.dispose([probs, cost]);
      return rowsOf(values, chunk.length);
    } finally {
      tf.dispose([batch.lowRes, batch.page, batch.labels as tf.Tensor]);
    }
  });
  return { probabilities, loss: lossSum / Math.max(1, examples.length) };
}

/** Both branches' logits of `examples` through the hierarchical path, in inference mode. */
async function branchLogits(parts: HierarchicalParts, examples: readonly PageExample[], read: ReadBatch, geometry: SignalGeometry): Promise<BranchLogits> {
  const rows = await inChunks(examples, PREDICT_BATCH, async (chunk) => {
    const batch = read(chunk, false);
    try {
      const [image, signal] = tf.tidy(() => {
        const out = hierarchicalForward(parts, batch, geometry, { training: false });
        return [out.imageLogits, out.signalLogits];
      });
      // Both reads start at once: each disposes its tensor, also when the other fails.
      const [imageValues, signalValues] = await Promise.all([readValues(image), readValues(signal)]);
      const images = rowsOf(imageValues, chunk.length);
      const signals = rowsOf(signalValues, chunk.length);
      return chunk.map((_, i) => ({ image: images[i] as Float32Array, signal: signals[i] as Float32Array }));
    } finally {
      tf.dispose([batch.lowRes, batch.page]);
    }
  });
  return { image: rows.map((r) => r.image), signal: rows.map((r) => r.signal) };
}

const logitTensor = (rows: readonly Float32Array[]) => tf.tensor2d(stackCrops(rows), [rows.length, CLASSES]);

/** The combiner's probabilities on fixed branch logits. */
async function combinedProbabilities(combiner: tf.LayersModel, logits: BranchLogits): Promise<Float32Array[]> {
  const values = await readValues(tf.tidy(() => tf.sigmoid(outputOf(combiner, [logitTensor(logits.image), logitTensor(logits.signal)], { training: false }))));
  return rowsOf(values, logits.image.length);
}

async function logCombinerWeights(ctx: StageContext, combiner: tf.LayersModel, step: number): Promise<void> {
  const { image, signal } = await combinerWeights(combiner);
  CHALLENGE_CLASSES.forEach((cls, k) => {
    ctx.metrics.log(`combiner/image_weight/${cls}`, image[k] as number, step);
    ctx.metrics.log(`combiner/signal_weight/${cls}`, signal[k] as number, step);
  });
}

/** The combiner-only phase (see the header): the combiner trained on the frozen parts' train logits, early stopping on validation. */
async function trainCombiner(ctx: StageContext, combiner: tf.LayersModel, train: { logits: BranchLogits; labels: readonly (readonly ChallengeClass[])[] }, val: { logits: BranchLogits; labels: readonly (readonly ChallengeClass[])[] }, loss: ClassificationLoss): Promise<void> {
  const labelsOf = (labels: readonly (readonly ChallengeClass[])[]) => logitTensor(labelRows(labels));
  const pick = <T>(rows: readonly T[], indices: readonly number[]) => indices.map((i) => rows[i] as T);
  await fit({
    stage: 'combiner',
    ctx,
    models: { combiner },
    variables: trainableVariables(combiner),
    train: { ...ctx.config.train.combiner, microBatchSize: 0 },
    examples: train.labels.length,
    mode: 'min',
    batch: (indices) => ({
      image: logitTensor(pick(train.logits.image, indices)),
      signal: logitTensor(pick(train.logits.signal, indices)),
      labels: labelsOf(pick(train.labels, indices)),
    }),
    loss: (b) => combinerLoss(combiner, b.image as tf.Tensor2D, b.signal as tf.Tensor2D, b.labels as tf.Tensor2D, loss),
    validate: async () => {
      const value = await readScalar(tf.tidy(() => combinerLoss(combiner, logitTensor(val.logits.image), logitTensor(val.logits.signal), labelsOf(val.labels), loss)));
      const f1 = validationF1({ probabilities: await combinedProbabilities(combiner, val.logits), labels: val.labels });
      return { value, metrics: { val_loss: value, val_f1: f1 } };
    },
  });
  await logCombinerWeights(ctx, combiner, 0);
}

/** Test SNR of the digitizer stage's saved signals: the final digitizer when nothing was fine-tuned. */
async function savedSignalsSnr(ctx: StageContext, pages: readonly PageRef[], boxes: BoxesFile): Promise<RecordSnr[]> {
  const digitizer = requireInput<DigitizerManifest>(ctx, 'hierarchical', 'digitizer');
  const { index, signals } = await readDigitized(digitizer.dir, digitizer.manifest);
  const byRecord = new Map(index.map((r) => [r.record, r]));
  const rows: RecordSnr[] = [];
  // One page's traces at a time, read from its ground-truth file.
  for (const p of pages.filter((page) => page.split === 'test')) {
    const gt = rectifiedPage(await withTruth(p), boxes).gt;
    const r = byRecord.get(p.record);
    const leads = r ? Array.from({ length: 12 }, (_, lead) => signals.subarray(r.offset + lead * r.length, r.offset + (lead + 1) * r.length)) : undefined;
    rows.push({ record: p.record, split: p.split, snr: recordSnr(plottedSignals(gt), leads, gt.fsHz) });
  }
  return rows;
}

/** Test SNR of the test pages digitized again, through the digitizer stage's path, with the fine-tuned denoiser and digitizer. */
async function finetunedSnr(ctx: StageContext, parts: HierarchicalParts, pages: readonly PageRef[], boxes: BoxesFile): Promise<RecordSnr[]> {
  const height = ctx.config.digitizer.cropHeight;
  const cropSets = await buildCropSets(ctx, 'hierarchical', pages.filter((p) => p.split === 'test'), boxes, false);
  try {
    const rows: RecordSnr[] = [];
    for (const set of cropSets.sets) {
      if (parts.denoiser) await denoiseCrops(parts.denoiser, set, height);
      const { fsHz, recordLength } = set.page.gt;
      const truth = await set.truth();
      rows.push({ record: set.page.record, split: set.page.split, snr: recordSnr(plottedSignals(truth.gt), await digitizePage(parts.digitizer, set, height, fsHz, recordLength), fsHz) });
    }
    return rows;
  } finally {
    cropSets.remove();
  }
}

async function logSnr(ctx: StageContext, rows: readonly RecordSnr[], which: string): Promise<SnrSummary> {
  await saveRecordSnr(ctx, 'hierarchical', rows);
  const snr = snrSummary(rows.map((r) => r.snr));
  for (const [name, value] of Object.entries(snrMetrics(snr))) ctx.metrics.log(name, value);
  ctx.logger.info(`hierarchical: test SNR ${snr.mean.toFixed(2)} dB with ${which} over ${snr.scoredPairs} of ${snr.pairs} (record, lead) pairs`);
  return snr;
}

/** combine = finetune = false: classifier2d's saved probabilities, the digitizer stage's signals. */
async function imageOnly(ctx: StageContext): Promise<HierarchicalManifest> {
  const saved = await readProbabilities(requireInput(ctx, 'hierarchical', 'classifier2d'));
  const split = (name: PageSplit): SplitProbabilities => {
    const s = saved.splits[name];
    return { probabilities: (s?.probabilities ?? []).map((p) => Float32Array.from(p)), labels: (s?.labels ?? []) as ChallengeClass[][] };
  };
  const score = scoreClassifier(split('val'), split('test'), split('train').labels);
  logClassifierScore(ctx, score);
  await savePredictions(ctx, 'hierarchical', score.thresholds, { val: { ...split('val'), records: saved.splits.val?.records ?? [] }, test: { ...split('test'), records: saved.splits.test?.records ?? [] } });
  ctx.logger.info(`hierarchical (image classifier alone): test macro F1 ${score.test.macro.toFixed(3)}`);
  const boxes = await readBoxes(requireInput(ctx, 'hierarchical', 'roi'));
  const snr = await logSnr(ctx, await savedSignalsSnr(ctx, await readPageRefs(ctx, 'hierarchical'), boxes), 'the digitizer stage\'s digitizer');
  return { combine: false, finetune: false, macroF1: score.test.macro, snrMean: snr.mean, models: [] };
}

async function withParts(ctx: StageContext, switches: HierarchySwitches): Promise<HierarchicalManifest> {
  const specs = specsOf(ctx.config);
  const geometry: SignalGeometry = { cropHeight: ctx.config.digitizer.cropHeight, fsHz: specs.classifier1d.length / ctx.config.data.durationS, length: specs.classifier1d.length };
  const boxes: BoxesFile = await readBoxes(requireInput(ctx, 'hierarchical', 'roi'));
  const pages = await readPageRefs(ctx, 'hierarchical');
  const lowSize = { width: specs.classifier2d.inputWidth, height: specs.classifier2d.inputHeight };
  const file = CropFile.create(join(ctx.outDir, '.pages-'));
  try {
    const examples = await writePageFile(ctx, pages, boxes, lowSize, file);
    return await trainAndScore(ctx, switches, { pages, boxes, examples, geometry, read: (chosen, withLabels) => readBatch(file, chosen, withLabels, lowSize), lowSize });
  } finally {
    file.remove();
  }
}

interface StageData {
  readonly pages: readonly PageRef[];
  readonly boxes: BoxesFile;
  readonly examples: readonly PageExample[];
  readonly geometry: SignalGeometry;
  readonly read: ReadBatch;
  readonly lowSize: { readonly width: number; readonly height: number };
}

async function trainAndScore(ctx: StageContext, switches: HierarchySwitches, { pages, boxes, examples, geometry, read, lowSize }: StageData): Promise<HierarchicalManifest> {
  const of = (split: PageSplit) => examples.filter((e) => e.page.split === split);
  const labelsOf = (split: readonly PageExample[]) => split.map((e) => e.page.labels);
  const train = of('train');
  const val = of('val');
  const test = of('test');
  const loss = classificationLossOf(ctx.config.train.loss, trainPrevalence(labelsOf(train)));
  const parts = await loadParts(ctx, switches.combine);
  try {
    let frozen: { val: BranchLogits } | undefined;
    if (parts.combiner) {
      const trainLogits = await branchLogits(parts, train, read, geometry);
      const valLogits = await branchLogits(parts, val, read, geometry);
      await trainCombiner(ctx, parts.combiner, { logits: trainLogits, labels: labelsOf(train) }, { logits: valLogits, labels: labelsOf(val) }, loss);
      frozen = { val: valLogits };
    }
    if (switches.finetune) {
      const { auxWeight, digitizerWeight } = ctx.config.model.endToEnd;
      const { sigmaPx, l1Weight } = ctx.config.model.digitizer;
      await fit({
        stage: 'hierarchical',
        ctx,
        models: Object.fromEntries(Object.entries(parts).flatMap(([name, m]) => (m ? [[name, savedPartOf(m)]] : []))) as Record<string, tf.LayersModel>,
        variables: hierarchicalVariables(parts),
        train: ctx.config.train.hierarchical,
        examples: train.length,
        mode: 'min',
        prepared: {
          reads: (indices) => batchReads(indices.map((i) => train[i] as PageExample)),
          build: (data, indices) => buildBatch(indices.map((i) => train[i] as PageExample), data, true, lowSize),
        },
        loss: (batch) => hierarchicalLoss(parts, batch, geometry, { auxWeight, digitizerWeight, digitizer: { sigmaPx, l1Weight }, classification: loss }),
        validate: async () => {
          const v = await predict(parts, val, read, geometry, loss);
          const f1 = validationF1({ probabilities: v.probabilities, labels: labelsOf(val) });
          return { value: v.loss, metrics: { val_loss: v.loss, val_f1: f1 } };
        },
      });
      if (parts.combiner) await logCombinerWeights(ctx, parts.combiner, 1);
    }
    // Not fine-tuned: the branches are the frozen parts, whose validation logits the combiner phase already has.
    const valProbabilities =
      frozen && parts.combiner && !switches.finetune ? await combinedProbabilities(parts.combiner, frozen.val) : (await predict(parts, val, read, geometry, loss)).probabilities;
    const testProbabilities =
      parts.combiner && !switches.finetune ? await combinedProbabilities(parts.combiner, await branchLogits(parts, test, read, geometry)) : (await predict(parts, test, read, geometry, loss)).probabilities;
    const score = scoreClassifier({ probabilities: valProbabilities, labels: labelsOf(val) }, { probabilities: testProbabilities, labels: labelsOf(test) }, labelsOf(train));
    logClassifierScore(ctx, score);
    const withRecords = (split: readonly PageExample[], probabilities: Float32Array[]) => ({ records: split.map((e) => e.page.record), labels: labelsOf(split), probabilities });
    await savePredictions(ctx, 'hierarchical', score.thresholds, { val: withRecords(val, valProbabilities), test: withRecords(test, testProbabilities) });
    const arm = `${switches.combine ? 'combined' : 'image classifier'}, ${switches.finetune ? 'fine-tuned' : 'frozen parts'}`;
    ctx.logger.info(`hierarchical (${arm}): test macro F1 ${score.test.macro.toFixed(3)} (constant predictor ${score.constant.macro.toFixed(3)})`);
    const snr = await logSnr(ctx, switches.finetune ? await finetunedSnr(ctx, parts, pages, boxes) : await savedSignalsSnr(ctx, pages, boxes), switches.finetune ? 'the fine-tuned digitizer' : 'the digitizer stage\'s digitizer');
    const models: string[] = [];
    for (const [name, model] of Object.entries(parts)) {
      if (!model || (!switches.finetune && name !== 'combiner')) continue;
      const dir = await saveFinal(ctx, 'hierarchical', name, savedPartOf(model), { stage: 'hierarchical' });
      models.push(dir.slice(ctx.outDir.length + 1));
    }
    return { combine: switches.combine, finetune: switches.finetune, macroF1: score.test.macro, snrMean: snr.mean, models };
  } finally {
    disposeParts(parts);
  }
}

export const hierarchicalStage: Stage<HierarchicalManifest> = {
  name: 'hierarchical',
  version: 5,
  description: 'Combine the classifiers (model.combine) and fine-tune end to end (model.finetune), or report classifier2d alone; test F1 and SNR with the final digitizer.',
  reads: ['data', 'render', 'roi', 'denoise', 'digitizer', 'classifier2d', 'classifier1d'],
  // Besides its own keys, what it reads to rebuild the parts' inputs (specs,
  // crop geometry) and to label its metrics; the input stages' keys already
  // vary with these, so declaring them shares nothing less. Only this stage
  // reads model.hierarchy, model.combine and model.finetune: the four arms
  // share every other stage.
  configKeys: [
    'seed.train',
    'render.noise',
    'data.durationS',
    'digitizer.*',
    'model.hierarchy',
    'model.combine',
    'model.finetune',
    'model.combiner',
    'model.endToEnd.*',
    'model.classifier2d.*',
    'model.classifier1d.*',
    'model.denoiser.*',
    'model.digitizer.*',
    'train.hierarchical.*',
    'train.combiner.*',
    'train.loss',
    'train.patience',
    'train.prefetch',
  ],
  writes: 'the combiner (model.combine) and the fine-tuned parts (model.finetune), model/<part> (TF.js); test F1 and SNR metrics',
  usesBackend: true,
  async run(ctx) {
    const switches = hierarchySwitches(ctx.config.model);
    ctx.metrics.log('noise', ctx.config.render.noise);
    ctx.tags.set('render.noise', String(ctx.config.render.noise));
    ctx.tags.set('model.hierarchy', String(ctx.config.model.hierarchy));
    ctx.tags.set('model.combine', String(switches.combine));
    ctx.tags.set('model.finetune', String(switches.finetune));
    ctx.tags.set('model.backbone', sharedBackbone(ctx) ? 'shared' : 'separate');
    return switches.combine || switches.finetune ? withParts(ctx, switches) : imageOnly(ctx);
  },
};
