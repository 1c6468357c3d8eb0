/**
 * A page's lead crops to its 12 leads, the one path the stages (digitizer,
 * hierarchical: train/stages/digitize-crops.ts) and inference
 * (inference/infer-image.ts) both take:
 *   1. rows: crops of one width go through the denoiser (when given) and the
 *      digitizer as one batch; the per-column soft-argmax row (digitizer.ts)
 *      is each crop's trace in crop pixels;
 *   2. mV: (zeroRow - row) / pxPerMv per crop (rowsToMillivolts), where the
 *      caller picks each crop's 0 mV row (the layout's baseline, or the
 *      median of its rows for a user's page);
 *   3. leads: the series placed on the record's grid by assemble-leads.ts
 *      (lead II of a 3x4 page, drawn twice, averaged; samples no crop covers
 *      are 0), returned per lead in LEADS order.
 */
import * as tf from '@tensorflow/tfjs';
import { LEADS } from '../../core/ecg.js';
import { concatFloat32 } from '../../core/typed-arrays.js';
import type { LeadCrop } from '../../page/lead-crop.js';
import { assembleLeads, type SeriesGroup } from './assemble-leads.js';
import { rowsToMillivolts, softArgmaxRows } from '../digitizer.js';
import { outputOf } from '../forward.js';
import { cropRequest, type CropRequest } from '../hierarchical.js';
import { readValues } from '../read.js';

/** The digitization path after the lead boxes: denoiser (digitizer.denoise; null without one), digitizer. */
export interface DigitizerParts {
  readonly denoiser: tf.LayersModel | null;
  readonly digitizer: tf.LayersModel;
}

/** Indices of crops grouped by width, in first-seen order: one tensor per width. */
export function widthGroups(crops: readonly Pick<LeadCrop, 'columns'>[]): number[][] {
  const groups = new Map<number, number[]>();
  crops.forEach((c, i) => groups.set(c.columns, [...(groups.get(c.columns) ?? []), i]));
  return [...groups.values()];
}

/** The digitizer's row per column of every crop (inference mode); crop i's pixels (`height` x its columns) are `pixels(i)`. */
export async function cropRows(parts: DigitizerParts, crops: readonly Pick<LeadCrop, 'columns'>[], pixels: (i: number) => Float32Array, height: number): Promise<Float32Array[]> {
  const rows: Float32Array[] = new Array(crops.length);
  for (const group of widthGroups(crops)) {
    const columns = (crops[group[0] as number] as Pick<LeadCrop, 'columns'>).columns;
    const data = await readValues(
      tf.tidy(() => {
        const x = tf.tensor4d(concatFloat32(group.map(pixels)), [group.length, height, columns, 1]);
        const input = parts.denoiser ? outputOf(parts.denoiser, x, { training: false }) : x;
        return softArgmaxRows(outputOf(parts.digitizer, input, { training: false }));
      }),
    );
    group.forEach((cropIndex, k) => (rows[cropIndex] = data.slice(k * columns, (k + 1) * columns)));
  }
  return rows;
}

/** Rows to mV per crop (0 mV at `zeroRows[i]`), placed on the record's grid: 12 leads of `length` samples at `fsHz`. */
export async function rowsToLeads(crops: readonly Omit<LeadCrop, 'targetRows' | 'targetMask'>[], rows: readonly Float32Array[], zeroRows: readonly number[], fsHz: number, length: number): Promise<Float32Array[]> {
  const leads = tf.tidy(() => {
    const series: SeriesGroup[] = widthGroups(crops).map((group) => {
      const placements = group.map((i) => cropRequest(crops[i] as Omit<LeadCrop, 'targetRows' | 'targetMask'>, 0));
      const columns = (placements[0] as CropRequest).columns;
      const groupRows = tf.tensor2d(concatFloat32(group.map((i) => rows[i] as Float32Array)), [group.length, columns]);
      const mv = rowsToMillivolts(groupRows, tf.tensor1d(group.map((i) => zeroRows[i] as number)), tf.tensor1d(placements.map((c) => c.pxPerMv)));
      return { series: mv, placements };
    });
    return assembleLeads(series, { examples: 1, leads: LEADS.length, fsHz, length });
  });
  const data = await readValues(leads);
  return LEADS.map((_, lead) => Float32Array.from({ length }, (_, k) => data[k * LEADS.length + lead] as number));
}
