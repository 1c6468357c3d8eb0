/**
 * Rectification: the page turned back upright by the angle its grid gives
 * (grid-period.ts), both channels, so that the layout and baseline steps
 * read rows as amplitude and columns as time. Rotation only: perspective
 * and wrinkles are left (the residual shows in the lead boxes and
 * baselines as a tilt of a few tenths of a degree at noise 0.5).
 *
 * Points move between the image and the rectified page with toRectified and
 * toImage (deskew.ts's convention: the rectified page shows image point q at
 * c + R(-a)(q - c), c the image centre).
 */
import type { Point } from '../box.js';
import { deskewImage, deskewPoint } from '../deskew.js';
import type { PageChannels } from './page-channels.js';

export interface RectifiedPage extends PageChannels {
  /** The rotation undone, degrees (the renderer's rotationDeg convention). */
  readonly angleDeg: number;
  /** Where the rectified page shows image point (x, y). */
  readonly toRectified: (x: number, y: number) => Point;
  /** The image point the rectified page shows at (x, y). */
  readonly toImage: (x: number, y: number) => Point;
}

/** `page` turned back by `angleDeg` about its centre (same size; outside the image is white paper). */
export function rectifyPage(page: PageChannels, angleDeg: number): RectifiedPage {
  const { width, height } = page.grey;
  return {
    grey: deskewImage(page.grey, angleDeg),
    ink: deskewImage(page.ink, angleDeg),
    angleDeg,
    toRectified: (x, y) => deskewPoint(x, y, angleDeg, width, height),
    toImage: (x, y) => deskewPoint(x, y, -angleDeg, width, height),
  };
}
