/**
 * Crops to the record's 12 leads with the trained digitizer (and
 * denoiser): per-column soft-argmax rows, (baseline - row) / pxPerMv, placed
 * on the record's sampling grid by models/assemble-leads.ts (lead II of a
 * 3x4 page, drawn twice, is averaged). Samples no crop covers are 0; the
 * SNR reference is NaN there (plottedSignals), so they are not scored.
 */
import * as tf from '@tensorflow/tfjs';
import { LEADS } from '../../core/ecg.js';
import { assembleLeads, cropRequest, outputOf, rowsToMillivolts, softArgmaxRows, type SeriesGroup } from '../../models/index.js';
import type { PageCropSet } from './crop-set.js';
import { stackCrops } from './crop-set.js';

/** Indices of a page's crops grouped by width. */
function widthGroups(set: PageCropSet): number[][] {
  const groups = new Map<number, number[]>();
  set.crops.forEach((c, i) => groups.set(c.columns, [...(groups.get(c.columns) ?? []), i]));
  return [...groups.values()];
}

/** Replace every crop's pixels by the denoiser's output (inference mode), in the set's crop file. */
export function denoiseCrops(denoiser: tf.LayersModel, set: PageCropSet, height: number): void {
  for (const group of widthGroups(set)) {
    const columns = set.crops[group[0] as number]!.columns;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(stackCrops(group.map((i) => set.pixels(i))), [group.length, height, columns, 1]);
      return outputOf(denoiser, x, { training: false }).dataSync() as Float32Array;
    });
    const size = height * columns;
    group.forEach((cropIndex, k) => set.replacePixels(cropIndex, out.subarray(k * size, (k + 1) * size)));
  }
}

/** The 12 leads of one page at `fsHz`, `length` samples each, in mV. */
export function digitizePage(digitizer: tf.LayersModel, set: PageCropSet, height: number, fsHz: number, length: number): Float32Array[] {
  const data = tf.tidy(() => {
    const series: SeriesGroup[] = widthGroups(set).map((group) => {
      const crops = group.map((i) => cropRequest(set.crops[i]!, 0));
      const columns = crops[0]!.columns;
      const x = tf.tensor4d(stackCrops(group.map((i) => set.pixels(i))), [group.length, height, columns, 1]);
      const rows = softArgmaxRows(outputOf(digitizer, x, { training: false }));
      const mv = rowsToMillivolts(rows, tf.tensor1d(crops.map((c) => c.baselineRow)), tf.tensor1d(crops.map((c) => c.pxPerMv)));
      return { series: mv, placements: crops };
    });
    return assembleLeads(series, { examples: 1, leads: LEADS.length, fsHz, length }).dataSync() as Float32Array;
  });
  return LEADS.map((_, lead) => Float32Array.from({ length }, (_, k) => data[k * LEADS.length + lead] as number));
}
