/**
 * A page's geometry from its image alone, the steps in order:
 *
 *   1. grid: angle and px per mm on both axes, or "no grid"   (grid-period.ts)
 *   2. rectify: rotation and perspective undone               (rectify.ts)
 *   3. trace pixels of the rectified page                     (trace-ink.ts)
 *   4. layout: rows, pulses, layout, panels                   (layout-detect.ts)
 *   5. each lead's 0 mV row and gain                          (lead-baseline.ts)
 *
 * Every coordinate after step 2 is on the rectified page; RectifiedPage's
 * toImage maps it back to the image.
 */
import { detectGrid, type GridOptions, type PageGrid } from './grid-period.js';
import { detectLayout, type PageLayoutFound } from './layout-detect.js';
import { leadLevels, type LeadLevel } from './lead-baseline.js';
import type { PageChannels } from './page-channels.js';
import { rectifyPage, type RectifiedPage } from './rectify.js';
import { traceMask, type TraceMask } from './trace-ink.js';

export interface PageGeometry {
  readonly grid: PageGrid;
  readonly rectified: RectifiedPage;
  /** The rectified page's trace pixels (step 3). */
  readonly mask: TraceMask;
  readonly layout: PageLayoutFound;
  readonly leads: readonly LeadLevel[];
}

export function findPageGeometry(page: PageChannels, options: GridOptions = {}): PageGeometry {
  const grid = detectGrid(page, options);
  const rectified = rectifyPage(page, grid.rectification);
  const mask = traceMask(rectified.ink, grid.pxPerMmY, grid.gridInInk);
  const layout = detectLayout(mask, grid.pxPerMmX, grid.pxPerMmY);
  const leads = leadLevels(mask, layout, { pxPerMmY: grid.pxPerMmY, fromGrid: grid.found });
  return { grid, rectified, mask, layout, leads };
}
