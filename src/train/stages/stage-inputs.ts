/** What the method's stages read from each other: inputs by name, pages with their ground truth, saved probabilities. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EcgError } from '../../core/errors.js';
import type { ChallengeClass } from '../../core/ecg.js';
import { writeJsonAtomic } from '../../core/fs.js';
import type { PageGroundTruth } from '../../render/ground-truth.js';
import { readGroundTruth, readRenderedPages, type PageSplit, type RenderedPageRef } from '../../render/pages.js';
import type { StageContext, StageOutput } from '../stage.js';
import { trainMessages } from '../../core/messages.js';

export const SPLITS: readonly PageSplit[] = ['train', 'val', 'test'];

export function requireInput<M = unknown>(ctx: StageContext, stage: string, input: string): StageOutput<M> {
  const output = ctx.inputs[input];
  if (!output) throw new EcgError('STAGE_FAILED', trainMessages.inputMissing(stage, input));
  return output as StageOutput<M>;
}

export interface Page extends RenderedPageRef {
  readonly gt: PageGroundTruth;
}

/** Every page of the render output, in manifest order, with its ground truth. */
export async function readPages(ctx: StageContext, stage: string): Promise<Page[]> {
  const refs = await readRenderedPages(requireInput(ctx, stage, 'render'));
  return Promise.all(refs.map(async (ref) => ({ ...ref, gt: await readGroundTruth(ref) })));
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
