/**
 * render/photometric.ts blurChangesPixels: the chain skips libvips' blur
 * where its one-tap mask would copy the image. Checked against sharp on a
 * page of random pixels just below and just above the rule's edge, and at
 * the sigmas a noise-0.5 page draws.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { blurChangesPixels } from '../../src/render/photometric.js';
import { createRng } from '../../src/core/rng.js';

const W = 64;
const H = 48;
const rng = createRng('blur-rule');
const pixels = Uint8Array.from({ length: W * H * 3 }, () => rng.int(0, 255));

async function sharpChanges(sigma: number): Promise<boolean> {
  const out = await sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).blur({ sigma, minAmplitude: 0.2 }).raw().toBuffer();
  return out.some((v, i) => v !== pixels[i]);
}

/** The sigma where exp(-1 / (2 sigma^2)) = 0.2. */
const EDGE = Math.sqrt(1 / (2 * Math.log(5)));

test('the rule agrees with sharp on both sides of its edge and across the sigmas pages draw', async () => {
  for (const sigma of [0.3, 0.35, 0.45, 0.5, EDGE - 1e-6, EDGE + 1e-6, 0.6, 0.7, 1, 1.4, 2.8]) {
    assert.is(blurChangesPixels(sigma), await sharpChanges(sigma), `sigma ${sigma}`);
  }
  assert.is(blurChangesPixels(0.29), false, 'below sharp\'s least sigma: no blur');
});

test.run();
