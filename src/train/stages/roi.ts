/**
 * Stage `roi` (the paper's regions of interest). digitizer.roi = true: the
 * ROI heatmap model (models/roi.ts) is trained on pages resized to
 * model.roi.inputHeight x inputWidth against the central band of every
 * panel's distorted box (page-truth.ts roiTargetBoxes), and predicts the
 * boxes of every page (heatmapToBoxes). digitizer.roi = false: the nominal
 * layout's boxes, no training. Either way it writes boxes.json: per page,
 * per lead, the crop box and the row of 0 mV (lead-crops.ts PagePlacements).
 * digitizer.deskew = true: first each page's rotation, and with
 * digitizer.rectify 'perspective' its perspective (where it has a grid),
 * is found from its image (inference/infer-image.ts pageRectification, as
 * `digitize` finds it) and undone; the ROI model is trained on and predicts
 * the rectified page (targets mapped the same way), and boxes.json records
 * the rectification for the stages that cut crops.
 * model.backbone = shared: the ROI model's encoder is classifier2d's
 * trained backbone, frozen here (models/backbone.ts; the stage then reads
 * classifier2d), and model/roi holds its head.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/fs.js';
import type { Stage, StageContext } from '../stage.js';
import { buildRoi, roiLoss, readScalar, savedPartOf, trainableVariables, outputOf, specsOf } from '../../models/index.js';
import { backboneReads, stagePart } from './backbone-input.js';
import { heatmapToBoxes, LAYOUT_GRIDS, rasterizeBoxes } from '../../page/roi-boxes.js';
import { readGreyImage, resizeGrey, type GreyImage, type ImageSize } from '../../page/grey-image.js';
import { estimateSkewDeg } from '../../page/deskew.js';
import { detectGrid, readPageChannels } from '../../page/geometry/index.js';
import { isIdentity, rectifyImage, rotationRectification, type Rectification } from '../../page/perspective.js';
import { fit, inChunks, saveFinal } from '../fit.js';
import { placementsRectification, type PagePlacements } from '../../page/lead-placement.js';
import { rectifyGroundTruth, nominalPagePlacements, roiPagePlacements, roiTargetBoxes } from './page-truth.js';
import { appendPageImages, readPageRefs, type PageRef } from './stage-inputs.js';
import type { BoxesFile } from './crop-set.js';
import { CropFile } from './crop-file.js';
import { trainMessages } from '../../core/messages.js';

export const BOXES_FILE = 'boxes.json';

export interface RoiManifest {
  readonly roi: boolean;
  readonly boxes: string;
  readonly model: string | null;
  /** `shared`: the saved model is the head on classifier2d's backbone (models/backbone.ts); absent in entries of older versions: separate. */
  readonly backbone?: 'shared' | 'separate';
}

/** Intersection over union of the lead boxes of two PagePlacements (normalised). */
function meanIou(a: PagePlacements, b: PagePlacements): number {
  let sum = 0;
  a.leads.forEach((lead, i) => {
    const other = b.leads[i];
    if (!other) return;
    const ix = Math.max(0, Math.min(lead.box.x2, other.box.x2) - Math.max(lead.box.x1, other.box.x1));
    const iy = Math.max(0, Math.min(lead.box.y2, other.box.y2) - Math.max(lead.box.y1, other.box.y1));
    const area = (box: typeof lead.box) => (box.x2 - box.x1) * (box.y2 - box.y1);
    const inter = ix * iy;
    sum += inter / Math.max(1e-9, area(lead.box) + area(other.box) - inter);
  });
  return sum / Math.max(1, a.leads.length);
}

/** The distorted panel boxes as PagePlacements, to score predicted boxes against. */
function truthBoxes(page: PageRef): PagePlacements {
  const { gt } = page;
  const nominal = nominalPagePlacements(gt);
  return {
    ...nominal,
    leads: nominal.leads.map((lead, i) => {
      const [x0, y0, x1, y1] = gt.leads[i]!.panelBox;
      return { ...lead, box: { x1: x0 / (gt.width - 1), y1: y0 / (gt.height - 1), x2: x1 / (gt.width - 1), y2: y1 / (gt.height - 1) } };
    }),
  };
}

/**
 * A page's rectification as digitize finds it (infer-image.ts
 * pageRectification): with digitizer.rectify 'perspective' the grid's
 * (page/geometry detectGrid: the perspective where a grid is found, else
 * the rotation), with 'rotation' deskew.ts's angle; `full` is the page as
 * decoded.
 */
async function findRectification(ctx: StageContext, page: PageRef, full: GreyImage): Promise<Rectification> {
  if (ctx.config.digitizer.rectify === 'perspective') return detectGrid(await readPageChannels(page.imagePath)).rectification;
  return rotationRectification(estimateSkewDeg(full), full.width, full.height);
}

/** What boxes.json records of a page's rectification (PagePlacements). */
const recorded = (r: Rectification | undefined) => (r ? { deskewDeg: r.angleDeg, rectification: r.pencils } : { deskewDeg: 0 });

/**
 * The model's input pages at `size`, appended to `file` in page order;
 * with digitizer.deskew each page is first rectified (its layout too).
 * Returns the pages as the model sees them and their rectifications.
 */
async function writeInputs(ctx: StageContext, rendered: readonly PageRef[], size: ImageSize, file: CropFile): Promise<{ pages: PageRef[]; rectifications: (Rectification | undefined)[] }> {
  if (!ctx.config.digitizer.deskew) {
    await appendPageImages(ctx, 'roi: pages', rendered, size, file);
    return { pages: [...rendered], rectifications: rendered.map(() => undefined) };
  }
  const out: { pages: PageRef[]; rectifications: Rectification[] } = { pages: [], rectifications: [] };
  ctx.progress.start('roi: rectifying pages', rendered.length);
  try {
    for (const page of rendered) {
      ctx.signal.throwIfAborted();
      const full = await readGreyImage(page.imagePath);
      const rectification = await findRectification(ctx, page, full);
      out.rectifications.push(rectification);
      // An upright page takes the same input as without deskew (sharp's resize of the file), so noise-free pages give the same boxes either way.
      const upright = isIdentity(rectification);
      file.append((upright ? await readGreyImage(page.imagePath, size) : await resizeGrey(rectifyImage(full, rectification), size)).data);
      out.pages.push(upright ? page : { ...page, gt: rectifyGroundTruth(page.gt, rectification) });
      ctx.progress.tick();
    }
  } finally {
    ctx.progress.stop();
  }
  return out;
}

/** Each page's rectification when digitizer.deskew, else none. */
async function pageRectifications(ctx: StageContext, pages: readonly PageRef[]): Promise<(Rectification | undefined)[]> {
  if (!ctx.config.digitizer.deskew) return pages.map(() => undefined);
  const out: Rectification[] = [];
  for (const page of pages) out.push(await findRectification(ctx, page, await readGreyImage(page.imagePath)));
  return out;
}

async function trainAndPredict(ctx: StageContext, rendered: readonly PageRef[]): Promise<{ boxes: PagePlacements[]; model: string; backbone: 'shared' | 'separate' }> {
  const spec = specsOf(ctx.config).roi;
  const size = { width: spec.inputWidth, height: spec.inputHeight };
  const pixels = spec.inputHeight * spec.inputWidth;
  const file = CropFile.create(join(ctx.outDir, '.roi-pages-'));
  const part = await stagePart(ctx, 'roi', spec, () => buildRoi(spec));
  const { model } = part;
  try {
    const { pages, rectifications } = await writeInputs(ctx, rendered, size, file);
    const indicesOf = (split: string) => pages.flatMap((p, i) => (p.split === split ? [i] : []));
    const trainIdx = indicesOf('train');
    const valIdx = indicesOf('val');
    const shape = (n: number): [number, number, number, number] => [n, spec.inputHeight, spec.inputWidth, 1];
    const stack = (rows: readonly Float32Array[]) => {
      const data = new Float32Array(rows.length * pixels);
      rows.forEach((r, i) => data.set(r, i * r.length));
      return tf.tensor4d(data, shape(rows.length));
    };
    // Each page's target heatmap follows the input pages in the same file.
    for (const page of pages) file.append(rasterizeBoxes(roiTargetBoxes(page.gt), spec.inputHeight, spec.inputWidth));
    const imageRange = (i: number) => file.range(i * pixels, pixels);
    const targetRange = (i: number) => file.range((pages.length + i) * pixels, pixels);
    const imageOf = (i: number) => file.read(i * pixels, pixels);
    const targetOf = (i: number) => file.read((pages.length + i) * pixels, pixels);
    await fit({
      stage: 'roi',
      ctx,
      models: { roi: savedPartOf(model) },
      variables: trainableVariables(model),
      train: ctx.config.train.roi,
      examples: trainIdx.length,
      mode: 'min',
      prepared: {
        reads: (indices) => {
          const chosen = indices.map((k) => trainIdx[k] as number);
          return { x: chosen.map(imageRange), y: chosen.map(targetRange) };
        },
        build: (data, indices) => ({ x: tf.tensor4d(data.x as Float32Array, shape(indices.length)), y: tf.tensor4d(data.y as Float32Array, shape(indices.length)) }),
      },
      loss: ({ x, y }) => roiLoss(outputOf(model, x, { training: true }), y),
      validate: async () => {
        const losses = await inChunks(valIdx, 16, async (chunk) => {
          const loss = await readScalar(tf.tidy(() => roiLoss(outputOf(model, stack(chunk.map(imageOf)), { training: false }), stack(chunk.map(targetOf)))));
          return [loss * chunk.length];
        });
        const value = losses.reduce((s, v) => s + v, 0) / Math.max(1, valIdx.length);
        return { value, metrics: { val_loss: value } };
      },
    });
    const boxes = await inChunks(pages.map((_, i) => i), 16, async (chunk) => {
      const probs = tf.tidy(() => tf.sigmoid(outputOf(model, stack(chunk.map(imageOf)), { training: false })));
      const data = (await probs.data()) as Float32Array;
      probs.dispose();
      return chunk.map((i, k): PagePlacements => {
        const page = pages[i] as PageRef;
        // The page's own layout (render.variety may draw one per page), as its ground truth records it.
        const grid = LAYOUT_GRIDS[page.gt.render.layout];
        const found = heatmapToBoxes({ data: data.subarray(k * pixels, (k + 1) * pixels), height: spec.inputHeight, width: spec.inputWidth }, grid, { threshold: ctx.config.model.roi.threshold });
        const rectified = recorded(rectifications[i]);
        if (found.length !== page.gt.leads.length) {
          ctx.logger.warn(trainMessages.roiNoBoxes(page.record, found.length, page.gt.leads.length));
          return { ...nominalPagePlacements(page.gt), ...rectified };
        }
        return { ...roiPagePlacements(page.gt, found), ...rectified };
      });
    });
    const dir = await saveFinal(ctx, 'roi', 'roi', savedPartOf(model), { spec, backbone: part.backbone });
    return { boxes, model: dir.slice(ctx.outDir.length + 1), backbone: part.backbone };
  } finally {
    part.dispose();
    file.remove();
  }
}

/** digitizer.roi = false: the layout's boxes, on the page turned back by its rotation when digitizer.deskew. */
async function nominalBoxes(ctx: StageContext, pages: readonly PageRef[]): Promise<{ boxes: PagePlacements[]; model: null; backbone: 'separate' }> {
  const rectifications = await pageRectifications(ctx, pages);
  return { boxes: pages.map((p, i) => ({ ...nominalPagePlacements(p.gt), ...recorded(rectifications[i]) })), model: null, backbone: 'separate' };
}

export const roiStage: Stage<RoiManifest> = {
  name: 'roi',
  version: 3,
  description: 'Lead boxes per page, on the rectified page (digitizer.deskew, digitizer.rectify): trained ROI heatmap model (digitizer.roi = true) or the nominal layout.',
  reads: ['render'],
  // model.backbone = shared: the ROI model's encoder is classifier2d's backbone (backbone-input.ts); no model, no backbone.
  readsWhen: (config) => (config.digitizer.roi ? backboneReads(config) : []),
  configKeys: ['seed.train', 'digitizer.roi', 'digitizer.deskew', 'digitizer.rectify', 'render.layout', 'model.roi.*', 'train.roi.*', 'train.patience', 'train.prefetch'],
  writes: 'boxes.json (per page, per lead: crop box and 0 mV row), model/roi (TF.js) when trained',
  usesBackend: true,
  async run(ctx) {
    const pages = await readPageRefs(ctx, 'roi');
    const result = ctx.config.digitizer.roi ? await trainAndPredict(ctx, pages) : await nominalBoxes(ctx, pages);
    const test = pages.flatMap((p, i) => {
      if (p.split !== 'test') return [];
      const boxes = result.boxes[i] as PagePlacements;
      return [meanIou(boxes, truthBoxes({ ...p, gt: rectifyGroundTruth(p.gt, placementsRectification(boxes)) }))];
    });
    ctx.metrics.log('roi/test_iou', test.reduce((s, v) => s + v, 0) / Math.max(1, test.length));
    if (ctx.config.digitizer.deskew) {
      // How far the image-based angle is from the renderer's rotation (perspective and wrinkles add tilt of their own).
      const errors = pages.flatMap((p, i) => (p.split === 'test' ? [Math.abs((result.boxes[i] as PagePlacements).deskewDeg - p.gt.transform.rotationDeg)] : []));
      ctx.metrics.log('deskew/test_abs_error_deg', errors.reduce((s, v) => s + v, 0) / Math.max(1, errors.length));
    }
    const file: BoxesFile = { pages: Object.fromEntries(pages.map((p, i) => [p.record, result.boxes[i] as PagePlacements])) };
    await writeJsonAtomic(join(ctx.outDir, BOXES_FILE), file);
    return { roi: ctx.config.digitizer.roi, boxes: BOXES_FILE, model: result.model, ...(result.backbone === 'shared' ? { backbone: 'shared' as const } : {}) };
  },
};
