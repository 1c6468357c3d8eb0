/**
 * Crops to the record's 12 leads with the trained digitizer (and
 * denoiser), by models/leads/crop-leads.ts, the path inference takes too: rows,
 * (baseline - row) / pxPerMv, placed on the record's sampling grid. Samples
 * no crop covers are 0; the SNR reference is NaN there (plottedSignals), so
 * they are not scored. The denoiser runs first, on its own, because its
 * output replaces the crops in the crop file.
 */
import * as tf from '@tensorflow/tfjs';
import { cropRows, outputOf, readValues, rowsToLeads, widthGroups } from '../../models/index.js';
import type { PageCropSet } from './crop-set.js';
import { stackCrops } from './crop-set.js';

/** Replace every crop's pixels by the denoiser's output (inference mode), in the set's crop file. */
export async function denoiseCrops(denoiser: tf.LayersModel, set: PageCropSet, height: number): Promise<void> {
  for (const group of widthGroups(set.crops)) {
    const columns = set.crops[group[0] as number]!.columns;
    const out = await readValues(
      tf.tidy(() => {
        const x = tf.tensor4d(stackCrops(group.map((i) => set.pixels(i))), [group.length, height, columns, 1]);
        return outputOf(denoiser, x, { training: false });
      }),
    );
    const size = height * columns;
    group.forEach((cropIndex, k) => set.replacePixels(cropIndex, out.subarray(k * size, (k + 1) * size)));
  }
}

/** The 12 leads of one page at `fsHz`, `length` samples each, in mV (models/leads/crop-leads.ts, 0 mV at each crop's layout baseline). */
export async function digitizePage(digitizer: tf.LayersModel, set: PageCropSet, height: number, fsHz: number, length: number): Promise<Float32Array[]> {
  const rows = await cropRows({ denoiser: null, digitizer }, set.crops, (i) => set.pixels(i), height);
  return rowsToLeads(set.crops, rows, set.crops.map((c) => c.baselineRow), fsHz, length);
}
