/**
 * denoiser: a noisy lead crop [B, H, W, 1] in [0, 1] (1 = white paper) to
 * its clean twin, trained on the renderer's (noisy, clean) pairs.
 *
 * Design. The U-Net predicts a residual that is added to the input
 * (clean = noisy + f(noisy)), as in DnCNN (Zhang et al., IEEE TIP 26(7),
 * 2017): at low noise the identity is already right and f starts near zero,
 * so the denoiser cannot make a clean crop worse early in training, and the
 * network spends its capacity on the artefacts (grid, blur, creases) rather
 * than on copying the page. The output is not clipped to [0, 1]: clipping
 * would stop gradients at the bounds, which the end-to-end fine-tuning needs.
 * Width is free at run time (fully convolutional), so short leads and the
 * rhythm strip go through the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import { applyLayer } from './blocks.js';
import { type UNetSpec, unetBody, unetInput, validateUNet } from './unet.js';

export interface DenoiserSpec extends UNetSpec {
  readonly seed: number;
}

export const DEFAULT_DENOISER: DenoiserSpec = { inputHeight: 64, inputWidth: null, widths: [8, 16, 32], seed: 0 };

export function buildDenoiser(spec: DenoiserSpec): tf.LayersModel {
  validateUNet('denoiser', spec);
  const rng = createRng(`denoiser:${spec.seed}`);
  const input = unetInput(spec, 'crop');
  const residual = unetBody(input, spec.widths, 1, rng);
  const clean = applyLayer(tf.layers.add({ name: 'clean' }), [input, residual]);
  return tf.model({ inputs: input, outputs: clean, name: 'denoiser' });
}

/**
 * L1 weighted towards the ink: weight = 1 + traceWeight x (1 - clean).
 * Trace pixels are a few percent of a crop; unweighted, erasing the trace
 * costs almost nothing, which is the one mistake the digitizer cannot undo.
 */
export function denoiserLoss(denoised: tf.Tensor, clean: tf.Tensor, traceWeight = 4): tf.Scalar {
  return tf.tidy(() => {
    const weight = tf.add(1, tf.mul(traceWeight, tf.sub(1, clean)));
    return tf.div(tf.sum(tf.mul(weight, tf.abs(tf.sub(denoised, clean)))), tf.sum(weight)) as tf.Scalar;
  });
}
