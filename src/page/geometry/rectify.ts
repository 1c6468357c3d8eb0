/**
 * Rectification: the page's rotation and perspective undone by the
 * rectification its image gives (page/perspective.ts, or a rotation alone),
 * both channels, so that the layout and baseline steps read rows as
 * amplitude and columns as time. Wrinkles are left (their residual shows in
 * the lead boxes and baselines as a bend of a pixel or two at noise 0.5).
 *
 * Points move between the image and the rectified page with toRectified and
 * toImage (perspective.ts's homographies).
 */
import type { Point } from '../box.js';
import { rectifyImage, toImage, toRectified, type Rectification } from '../perspective.js';
import type { PageChannels } from './page-channels.js';

export interface RectifiedPage extends PageChannels {
  /** The rotation undone at the image centre, degrees (the renderer's rotationDeg convention). */
  readonly angleDeg: number;
  readonly rectification: Rectification;
  /** Where the rectified page shows image point (x, y). */
  readonly toRectified: (x: number, y: number) => Point;
  /** The image point the rectified page shows at (x, y). */
  readonly toImage: (x: number, y: number) => Point;
}

/** `page` rectified by `rectification` (same size; outside the image is white paper). */
export function rectifyPage(page: PageChannels, rectification: Rectification): RectifiedPage {
  return {
    grey: rectifyImage(page.grey, rectification),
    ink: rectifyImage(page.ink, rectification),
    angleDeg: rectification.angleDeg,
    rectification,
    toRectified: (x, y) => toRectified(rectification, x, y),
    toImage: (x, y) => toImage(rectification, x, y),
  };
}
