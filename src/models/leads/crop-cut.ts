/**
 * Where a lead crop is cut: tf.image.cropAndResize of a page with the
 * crops' NormalBoxes (page/lead-crop.ts). cutCropTensor is the
 * differentiable path's cut (hierarchical.ts, several pages in a batch);
 * cutCropPixels cuts one page's crops to typed arrays with the same op, for
 * the stages that train on crops and for inference, so that a model sees at
 * fine-tuning and inference what it saw in training.
 */
import * as tf from '@tensorflow/tfjs';
import type { GreyImage } from '../../page/grey-image.js';
import type { LeadCrop } from '../../page/lead-crop.js';
import { readValues } from '../read.js';

/** A crop of the batch's page `example` (hierarchical.ts CropRequest has more; this is what the cut reads). */
export type CropToCut = Pick<LeadCrop, 'box' | 'columns'> & { readonly example: number };

/** Crops of one width as [n, cropHeight, columns, 1], cut from `page` [B, H, W, 1]. */
export function cutCropTensor(page: tf.Tensor4D, crops: readonly CropToCut[], cropHeight: number, columns: number): tf.Tensor4D {
  return tf.tidy(() => {
    const boxes = tf.tensor2d(
      crops.map((c) => [c.box.y1, c.box.x1, c.box.y2, c.box.x2]),
      [crops.length, 4],
    );
    const index = tf.tensor1d(
      crops.map((c) => c.example),
      'int32',
    );
    return tf.image.cropAndResize(page, boxes, index, [cropHeight, columns]);
  });
}

/** A page as the [1, H, W, 1] tensor the crops are cut from. */
export function pageTensor(image: GreyImage): tf.Tensor4D {
  return tf.tensor4d(image.data, [1, image.height, image.width, 1]);
}

/** Cut the crops of one page; each crop's pixels, cropHeight x columns, row-major. */
export async function cutCropPixels(image: GreyImage, crops: readonly Pick<LeadCrop, 'box' | 'columns'>[], cropHeight: number): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(crops.length);
  const widths = [...new Set(crops.map((c) => c.columns))];
  for (const columns of widths) {
    const indices = crops.flatMap((c, i) => (c.columns === columns ? [i] : []));
    const pixels = await readValues(tf.tidy(() => cutCropTensor(pageTensor(image), indices.map((i) => ({ ...(crops[i] as LeadCrop), example: 0 })), cropHeight, columns)));
    const size = cropHeight * columns;
    indices.forEach((cropIndex, k) => (out[cropIndex] = pixels.slice(k * size, (k + 1) * size)));
  }
  return out;
}
