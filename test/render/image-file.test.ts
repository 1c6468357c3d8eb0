/**
 * An image of more pixels than the decoder allows is refused with its size,
 * the limit and how to raise it, not as "cannot be read as a PNG or JPEG".
 * The clean twin's stored PNG holds the pixels of the deflated one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readGreyImage } from '../../src/page/grey-image.js';
import { DEFAULT_MAX_INPUT_PIXELS, encodePng, encodeTwinPng, outsideImageOptions, requireWithinPixelLimit } from '../../src/render/image-file.js';
import { createRng } from '../../src/core/rng.js';
import { isEcgError } from '../../src/core/errors.js';
import { blackPng } from './png-fixture.js';

const HUGE = blackPng(20_000, 20_000);

test('the default limit is sharp\'s, and sharp refuses the 20000 x 20000 image under it', async () => {
  assert.is(DEFAULT_MAX_INPUT_PIXELS, 16383 * 16383);
  try {
    await sharp(HUGE, outsideImageOptions()).raw().toBuffer();
  } catch (error) {
    assert.match(String(error), /pixel limit/);
    return;
  }
  assert.unreachable('sharp should refuse 400 million pixels under the default limit');
});

test('a 20000 x 20000 image is refused with its size, the limit and how to raise it', async () => {
  try {
    await requireWithinPixelLimit(HUGE);
  } catch (error) {
    assert.ok(isEcgError(error, 'IMAGE_INVALID'), String(error));
    for (const part of [HUGE, '20000 x 20000', '400,000,000 pixels', '268,402,689', '--max-pixels 400000000']) {
      assert.ok(error.message.includes(part), `"${error.message}" lacks "${part}"`);
    }
    return;
  }
  assert.unreachable('should have been refused');
});

test('with the limit raised, the same image passes the check and decodes to its header size', async () => {
  await requireWithinPixelLimit(HUGE, 400_000_000);
  const meta = await sharp(HUGE, outsideImageOptions(400_000_000)).metadata();
  assert.equal([meta.width, meta.height], [20_000, 20_000]);
  const small = blackPng(640, 480);
  await requireWithinPixelLimit(small);
  const { info } = await sharp(small, outsideImageOptions()).raw().toBuffer({ resolveWithObject: true });
  assert.equal([info.width, info.height], [640, 480]);
});

test('the clean twin PNG is one grey channel, stored (no deflate: about the raw size), read as the same grey as the RGB page', async () => {
  const rng = createRng(4);
  const width = 301;
  const height = 97;
  const data = new Uint8ClampedArray(width * height * 3);
  // Flat paper with a few random strokes of any colour: deflate shrinks it a lot, so a stored PNG is told apart by its size.
  data.fill(250);
  for (let i = 0; i < 2000; i++) data[rng.int(0, data.length - 1)] = rng.int(0, 255);
  const image = { width, height, data };
  const [twin, deflated] = await Promise.all([encodeTwinPng(image), encodePng(image)]);
  assert.is((await sharp(twin).metadata()).channels, 1);
  assert.ok(twin.length >= width * height && twin.length < width * height * 1.03, `stored: ${twin.length} bytes for ${width * height} grey pixels`);
  assert.ok(deflated.length < data.length / 2, `deflated: ${deflated.length} bytes`);
  // What the denoise stage reads (page/grey-image.ts readGreyImage), value for value.
  const dir = mkdtempSync(join(tmpdir(), 'ecg-twin-'));
  try {
    writeFileSync(join(dir, 'twin.png'), twin);
    writeFileSync(join(dir, 'rgb.png'), deflated);
    assert.equal(Array.from((await readGreyImage(join(dir, 'twin.png'))).data), Array.from((await readGreyImage(join(dir, 'rgb.png'))).data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the twin holds libvips\' grey of each pixel, for pixels of any colour', async () => {
  const rng = createRng(8);
  const width = 513;
  const height = 389;
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  const image = { width, height, data };
  const expected = await sharp(data, { raw: { width, height, channels: 3 } }).toColourspace('b-w').raw().toBuffer();
  const twin = await encodeTwinPng(image);
  assert.is((await sharp(twin).metadata()).channels, 1);
  assert.ok((await sharp(twin).toColourspace('b-w').raw().toBuffer()).equals(expected));
});

test.run();
