/**
 * The digitizer stage's example page for reports (docs/compare.md, "Example
 * pages"): one page as example.png and, in example.json, every lead's
 * digitized trace mapped back to image pixels (crop column -> page x, soft-
 * argmax row -> page y) beside the renderer's trace positions as reference.
 * A lead drawn twice (lead II of a 3x4 page) is one entry whose parts are
 * separated by null, which breaks the line.
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/fs.js';
import { outputOf, readValues, softArgmaxRows } from '../../models/index.js';
import { cropColumnToPageX, cropRowToPageY, type CropGeometry } from '../../page/crop-geometry.js';
import type { PageCropSet } from './crop-set.js';
import type { Page } from './stage-inputs.js';
import { isIdentity, toImage, type Rectification } from '../../page/perspective.js';
import type { StageContext } from '../stage.js';
import { EXAMPLE_IMAGE, EXAMPLE_JSON, type ExampleTrace, type ExampleTraces, type TracePoint } from '../../report/example-traces.js';

const px = (v: number) => Math.round(v * 100) / 100;

/**
 * The digitized and reference traces of one page in its image's pixels; the
 * crops' pixels are the digitizer's input (denoised). Crops are cut from the
 * page rectified by `rectification` (page/perspective.ts), so both traces are
 * mapped back onto the image as it was rendered.
 */
export async function examplePage(digitizer: tf.LayersModel, set: PageCropSet<Page>, cropHeight: number, rectification?: Rectification): Promise<ExampleTraces> {
  const { gt } = set.page;
  const onImage = (x: number, y: number): readonly [number, number] => {
    const [ix, iy] = !rectification || isIdentity(rectification) ? [x, y] : toImage(rectification, x, y);
    return [px(ix), px(iy)];
  };
  const byLead = new Map<string, Required<ExampleTrace>>();
  for (const [i, crop] of set.crops.entries()) {
    const rows = await readValues(tf.tidy(() => softArgmaxRows(outputOf(digitizer, tf.tensor4d(set.pixels(i), [1, cropHeight, crop.columns, 1]), { training: false }))));
    const g: CropGeometry = { box: crop.box, pageHeight: gt.height, pageWidth: gt.width, cropHeight, cropWidth: crop.columns };
    const truth = gt.leads[i]!;
    const shown = crop.columnStepS === undefined ? crop.columns : Math.min(crop.columns, Math.round(crop.durationS / crop.columnStepS));
    const points: TracePoint[] = Array.from({ length: shown }, (_, c) => onImage(cropColumnToPageX(g, c), cropRowToPageY(g, rows[c] as number)));
    const reference: TracePoint[] = truth.x.map((x, k) => {
      const y = truth.y[k];
      return Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y) ? onImage(x, y) : null;
    });
    const entry = byLead.get(truth.lead);
    if (entry) {
      entry.points.push(null, ...points);
      entry.reference.push(null, ...reference);
    } else byLead.set(truth.lead, { lead: truth.lead, points, reference });
  }
  return { version: 1, image: EXAMPLE_IMAGE, leads: [...byLead.values()] };
}

/** Write example.png + example.json into the stage's folder and add both as artifacts `<stage>/example.*`. */
export async function writeExamplePage(
  ctx: StageContext,
  stage: string,
  digitizer: tf.LayersModel,
  set: PageCropSet<Page>,
  cropHeight: number,
  rectification: Rectification,
): Promise<void> {
  const imagePath = join(ctx.outDir, EXAMPLE_IMAGE);
  const jsonPath = join(ctx.outDir, EXAMPLE_JSON);
  await sharp(set.page.imagePath).png({ compressionLevel: 6 }).toFile(imagePath);
  await writeJsonAtomic(jsonPath, await examplePage(digitizer, set, cropHeight, rectification));
  await ctx.artifacts.add(imagePath, `${stage}/${EXAMPLE_IMAGE}`);
  await ctx.artifacts.add(jsonPath, `${stage}/${EXAMPLE_JSON}`);
}
