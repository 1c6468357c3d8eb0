/**
 * Rendered pages on disk, as the render stage and `generate images` leave
 * them, and the reader later stages use:
 *
 *   <stem>.png|.jpg    the page (photometric and geometric distortion; JPEG
 *                      when its distortions end in JPEG compression, see
 *                      render.imageFormat); find it through readRenderedPages
 *   <stem>-clean.png   clean twin: same geometry, no photometric distortion
 *                      (for the splits in cleanTwinSplits, by default all:
 *                      the denoise stage is its one reader; elsewhere the
 *                      entry's clean is null)
 *   <stem>-mask.png    greyscale trace coverage (0..255) of the 12 lead traces
 *   <stem>.json        PageGroundTruth (render/ground-truth.ts)
 *   manifest.json      RenderManifest: every page with its split, record and labels
 *
 * Page seeds are derived from the run seed and the record name, so a page
 * does not change when other records are added or removed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChallengeClass, EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../core/fs.js';
import type { Logger } from '../core/logger.js';
import { renderKernelsMissing } from './wasm/render-kernels.js';
import { mapLimited } from '../core/map-limited.js';
import { renderMessages } from '../core/messages.js';
import type { Progress } from '../core/progress.js';
import type { RenderConfig } from '../config/schema/render.js';
import type { PageGroundTruth } from './ground-truth.js';
import { pageSizeOf } from '../page/layout.js';
import { normalizeRenderOptions, renderConfigOf, type RenderConfigInput } from './options.js';
import { renderPage, type RenderedPage } from './render-page.js';
import { IMAGE_EXTENSIONS } from './image-file.js';

export const RENDER_FORMAT = 'ecg-lab/render@1';
export const RENDER_MANIFEST_FILE = 'manifest.json';

export const PAGE_SPLITS = ['train', 'val', 'test'] as const;
export type PageSplit = (typeof PAGE_SPLITS)[number];

export interface RenderedPageEntry {
  readonly split: PageSplit;
  readonly record: string;
  readonly labels: readonly ChallengeClass[];
  readonly seed: string;
  /** File names relative to the manifest's folder; clean is null for a page rendered without its clean twin. */
  readonly image: string;
  readonly clean: string | null;
  readonly mask: string;
  readonly groundTruth: string;
}

export interface RenderManifest {
  readonly format: typeof RENDER_FORMAT;
  readonly render: RenderConfig;
  readonly seed: number;
  /** Size of a page at render.paper and render.dpi; with render.variety a page may differ (its ground truth's width and height). */
  readonly width: number;
  readonly height: number;
  readonly counts: Readonly<Record<PageSplit, number>>;
  readonly pages: readonly RenderedPageEntry[];
}

/** The seed of one page: the run seed and the record name. */
export function pageSeed(seed: number, record: string): string {
  return `ecg-lab/render/${seed}/${record}`;
}

const safeStem = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

/** Write one rendered page's files (four, or three without its clean twin) as `<dir>/<stem>*`; returns the entry without split and labels. */
export async function writeRenderedPage(
  dir: string,
  stem: string,
  page: Pick<RenderedPage, 'image' | 'imageFormat' | 'mask' | 'groundTruth'> & { readonly clean: Buffer | null },
): Promise<Pick<RenderedPageEntry, 'image' | 'clean' | 'mask' | 'groundTruth'>> {
  const clean = page.clean;
  const files = { image: `${stem}${IMAGE_EXTENSIONS[page.imageFormat]}`, clean: clean ? `${stem}-clean.png` : null, mask: `${stem}-mask.png`, groundTruth: `${stem}.json` };
  const groundTruth: PageGroundTruth = { ...page.groundTruth, files: { image: files.image, clean: files.clean, mask: files.mask } };
  // Every write settles before a failure is thrown: a caller that then removes the folder (the stage cache) races no write.
  const writes = await Promise.allSettled([
    writeFileAtomic(join(dir, files.image), page.image),
    ...(clean && files.clean ? [writeFileAtomic(join(dir, files.clean), clean)] : []),
    writeFileAtomic(join(dir, files.mask), page.mask),
    writeFileAtomic(join(dir, files.groundTruth), JSON.stringify(groundTruth)),
  ]);
  const failed = writes.find((w) => w.status === 'rejected');
  if (failed) throw failed.reason;
  return files;
}

export interface RenderJob {
  readonly split: PageSplit;
  /** The record, or how to read it when its page is drawn (the render stage reads records from the data stage's store one by one). */
  readonly record: EcgRecord | (() => Promise<EcgRecord>);
}

export interface RenderPagesOptions {
  readonly seed: number;
  /**
   * The splits whose pages get a clean twin (default all three). Only the
   * denoise stage reads twins, of the pages it trains and validates on, and a
   * noisy page's twin costs CPU (its PNG, the copy the photometric chain then
   * works on) and 11 MB of disk at 200 DPI: the render stage asks for them
   * there and only when digitizer.denoise is on.
   * A page without its twin has the same other files, byte for byte.
   */
  readonly cleanTwinSplits?: readonly PageSplit[];
  /** Pages rendered at once; 2 overlaps sharp's encoding with the JavaScript drawing on a 2-core machine. */
  readonly concurrency?: number;
  readonly progress?: Progress;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Render every job into `dir` and write the manifest. Options are checked before anything is drawn. */
export async function renderPagesToDir(dir: string, jobs: readonly RenderJob[], config: RenderConfigInput, options: RenderPagesOptions): Promise<RenderManifest> {
  const renderOptions = normalizeRenderOptions(config);
  const checked = renderConfigOf(renderOptions);
  const twinSplits = options.cleanTwinSplits ?? PAGE_SPLITS;
  await ensureDir(dir);
  const missing = renderKernelsMissing();
  if (missing && renderOptions.noise > 0) options.logger?.warn(missing);
  options.progress?.start(`render: ${jobs.length} pages`, jobs.length);
  let entries: RenderedPageEntry[];
  try {
    // After a failure (or an abort) no page starts, and the rejection waits for the pages in flight to finish writing.
    entries = await mapLimited(jobs, Math.max(1, options.concurrency ?? 2), async (job) => {
      options.signal?.throwIfAborted();
      const record = typeof job.record === 'function' ? await job.record() : job.record;
      const seed = pageSeed(options.seed, record.name);
      const page = await renderPage(record, checked, { seed, cleanTwin: twinSplits.includes(job.split) });
      const files = await writeRenderedPage(dir, safeStem(record.name), page);
      options.progress?.tick();
      return { split: job.split, record: record.name, labels: record.labels, seed, ...files };
    });
  } finally {
    options.progress?.stop();
  }
  const size = pageSizeOf(renderOptions);
  const counts = { train: 0, val: 0, test: 0 };
  for (const e of entries) counts[e.split]++;
  const manifest: RenderManifest = {
    format: RENDER_FORMAT,
    render: checked,
    seed: options.seed,
    width: size.widthPx,
    height: size.heightPx,
    counts,
    pages: entries,
  };
  await writeJsonAtomic(join(dir, RENDER_MANIFEST_FILE), manifest);
  return manifest;
}

/** One page of a render output, with absolute paths. */
export interface RenderedPageRef extends RenderedPageEntry {
  readonly imagePath: string;
  /** Null for a page rendered without its clean twin. */
  readonly cleanPath: string | null;
  readonly maskPath: string;
  readonly groundTruthPath: string;
}

export async function readRenderManifest(dir: string): Promise<RenderManifest> {
  const path = join(dir, RENDER_MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EcgError('IMAGE_INVALID', renderMessages.renderedManifestMissing(dir), { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EcgError('IMAGE_INVALID', renderMessages.renderedManifestInvalid(path, 'not JSON'), { cause: error });
  }
  const m = parsed as Partial<RenderManifest>;
  if (m.format !== RENDER_FORMAT || !Array.isArray(m.pages)) {
    throw new EcgError('IMAGE_INVALID', renderMessages.renderedManifestInvalid(path, `format is ${JSON.stringify(m.format)}, expected ${RENDER_FORMAT}`));
  }
  return m as RenderManifest;
}

/**
 * The pages of a render output (the render stage's `{ dir, manifest }`, or a
 * folder), optionally of one split, in manifest order.
 */
export async function readRenderedPages(
  output: string | { readonly dir: string; readonly manifest?: unknown },
  split?: PageSplit,
): Promise<RenderedPageRef[]> {
  const dir = typeof output === 'string' ? output : output.dir;
  const given = typeof output === 'string' ? undefined : (output.manifest as RenderManifest | undefined);
  const manifest = given?.format === RENDER_FORMAT ? given : await readRenderManifest(dir);
  return manifest.pages
    .filter((p) => split === undefined || p.split === split)
    .map((p) => ({
      ...p,
      imagePath: join(dir, p.image),
      cleanPath: p.clean === null ? null : join(dir, p.clean),
      maskPath: join(dir, p.mask),
      groundTruthPath: join(dir, p.groundTruth),
    }));
}

export async function readGroundTruth(page: Pick<RenderedPageRef, 'groundTruthPath'>): Promise<PageGroundTruth> {
  try {
    return JSON.parse(await readFile(page.groundTruthPath, 'utf8')) as PageGroundTruth;
  } catch (error) {
    throw new EcgError('IMAGE_INVALID', renderMessages.renderedManifestInvalid(page.groundTruthPath, 'ground truth unreadable'), { cause: error });
  }
}
