/**
 * Stage `render`: every record of every split as a page image with its clean
 * twin, trace mask and ground truth (src/render/pages.ts). Later stages read
 * the pages with readRenderedPages(ctx.inputs.render).
 */
import type { Stage } from '../stage.js';
import { readDataset, type DataManifest } from '../../data/dataset-store.js';
import { EcgError } from '../../core/errors.js';
import { renderMessages } from '../../core/messages.js';
import { renderPagesToDir, type RenderJob, type RenderManifest } from '../../render/pages.js';

/** Every render.* key (render.distort.* included) and the data seed (pages are data). */
export const RENDER_CONFIG_KEYS = ['seed.data', 'render.*'] as const;

export const renderStage: Stage<RenderManifest> = {
  name: 'render',
  version: 1,
  description: 'Render every record as a paper ECG page (layout, grid, distortions by render.noise) with exact ground truth.',
  reads: ['data'],
  configKeys: RENDER_CONFIG_KEYS,
  writes: 'page images (PNG, or JPEG where the distortions end in JPEG), clean twins, trace masks, ground-truth JSON + manifest.json',
  async run(ctx) {
    const data = ctx.inputs['data'];
    if (!data) throw new EcgError('STAGE_FAILED', renderMessages.dataInputMissing('render'));
    const splits = await readDataset({ dir: data.dir, manifest: data.manifest as DataManifest });
    const jobs: RenderJob[] = (['train', 'val', 'test'] as const).flatMap((split) => splits[split].map((record) => ({ split, record })));
    const manifest = await renderPagesToDir(ctx.outDir, jobs, ctx.config.render, {
      seed: ctx.config.seed.data,
      progress: ctx.progress,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    ctx.metrics.log('render/pages', manifest.pages.length);
    ctx.logger.info(`render: ${manifest.pages.length} pages at noise ${ctx.config.render.noise} (${manifest.width} x ${manifest.height} px)`);
    return manifest;
  },
};
