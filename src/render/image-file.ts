/**
 * Pixels to file bytes, and back to a file name. The page image is a PNG, or
 * the JPEG the distortion chain ended in (render.imageFormat = auto): that
 * JPEG is the page's pixels exactly, so storing it loses nothing, and it is
 * about an eighth of the PNG's size (sensor noise makes a noisy page
 * incompressible for deflate) and skips the costliest step of a noisy page.
 * The clean twin and the mask are always PNG: they are training targets (the
 * twin stored without deflate, see encodeTwinPng).
 */
import sharp from 'sharp';
import { EcgError } from '../core/errors.js';
import { renderMessages } from '../core/messages.js';
import type { Coverage, RgbImage } from './raster.js';
import { recycleBuffers, takeBuffer } from '../core/recycled-buffers.js';

export type ImageFormat = 'png' | 'jpeg';

/**
 * PNG settings: the fastest deflate; the pixels are the point, not the file
 * size. A warped clean twin at 200 DPI takes about 48 ms at level 1 against
 * 80 ms at level 2, for 5.7 MB instead of 4.5 MB; a flat clean page, 15 ms
 * against 19 ms, for 1.2 MB instead of 1.0 MB.
 */
const PNG_OPTIONS = { compressionLevel: 1, adaptiveFiltering: false } as const;

const rawOf = (image: { width: number; height: number }, channels: 1 | 3) => ({ raw: { width: image.width, height: image.height, channels } });

export async function encodePng(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, rawOf(image, 3)).png(PNG_OPTIONS).toBuffer();
}

/**
 * The clean twin's PNG: one grey channel in stored blocks, no deflate. The
 * twin is an internal training target that only the denoise stage reads, as
 * grey (page/grey-image.ts readGreyImage), and deflate is most of its cost: a
 * warped RGB twin at 200 DPI took 55 ms of CPU to encode at level 1 against
 * 12 ms stored, and 97 ms against 68 ms to read back as grey. Stored as the
 * grey that reading an RGB twin gives (libvips' b-w conversion, here instead
 * of at every read), it is 3.5-4.3 MB at 200 DPI (RGB stored: 11.2 MB; RGB
 * at level 1: 5.7 MB); readGreyImage returns the same values, pixel for
 * pixel (test/render/clean-twin.test.ts). The grey is looked up per pixel
 * (greyOfColours): libvips converting the page took 21 ms of a 200 DPI
 * twin's 24, the lookup about a quarter of that; `looked` is that grey
 * already looked up (by the warp's WebAssembly kernels, warp-image.ts
 * warpImageAndGrey), handed over to be recycled here.
 */
const TWIN_PNG_OPTIONS = { compressionLevel: 0, adaptiveFiltering: false } as const;

export async function encodeTwinPng(image: RgbImage, looked?: Uint8Array): Promise<Buffer> {
  const grey = looked ?? greyByLookup(image, await greyOfColours());
  try {
    return await sharp(grey, rawOf(image, 1)).toColourspace('b-w').png(TWIN_PNG_OPTIONS).toBuffer();
  } finally {
    recycleBuffers([grey]);
  }
}

/** The grey of every pixel of `image` by `table` (greyOfColours), into a recycled buffer. */
function greyByLookup(image: RgbImage, table: Uint8Array): Uint8Array {
  const { width, height, data } = image;
  const grey = new Uint8Array(takeBuffer(width * height));
  const rgb = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // Each pixel's R G B as one little-endian 32-bit load (its fourth byte, the next pixel's R, masked off); the last pixel byte by byte.
  const last = width * height - 1;
  for (let p = 0; p < last; p++) grey[p] = table[rgb.getUint32(3 * p, true) & 0xffffff]!;
  if (last >= 0) grey[last] = table[data[3 * last]! | (data[3 * last + 1]! << 8) | (data[3 * last + 2]! << 16)]!;
  return grey;
}

/** Every 8-bit colour once, R + 256 G + 65536 B, as a 4096 x 4096 image. */
const COLOUR_SIDE = 4096;

let greyTable: Promise<Uint8Array> | undefined;

/**
 * libvips' b-w conversion (what readGreyImage does to an RGB image) of every
 * 8-bit colour, indexed R + 256 G + 65536 B. The conversion is pointwise, so
 * the table gives libvips' grey of any pixel exactly. Built by libvips on
 * first use (16 MB, about 0.1 s), then shared.
 */
export function greyOfColours(): Promise<Uint8Array> {
  greyTable ??= convertEveryColour().catch((error: unknown) => {
    greyTable = undefined;
    throw error;
  });
  return greyTable;
}

async function convertEveryColour(): Promise<Uint8Array> {
  const count = COLOUR_SIDE * COLOUR_SIDE;
  const colours = new Uint8Array(count * 3);
  for (let i = 0, k = 0; i < count; i++, k += 3) {
    colours[k] = i & 0xff;
    colours[k + 1] = (i >> 8) & 0xff;
    colours[k + 2] = i >> 16;
  }
  const grey = await sharp(colours, { raw: { width: COLOUR_SIDE, height: COLOUR_SIDE, channels: 3 } }).toColourspace('b-w').raw().toBuffer();
  return new Uint8Array(grey.buffer, grey.byteOffset, grey.length);
}

export async function encodeMaskPng(mask: Coverage): Promise<Buffer> {
  return sharp(mask.data, rawOf(mask, 1)).toColourspace('b-w').png(PNG_OPTIONS).toBuffer();
}

/**
 * A camera-like JPEG (4:2:0). Huffman tables are the standard ones: optimising
 * them costs a second pass (about 15 ms a page) for a few percent of size and
 * does not change a pixel.
 */
export async function encodeJpeg(image: RgbImage, quality: number): Promise<Buffer> {
  return sharp(image.data, rawOf(image, 3)).jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer();
}

/** The pixels of a JPEG as a PNG, in one libvips pipeline (no raw copy through JavaScript). */
export async function jpegToPng(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg).png(PNG_OPTIONS).toBuffer();
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff] as const;

/** The format of encoded page bytes, from their first bytes. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat {
  return JPEG_MAGIC.every((b, i) => bytes[i] === b) ? 'jpeg' : 'png';
}

export const IMAGE_EXTENSIONS: Readonly<Record<ImageFormat, string>> = { png: '.png', jpeg: '.jpg' };

/**
 * The most pixels (width x height) an image from outside may have to be
 * decoded: sharp's own default, 0x3FFF squared (about 268 million), which
 * keeps a small file that claims a huge image from taking the memory. A
 * larger scan is allowed by raising it (`--max-pixels` of digitize and
 * classify).
 */
export const DEFAULT_MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

/** sharp's input options for an image from outside: a truncated file is an error, and so is one of more than `maxPixels` pixels. */
export function outsideImageOptions(maxPixels = DEFAULT_MAX_INPUT_PIXELS): sharp.SharpOptions {
  return { failOn: 'truncated', limitInputPixels: maxPixels };
}

/**
 * IMAGE_INVALID saying the image's size, the limit and how to raise it when
 * the image at `path` has more than `maxPixels` pixels. Reads the header
 * only; an unreadable header is left to the decoder to report.
 */
export async function requireWithinPixelLimit(path: string, maxPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<void> {
  let size: { width?: number | undefined; height?: number | undefined };
  try {
    size = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    return;
  }
  const { width = 0, height = 0 } = size;
  if (width * height > maxPixels) throw new EcgError('IMAGE_INVALID', renderMessages.imageOverPixelLimit(path, width, height, maxPixels));
}
