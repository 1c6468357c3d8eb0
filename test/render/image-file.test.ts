/**
 * An image of more pixels than the decoder allows is refused with its size,
 * the limit and how to raise it, not as "cannot be read as a PNG or JPEG".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { DEFAULT_MAX_INPUT_PIXELS, outsideImageOptions, requireWithinPixelLimit } from '../../src/render/image-file.js';
import { isEcgError } from '../../src/core/errors.js';

/** CRC-32 of PNG chunks (ISO 3309, PNG spec section 5.5); zlib.crc32 needs Node 20.15. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real, all-black 1-bit greyscale PNG of width x height pixels: a few kB on disk however large. */
function blackPng(width: number, height: number): string {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, filter 0, no interlace
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8))); // filter byte 0 and zero bits per row
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  const path = join(mkdtempSync(join(tmpdir(), 'ecg-huge-image-')), `${width}x${height}.png`);
  writeFileSync(path, png);
  return path;
}

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

test.run();
