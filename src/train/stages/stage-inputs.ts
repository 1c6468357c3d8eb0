/**
 * What the method's stages read from each other: inputs by name, pages with
 * their ground truth, saved probabilities. A stage that runs on many pages
 * keeps each page's layout (readPageRefs: paths, split, lead boxes; a few kB)
 * and reads a page's traces when it needs them (withTruth), so its memory
 * does not grow with every plotted sample of every page.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EcgError } from '../../core/errors.js';
import type { ChallengeClass } from '../../core/ecg.js';
import { writeJsonAtomic } from '../../core/fs.js';
import type { PageGroundTruth } from '../../render/ground-truth.js';
import { readGroundTruth, readRenderedPages, type PageSplit, type RenderedPageRef } from '../../render/pages.js';
import type { StageContext, StageOutput } from '../stage.js';
import { trainMessages } from '../../core/messages.js';
import { mapLimited } from '../../core/map-limited.js';
import { hasTraces, layoutOf, type PageLayout } from './page-truth.js';
import { readGreyImages, type ImageSize } from '../../page/grey-image.js';
import type { CropFile } from './crop-file.js';

export const SPLITS: readonly PageSplit[] = ['train', 'val', 'test'];

export function requireInput<M = unknown>(ctx: StageContext, stage: string, input: string): StageOutput<M> {
  const output = ctx.inputs[input];
  if (!output) throw new EcgError('STAGE_FAILED', trainMessages.inputMissing(stage, input));
  return output as StageOutput<M>;
}

/** A rendered page with its layout (its ground truth without the traces). */
export interface PageRef extends RenderedPageRef {
  readonly gt: PageLayout;
}

/** A rendered page with its whole ground truth. */
export interface Page extends PageRef {
  readonly gt: PageGroundTruth;
}

/** Ground-truth files parsed at once: enough to overlap reading with parsing, few enough that their text never piles up. */
const READ_AHEAD = 4;

/** Every page of the render output, in manifest order, with its layout only (withTruth reads the rest). */
export async function readPageRefs(ctx: StageContext, stage: string): Promise<PageRef[]> {
  const refs = await readRenderedPages(requireInput(ctx, stage, 'render'));
  return mapLimited(refs, READ_AHEAD, async (ref) => ({ ...ref, gt: layoutOf(await readGroundTruth(ref)) }));
}

/** The page with its whole ground truth, read from its file unless it has it already. */
export async function withTruth<P extends PageRef>(page: P): Promise<P & Page> {
  if (hasTraces(page.gt)) return page as P & Page;
  return { ...page, gt: await readGroundTruth(page) };
}

export function bySplit<T extends { readonly split: PageSplit }>(items: readonly T[], split: PageSplit): T[] {
  return items.filter((p) => p.split === split);
}

/** A classifier's probabilities per split, as classifier2d and classifier1d save them. */
export interface SavedProbabilities {
  readonly splits: Partial<Record<PageSplit, { readonly records: string[]; readonly labels: ChallengeClass[][]; readonly probabilities: number[][] }>>;
}

export const PROBABILITIES_FILE = 'probabilities.json';

export async function writeProbabilities(dir: string, value: SavedProbabilities): Promise<void> {
  await writeJsonAtomic(join(dir, PROBABILITIES_FILE), value);
}

export async function readProbabilities(output: StageOutput): Promise<SavedProbabilities> {
  return JSON.parse(await readFile(join(output.dir, PROBABILITIES_FILE), 'utf8')) as SavedProbabilities;
}

/** Pages decoded at once while a page file is written (sharp decodes two at a time off the main thread). */
const DECODE_CHUNK = 16;

/**
 * Decode `pages` at `size` (greyscale, [0, 1]) into `file`, in page order,
 * a chunk at a time: what the roi and classifier2d stages read per batch
 * instead of holding every page (page i at offset i x width x height).
 */
export async function appendPageImages(ctx: StageContext, label: string, pages: readonly PageRef[], size: ImageSize, file: CropFile): Promise<void> {
  ctx.progress.start(label, pages.length);
  try {
    for (let start = 0; start < pages.length; start += DECODE_CHUNK) {
      ctx.signal.throwIfAborted();
      const chunk = pages.slice(start, start + DECODE_CHUNK);
      for (const image of await readGreyImages(chunk.map((p) => p.imagePath), size, () => ctx.progress.tick())) file.append(image.data);
    }
  } finally {
    ctx.progress.stop();
  }
}
