/**
 * A page decoded into the two grey images its geometry is found in:
 *
 *   grey  luminance in [0, 1] (1 = white paper), as grey-image.ts reads it:
 *         the grid shows in it whatever its colour (red, pink, grey, ...).
 *   ink   where the traces are: min(1, luminance + CHROMA_WEIGHT * (max(0, R - B) + max(0, G - B))),
 *         on white-balanced channels (below).
 *         Traces are black, grey or blue (render.variety's trace colours: no
 *         red or green above blue), grid lines red, pink, grey (or green):
 *         ecg-image-kit's pure red major lines have luminance 0.30, as dark
 *         as a blurred trace, but R - B = 1. Every coloured grid line, solid
 *         or anti-aliased on white, comes out at 1 (paper); a grey grid
 *         keeps its luminance (0.64 for the major lines of render/paper.ts),
 *         a trace its own (0.06 navy, 0.19 #303030).
 *
 * The channels are white-balanced first: each is divided by its
 * PAPER_QUANTILE over the page (the paper), so that a warm or cool photo's
 * paper has no chroma of its own, which would otherwise lift the
 * anti-aliased rim of every trace towards paper.
 *
 * A grey-only page (no colour) gives ink = grey: nothing tells a grey grid
 * from a trace but its weight, which the layout step handles by its lines.
 */
import sharp from 'sharp';
import { EcgError, errorMessage } from '../../core/errors.js';
import { pageMessages } from '../../core/messages.js';
import type { GreyImage } from '../grey-image.js';

export interface PageChannels {
  readonly grey: GreyImage;
  readonly ink: GreyImage;
}

const CHROMA_WEIGHT = 2;
const PAPER_QUANTILE = 0.9;

/** The PAPER_QUANTILE of channel c (0-255) over the pixels. */
function paperLevel(data: Uint8Array, pixels: number, channels: number, c: number): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < pixels; i++) histogram[data[i * channels + c] as number]! += 1;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v] as number;
    if (seen >= PAPER_QUANTILE * pixels) return Math.max(1, v);
  }
  return 255;
}

/** Decode a PNG or JPEG (path or bytes) into its grey and ink images (alpha flattened onto white). */
export async function readPageChannels(source: string | Buffer): Promise<PageChannels> {
  const name = typeof source === 'string' ? source : `(${source.length} bytes)`;
  try {
    const { data, info } = await sharp(source).flatten({ background: '#ffffff' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return channelsOfRgb(data, info.width, info.height, info.channels);
  } catch (error) {
    throw new EcgError('IMAGE_INVALID', pageMessages.imageUnreadable(name, errorMessage(error)), { cause: error });
  }
}

/** The grey and ink images of interleaved 8-bit pixels (3 channels RGB, 1 channel grey). */
export function channelsOfRgb(data: Uint8Array, width: number, height: number, channels: number): PageChannels {
  const pixels = width * height;
  const grey = new Float32Array(pixels);
  const ink = new Float32Array(pixels);
  const [whiteR, whiteG, whiteB] = channels < 3 ? [1, 1, 1] : [0, 1, 2].map((c) => 255 / paperLevel(data, pixels, channels, c)) as [number, number, number];
  for (let i = 0; i < pixels; i++) {
    const o = i * channels;
    const r = (data[o] as number) / 255;
    if (channels < 3) {
      grey[i] = r;
      ink[i] = r;
      continue;
    }
    const g = (data[o + 1] as number) / 255;
    const b = (data[o + 2] as number) / 255;
    // ITU-R BT.601 luma, as sharp's greyscale().
    grey[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    const [wr, wg, wb] = [Math.min(1, r * whiteR), Math.min(1, g * whiteG), Math.min(1, b * whiteB)];
    const lum = 0.299 * wr + 0.587 * wg + 0.114 * wb;
    ink[i] = Math.min(1, lum + CHROMA_WEIGHT * (Math.max(0, wr - wb) + Math.max(0, wg - wb)));
  }
  return { grey: { data: grey, width, height }, ink: { data: ink, width, height } };
}
