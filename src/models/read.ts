/**
 * Tensor values back to JavaScript, always asynchronously:
 * tfjs-backend-webgpu reads synchronously (dataSync, arraySync) through
 * OffscreenCanvas, which Node and Deno lack (docs/gpu.md, "Reads"). A
 * tf.tidy callback cannot await, so the pattern is
 *
 *   const t = tf.tidy(() => ...compute...);
 *   const values = await readValues(t);
 *
 * and the read disposes the tensor it was handed.
 */
import type * as tf from '@tensorflow/tfjs';

/** The values of `t` (float32), then `t` disposed. */
export async function readValues(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** The first value of `t` (a scalar loss), then `t` disposed. */
export async function readScalar(t: tf.Tensor): Promise<number> {
  return (await readValues(t))[0] as number;
}
