/**
 * Stage `render`: every record of every split as a page image, trace mask and
 * ground truth, and with digitizer.denoise the clean twins of the pages the
 * denoiser trains and validates on (src/render/pages.ts). Later stages read
 * the pages with readRenderedPages(ctx.inputs.render).
 *
 * The clean twin is the denoiser's target and nothing else reads it; a noisy
 * page's twin costs CPU (its PNG, the copy the photometric chain then works
 * on) and 11 MB of disk at 200 DPI, so test pages get none, and no page does
 * when digitizer.denoise is off.
 * digitizer.denoise is therefore one of the stage's config keys: renders with
 * and without twins have different cache keys and never stand in for each
 * other (a sweep over digitizer.denoise renders its pages once per arm).
 */
import type { Stage } from '../stage.js';
import { openDataset, type DataManifest } from '../../data/dataset-store.js';
import { EcgError } from '../../core/errors.js';
import { renderMessages } from '../../core/messages.js';
import { renderPagesToDir, type RenderJob, type RenderManifest } from '../../render/pages.js';
import { DENOISE_SPLITS } from './denoise.js';

/** Every render.* key (render.distort.* included), the data seed (pages are data), and whether the clean twins are written. */
export const RENDER_CONFIG_KEYS = ['seed.data', 'render.*', 'digitizer.denoise'] as const;

export const renderStage: Stage<RenderManifest> = {
  name: 'render',
  version: 2,
  description: 'Render every record as a paper ECG page (layout, grid, distortions by render.noise) with exact ground truth.',
  reads: ['data'],
  configKeys: RENDER_CONFIG_KEYS,
  writes: 'page images (PNG, or JPEG where the distortions end in JPEG), clean twins of train and val pages (digitizer.denoise = true), trace masks, ground-truth JSON + manifest.json',
  async run(ctx) {
    const data = ctx.inputs['data'];
    if (!data) throw new EcgError('STAGE_FAILED', renderMessages.dataInputMissing('render'));
    // Each record is read from the data stage's store as its page is drawn: memory holds the pages in flight, not the data set.
    const dataset = await openDataset({ dir: data.dir, manifest: data.manifest as DataManifest });
    let manifest: RenderManifest;
    try {
      const jobs: RenderJob[] = (['train', 'val', 'test'] as const).flatMap((split) =>
        dataset.manifest.records.filter((entry) => entry.split === split).map((entry) => ({ split, record: () => dataset.read(entry) })),
      );
      manifest = await renderPagesToDir(ctx.outDir, jobs, ctx.config.render, {
        seed: ctx.config.seed.data,
        cleanTwinSplits: ctx.config.digitizer.denoise ? DENOISE_SPLITS : [],
        progress: ctx.progress,
        logger: ctx.logger,
        signal: ctx.signal,
      });
    } finally {
      await dataset.close();
    }
    ctx.metrics.log('render/pages', manifest.pages.length);
    ctx.logger.info(`render: ${manifest.pages.length} pages at noise ${ctx.config.render.noise} (${manifest.width} x ${manifest.height} px)`);
    return manifest;
  },
};
