/**
 * The lead crops of every page, cut once per stage: the input of the
 * denoise and digitizer stages. Crops are cut from the full-resolution page
 * with the roi stage's boxes, as the hierarchical model cuts them, so a
 * model trained here sees at fine-tuning what it saw in training. With
 * digitizer.deskew the roi stage's boxes are on the page turned back by its
 * estimated rotation (PagePlacements.deskewDeg): the page, its clean twin and its
 * ground truth are turned back the same way (page/deskew.ts, page-truth.ts)
 * before cutting (models/leads/crop-cut.ts). The pixels and the targets (the
 * trace's row per column and its mask) go to a crop file on disk
 * (crop-file.ts), and each page's traces are read from its ground-truth
 * file only while its crops are cut, so memory holds per page only its
 * layout and its crops' placements, not its pixels, traces or targets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config/schema/index.js';
import { columnsFor, cutCropPixels } from '../../models/index.js';
import { deskewImage } from '../../page/deskew.js';
import { readGreyImage, type GreyImage } from '../../page/grey-image.js';
import type { LeadCrop } from '../../page/lead-crop.js';
import type { PagePlacements } from '../../page/lead-placement.js';
import type { StageContext, StageOutput } from '../stage.js';
import { deskewGroundTruth, trainingCrops } from './page-truth.js';
import { withTruth, type Page, type PageRef } from './stage-inputs.js';
import { concatFloat32 } from '../../core/typed-arrays.js';
import { EcgError } from '../../core/errors.js';
import { trainMessages } from '../../core/messages.js';
import { CropFile } from './crop-file.js';
import type { FloatRange } from '../batch-reads.js';

export interface BoxesFile {
  readonly pages: Readonly<Record<string, PagePlacements>>;
}

export async function readBoxes(roi: StageOutput): Promise<BoxesFile> {
  const manifest = roi.manifest as { boxes: string };
  return JSON.parse(await readFile(join(roi.dir, manifest.boxes), 'utf8')) as BoxesFile;
}

function pageBoxesOf(page: Pick<PageRef, 'record'>, boxes: BoxesFile): PagePlacements {
  const pageBoxes = boxes.pages[page.record];
  if (!pageBoxes) throw new EcgError('STAGE_FAILED', trainMessages.roiBoxesMissing(page.record));
  return pageBoxes;
}

/** The page's rotation the roi stage found (0 when it did not deskew). */
export function deskewDegOf(page: Pick<PageRef, 'record'>, boxes: BoxesFile): number {
  return pageBoxesOf(page, boxes).deskewDeg ?? 0;
}

/** The page as its crops are cut: its ground truth (or layout) turned back by the roi stage's angle. */
export function deskewedPage<P extends PageRef>(page: P, boxes: BoxesFile): P {
  const deg = deskewDegOf(page, boxes);
  return deg === 0 ? page : { ...page, gt: deskewGroundTruth(page.gt, deg) };
}

/** A page image as its crops are cut from it (turned back by the roi stage's angle). */
export async function readCropSource(path: string, page: Pick<PageRef, 'record'>, boxes: BoxesFile): Promise<GreyImage> {
  return deskewImage(await readGreyImage(path), deskewDegOf(page, boxes));
}

/** The crops of a page (as rendered; its targets are taken from deskewedPage). */
export function pageTrainingCrops(config: Config, page: Page, boxes: BoxesFile): LeadCrop[] {
  return trainingCrops(pageBoxesOf(page, boxes), deskewedPage(page, boxes).gt, config.digitizer.cropHeight, columnsFor(config), config.digitizer.columnsPerS);
}

export interface PageCropSet<P extends PageRef = PageRef> {
  /** The page, its ground truth (or layout, as given to buildCropSets) on the deskewed page (deskewedPage). */
  readonly page: P;
  /** The crops; their targetRows and targetMask are read from the stage's crop file when asked for. */
  readonly crops: readonly LeadCrop[];
  /** Crop i's pixels (cropHeight x columns), read from the stage's crop file. */
  pixels(i: number): Float32Array;
  /** Replace crop i's pixels (same size), e.g. by the denoiser's output. */
  replacePixels(i: number, pixels: Float32Array): void;
  /** The clean twin's crop i, when the sets were built with clean twins. */
  clean(i: number): Float32Array;
  /** Where pixels(i), clean(i) and crop i's targets lie in the crop files (batches gathered off the training thread). */
  pixelRange(i: number): FloatRange;
  cleanRange(i: number): FloatRange;
  targetRanges(i: number): { readonly rows: FloatRange; readonly mask: FloatRange };
  /** The page with its whole ground truth on the deskewed page (read from its file again unless `page` has it). */
  truth(): Promise<P & Page>;
}

/** Every page's crop set; their pixels and targets live in crop files (crop-file.ts) until remove(). */
export interface CropSets<P extends PageRef = PageRef> {
  readonly sets: readonly PageCropSet<P>[];
  /** Delete the crop files (call when the stage is done with the pixels). */
  remove(): void;
}

/** The crop with its targets in `file` (appended here), read back whenever targetRows or targetMask is asked for; and where they lie. */
function targetsOnDisk(crop: LeadCrop, file: CropFile): { crop: LeadCrop; ranges: { rows: FloatRange; mask: FloatRange } } {
  const { targetRows, targetMask, ...placement } = crop;
  const rows = file.range(file.append(targetRows), targetRows.length);
  const mask = file.range(file.append(targetMask), targetMask.length);
  const onDisk = Object.defineProperties(placement, {
    targetRows: { enumerable: true, get: () => file.read(rows.offset, rows.length) },
    targetMask: { enumerable: true, get: () => file.read(mask.offset, mask.length) },
  }) as LeadCrop;
  return { crop: onDisk, ranges: { rows, mask } };
}

function cleanTwinPath(page: PageRef, stage: string): string {
  if (page.cleanPath === null) throw new EcgError('STAGE_FAILED', trainMessages.noCleanTwin(stage, page.record));
  return page.cleanPath;
}

/**
 * Cut the lead crops of every page (and of its clean twin with `withClean`)
 * into crop files in a scratch folder inside the stage's output folder
 * (removed by remove(), and with the output folder if the stage dies):
 * memory holds one page's crops and traces at a time, whatever the number
 * of pages. Pages given with their layout only (readPageRefs) have their
 * ground truth read here, page by page, and dropped once cut.
 */
export async function buildCropSets<P extends PageRef>(ctx: StageContext, label: string, pages: readonly P[], boxes: BoxesFile, withClean: boolean): Promise<CropSets<P>> {
  const height = ctx.config.digitizer.cropHeight;
  const noisyFile = CropFile.create(join(ctx.outDir, '.crops-'));
  const cleanFile = withClean ? CropFile.create(join(ctx.outDir, '.clean-crops-')) : undefined;
  const remove = () => {
    noisyFile.remove();
    cleanFile?.remove();
  };
  const sets: PageCropSet<P>[] = [];
  ctx.progress.start(`${label}: cutting lead crops`, pages.length);
  try {
    for (const rendered of pages) {
      ctx.signal.throwIfAborted();
      const truth = () => withTruth(rendered).then((p) => deskewedPage(p, boxes));
      const cut = pageTrainingCrops(ctx.config, await withTruth(rendered), boxes);
      const page = deskewedPage(rendered, boxes);
      const sizes = cut.map((c) => height * c.columns);
      const offsets = (await cutCropPixels(await readCropSource(page.imagePath, page, boxes), cut, height)).map((pixels) => noisyFile.append(pixels));
      const cleanOffsets = cleanFile ? (await cutCropPixels(await readCropSource(cleanTwinPath(page, label), page, boxes), cut, height)).map((pixels) => cleanFile.append(pixels)) : [];
      const stored = cut.map((crop) => targetsOnDisk(crop, noisyFile));
      const noClean = () => new EcgError('STAGE_FAILED', trainMessages.noCleanCrops(label));
      sets.push({
        page,
        crops: stored.map((s) => s.crop),
        pixels: (i) => noisyFile.read(offsets[i] as number, sizes[i] as number),
        replacePixels: (i, pixels) => noisyFile.overwrite(offsets[i] as number, pixels),
        clean: (i) => {
          if (!cleanFile) throw noClean();
          return cleanFile.read(cleanOffsets[i] as number, sizes[i] as number);
        },
        pixelRange: (i) => noisyFile.range(offsets[i] as number, sizes[i] as number),
        cleanRange: (i) => {
          if (!cleanFile) throw noClean();
          return cleanFile.range(cleanOffsets[i] as number, sizes[i] as number);
        },
        targetRanges: (i) => stored[i]!.ranges,
        truth,
      });
      ctx.progress.tick();
    }
  } catch (error) {
    remove();
    throw error;
  } finally {
    ctx.progress.stop();
  }
  return { sets, remove };
}

/** One training crop. */
export interface CropExample {
  readonly set: number;
  readonly index: number;
}

/**
 * The crops of `split` with the most common width (the layout's panels;
 * the 3x4 page's rhythm strip is the same image 4x wider, and the U-Nets
 * are fully convolutional, so training on the panels covers it).
 */
export function trainingExamples(sets: readonly PageCropSet<PageRef>[], split: string): { examples: CropExample[]; columns: number } {
  const counts = new Map<number, number>();
  for (const s of sets) for (const c of s.crops) counts.set(c.columns, (counts.get(c.columns) ?? 0) + 1);
  const columns = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const examples: CropExample[] = [];
  sets.forEach((s, set) => {
    if (s.page.split !== split) return;
    s.crops.forEach((c, index) => {
      if (c.columns === columns) examples.push({ set, index });
    });
  });
  return { examples, columns };
}

/** Stack crop arrays into [n, height, columns, 1] data (crops of one size). */
export const stackCrops = concatFloat32;
