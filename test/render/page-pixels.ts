/**
 * Reading rendered pages back in tests: decoded pixels, the darkest value
 * near a point, and the share of ground-truth samples drawn dark. `shade`
 * says what "dark" means: 'grey' is the mean of the colour channels (pages
 * of the fixed look: black traces on a red grid), 'red' the red channel
 * alone (varied pages: their trace colours are dark in red, their grids -
 * red, kit, pink, grey - are not).
 */
import sharp from 'sharp';
import type { PageGroundTruth } from '../../src/render/index.js';

export interface Pixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

export type Shade = 'grey' | 'red';

export async function pixels(png: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function shadeAt(img: Pixels, k: number, shade: Shade): number {
  if (shade === 'red') return img.data[k] as number;
  const channels = Math.min(3, img.channels);
  let sum = 0;
  for (let c = 0; c < channels; c++) sum += img.data[k + c] as number;
  return sum / channels;
}

/** Darkest value in the 3 x 3 neighbourhood of (x, y). */
export function darkestNear(img: Pixels, x: number, y: number, shade: Shade = 'grey'): number {
  let best = 255;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const ix = Math.round(x) + dx;
      const iy = Math.round(y) + dy;
      if (ix < 0 || iy < 0 || ix >= img.width || iy >= img.height) continue;
      best = Math.min(best, shadeAt(img, (iy * img.width + ix) * img.channels, shade));
    }
  }
  return best;
}

/** Share of the plotted ground-truth samples whose neighbourhood is darker than `threshold`. */
export function darkFraction(img: Pixels, gt: PageGroundTruth, threshold: number, shade: Shade = 'grey'): number {
  let dark = 0;
  let total = 0;
  for (const lead of gt.leads) {
    lead.x.forEach((x, i) => {
      if (lead.mv[i] === null) return;
      total++;
      if (darkestNear(img, x, lead.y[i] as number, shade) < threshold) dark++;
    });
  }
  return dark / total;
}
