/**
 * Page images as greyscale arrays in [0, 1] (1 = white paper), decoded with
 * sharp, optionally resized (the classifier's low-resolution page, the ROI
 * model's input). A file that is missing or not an image is an
 * EcgError('IMAGE_INVALID') naming it.
 */
import sharp from 'sharp';
import { EcgError, errorMessage } from '../core/errors.js';
import { trainMessages } from '../core/messages.js';
import { mapLimited } from '../core/map-limited.js';

export interface GreyImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Decode `path` to grey in [0, 1]; with `size`, resized to exactly that (area averaging, aspect not kept). */
export async function readGreyImage(path: string, size?: ImageSize): Promise<GreyImage> {
  try {
    let image = sharp(path).flatten({ background: '#ffffff' }).greyscale();
    if (size) image = image.resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' });
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    const pixels = info.width * info.height;
    const out = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) out[i] = (data[i * info.channels] as number) / 255;
    return { data: out, width: info.width, height: info.height };
  } catch (error) {
    throw new EcgError('IMAGE_INVALID', trainMessages.imageUnreadable(path, errorMessage(error)), { cause: error });
  }
}

/** Read many images, two at a time (sharp decodes off the main thread). */
export async function readGreyImages(paths: readonly string[], size?: ImageSize, onImage?: () => void): Promise<GreyImage[]> {
  return mapLimited(paths, 2, async (path) => {
    const image = await readGreyImage(path, size);
    onImage?.();
    return image;
  });
}

/** Resize a grey image as readGreyImage resizes a file (sharp, 'fill', cubic), through 8-bit grey like a decoded page. */
export async function resizeGrey(image: GreyImage, size: ImageSize): Promise<GreyImage> {
  const bytes = new Uint8Array(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, image.data[i] as number)) * 255);
  const { data, info } = await sharp(bytes, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (data[i * info.channels] as number) / 255;
  return { data: out, width: info.width, height: info.height };
}
