/**
 * The lead crops of every page, cut once per stage: the input of the
 * denoise and digitizer stages. Crops are cut from the full-resolution page
 * with the roi stage's boxes, as the hierarchical model cuts them, so a
 * model trained here sees at fine-tuning what it saw in training. With
 * digitizer.deskew the roi stage's boxes are on the page rectified as it
 * found (PagePlacements.rectification, or its rotation deskewDeg): the page,
 * its clean twin and its ground truth are rectified the same way
 * (page/perspective.ts, page-truth.ts) before cutting (models/leads/crop-cut.ts). The pixels and the targets (the
 * trace's row per column and its mask) go to a crop file on disk
 * (crop-file.ts), and each page's ground truth is read from its file only
 * while its crops are cut, so memory holds per page only its reference (file
 * names, record, split, fs and length) and its crops' placements, not its
 * layout, pixels, traces or targets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config/schema/index.js';
import { columnsFor, cutCropPixels } from '../../models/index.js';
import { rectifyImage, type Rectification } from '../../page/perspective.js';
import { placementsRectification } from '../../page/lead-placement.js';
import { readGreyImage, type GreyImage } from '../../page/grey-image.js';
import type { LeadCrop } from '../../page/lead-crop.js';
import type { PagePlacements } from '../../page/lead-placement.js';
import type { StageContext, StageOutput } from '../stage.js';
import { rectifyGroundTruth, trainingCrops, type PageLayout } from './page-truth.js';
import { withTruth, type Page, type PageRef } from './stage-inputs.js';
import { readGroundTruth, type RenderedPageRef } from '../../render/pages.js';
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

/** The rectification the roi stage found for the page (the identity when it did not deskew). */
export function rectificationOfPage(page: Pick<PageRef, 'record'>, boxes: BoxesFile): Rectification {
  return placementsRectification(pageBoxesOf(page, boxes));
}

/** The page as its crops are cut: its ground truth (or layout) rectified as the roi stage found. */
export function rectifiedPage<P extends PageRef>(page: P, boxes: BoxesFile): P {
  return { ...page, gt: rectifyGroundTruth(page.gt, rectificationOfPage(page, boxes)) };
}

/** A page image as its crops are cut from it (rectified as the roi stage found). */
export async function readCropSource(path: string, page: Pick<PageRef, 'record'>, boxes: BoxesFile): Promise<GreyImage> {
  return rectifyImage(await readGreyImage(path), rectificationOfPage(page, boxes));
}

/** The crops of a page (as rendered; its targets are taken from rectifiedPage). */
export function pageTrainingCrops(config: Config, page: Page, boxes: BoxesFile): LeadCrop[] {
  return trainingCrops(pageBoxesOf(page, boxes), rectifiedPage(page, boxes).gt, config.digitizer.cropHeight, columnsFor(config), config.digitizer.columnsPerS);
}

/** A crop's placement on its page: a LeadCrop without its targets (those stay in the crop file). */
export type CropPlacement = Omit<LeadCrop, 'targetRows' | 'targetMask'>;

/**
 * What a crop set keeps of its page: its files, record and split, and of
 * its ground truth the record's fs and length (what digitizing and scoring
 * it need); truth() reads the rest.
 */
export interface CropSetPage extends RenderedPageRef {
  readonly gt: Pick<PageLayout, 'record' | 'fsHz' | 'recordLength'>;
}

export interface PageCropSet<P extends CropSetPage = CropSetPage> {
  /** The page (its whole ground truth only in a set from withTruth()). */
  readonly page: P;
  /** The crops' placements (on the deskewed page); their targets are read from the stage's crop file (targets(i)). */
  readonly crops: readonly CropPlacement[];
  /** Crop i's pixels (cropHeight x columns), read from the stage's crop file. */
  pixels(i: number): Float32Array;
  /** Replace crop i's pixels (same size), e.g. by the denoiser's output. */
  replacePixels(i: number, pixels: Float32Array): void;
  /** The clean twin's crop i, when the sets were built with clean twins. */
  clean(i: number): Float32Array;
  /** Crop i's targets: the trace's row per column and where it is known (page-truth.ts trainingCrops). */
  targets(i: number): { readonly rows: Float32Array; readonly mask: Float32Array };
  /** Where pixels(i), clean(i) and crop i's targets lie in the crop files (batches gathered off the training thread). */
  pixelRange(i: number): FloatRange;
  cleanRange(i: number): FloatRange;
  targetRanges(i: number): { readonly rows: FloatRange; readonly mask: FloatRange };
  /** The page with its whole ground truth on the deskewed page, read from its file. */
  truth(): Promise<Page>;
  /** The same crops with truth() as the page (e.g. the example page's traces). */
  withTruth(): Promise<PageCropSet<Page>>;
}

/** Every page's crop set; their pixels and targets live in crop files (crop-file.ts) until remove(). */
export interface CropSets {
  readonly sets: readonly PageCropSet[];
  /** Delete the crop files (call when the stage is done with the pixels). */
  remove(): void;
}

/**
 * One page's crops in the crop files. What a page keeps in memory is its
 * reference (CropSetPage), its crops' placements and one offset array (the
 * methods live on the prototype): a stage holds this for every page, so it is
 * what grows with the data set (bench/page-hold.ts).
 */
class StoredCropSet<P extends CropSetPage> implements PageCropSet<P> {
  constructor(
    readonly page: P,
    readonly crops: readonly CropPlacement[],
    /** Per crop, in floats: pixels, clean pixels (NaN without twins), target rows, target mask. */
    private readonly offsets: Float64Array,
    private readonly height: number,
    private readonly files: { readonly noisy: CropFile; readonly clean: CropFile | undefined; readonly label: string },
    private readonly boxes: BoxesFile,
  ) {}

  private size(i: number): number {
    return this.height * (this.crops[i] as CropPlacement).columns;
  }

  private at(i: number, field: 0 | 1 | 2 | 3): number {
    return this.offsets[i * 4 + field] as number;
  }

  private cleanFile(): CropFile {
    if (!this.files.clean) throw new EcgError('STAGE_FAILED', trainMessages.noCleanCrops(this.files.label));
    return this.files.clean;
  }

  pixels(i: number): Float32Array {
    return this.files.noisy.read(this.at(i, 0), this.size(i));
  }

  replacePixels(i: number, pixels: Float32Array): void {
    this.files.noisy.overwrite(this.at(i, 0), pixels);
  }

  clean(i: number): Float32Array {
    return this.cleanFile().read(this.at(i, 1), this.size(i));
  }

  targets(i: number): { rows: Float32Array; mask: Float32Array } {
    const columns = (this.crops[i] as CropPlacement).columns;
    return { rows: this.files.noisy.read(this.at(i, 2), columns), mask: this.files.noisy.read(this.at(i, 3), columns) };
  }

  pixelRange(i: number): FloatRange {
    return this.files.noisy.range(this.at(i, 0), this.size(i));
  }

  cleanRange(i: number): FloatRange {
    return this.cleanFile().range(this.at(i, 1), this.size(i));
  }

  targetRanges(i: number): { rows: FloatRange; mask: FloatRange } {
    const columns = (this.crops[i] as CropPlacement).columns;
    return { rows: this.files.noisy.range(this.at(i, 2), columns), mask: this.files.noisy.range(this.at(i, 3), columns) };
  }

  /** Read from the page's file every time (`page` is slim, or in a withTruth() set already turned back). */
  async truth(): Promise<Page> {
    const { gt: _kept, ...ref } = this.page;
    return rectifiedPage({ ...ref, gt: await readGroundTruth(ref) }, this.boxes);
  }

  async withTruth(): Promise<PageCropSet<Page>> {
    return new StoredCropSet<Page>(await this.truth(), this.crops, this.offsets, this.height, this.files, this.boxes);
  }
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
 * of pages, and then per page only what StoredCropSet keeps. Pages given
 * with their layout only (readPageRefs) have their ground truth read here,
 * page by page, and dropped once cut.
 */
export async function buildCropSets(ctx: StageContext, label: string, pages: readonly RenderedPageRef[], boxes: BoxesFile, withClean: boolean): Promise<CropSets> {
  const height = ctx.config.digitizer.cropHeight;
  const noisyFile = CropFile.create(join(ctx.outDir, '.crops-'));
  const cleanFile = withClean ? CropFile.create(join(ctx.outDir, '.clean-crops-')) : undefined;
  const files = { noisy: noisyFile, clean: cleanFile, label };
  const remove = () => {
    noisyFile.remove();
    cleanFile?.remove();
  };
  const sets: PageCropSet[] = [];
  ctx.progress.start(`${label}: cutting lead crops`, pages.length);
  try {
    for (const rendered of pages) {
      ctx.signal.throwIfAborted();
      const whole = await pageWithTruth(rendered);
      const cut = pageTrainingCrops(ctx.config, whole, boxes);
      const noisy = await cutCropPixels(await readCropSource(whole.imagePath, whole, boxes), cut, height);
      const clean = cleanFile ? await cutCropPixels(await readCropSource(cleanTwinPath(whole, label), whole, boxes), cut, height) : undefined;
      const offsets = new Float64Array(cut.length * 4);
      const crops = cut.map(({ targetRows, targetMask, ...placement }, i) => {
        offsets[i * 4] = noisyFile.append(noisy[i] as Float32Array);
        offsets[i * 4 + 1] = cleanFile && clean ? cleanFile.append(clean[i] as Float32Array) : Number.NaN;
        offsets[i * 4 + 2] = noisyFile.append(targetRows);
        offsets[i * 4 + 3] = noisyFile.append(targetMask);
        return placement;
      });
      sets.push(new StoredCropSet(keptPage(rendered, whole), crops, offsets, height, files, boxes));
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

/** The page with its whole ground truth: as given when it has it, else read from its file (a layout's or a bare reference's). */
async function pageWithTruth(page: RenderedPageRef | PageRef): Promise<Page> {
  return 'gt' in page ? withTruth(page) : { ...page, gt: await readGroundTruth(page) };
}

/** What a crop set keeps of a page: its reference without the layout, and the record's fs and length. */
function keptPage(rendered: RenderedPageRef | PageRef, whole: Page): CropSetPage {
  const { gt: _layout, ...ref } = rendered as PageRef;
  return { ...ref, gt: { record: whole.gt.record, fsHz: whole.gt.fsHz, recordLength: whole.gt.recordLength } };
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
export function trainingExamples(sets: readonly PageCropSet[], split: string): { examples: CropExample[]; columns: number } {
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
