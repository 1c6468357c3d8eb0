/**
 * A lead placement as the crop the models read: its box cut so that the
 * crop's columns fall on a time grid, its width in columns, and its 0 mV
 * row and vertical scale in crop pixels (crop-geometry.ts); for training,
 * the trace's row per column as target. Plain data: the pixels are cut by
 * models/leads/crop-cut.ts (tf.image.cropAndResize).
 */
import type { NormalBox } from './box.js';
import { cropPxPerMv, pageYToCropRow, type CropGeometry } from './crop-geometry.js';
import type { ImageSize } from './grey-image.js';
import type { LeadPlacement } from './lead-placement.js';

export interface LeadCrop {
  /** Index of the lead (LEADS order). */
  readonly lead: number;
  /** Time of the crop's left edge, seconds from the record's start. */
  readonly startS: number;
  /** Time of the record the crop shows. */
  readonly durationS: number;
  readonly box: NormalBox;
  /** Crop width in pixels (a multiple of the digitizer's stride). */
  readonly columns: number;
  /** Seconds between columns, column 0 at startS (the box is cut so); absent: columns spread over the box (models/leads/columns-to-samples.ts). */
  readonly columnStepS?: number;
  /** Row of 0 mV and the vertical scale, in crop pixels. */
  readonly baselineRow: number;
  readonly pxPerMv: number;
  /** The trace's crop row per column (crop-geometry.ts columnTargets) and where it is known; zeros without ground truth. */
  readonly targetRows: Float32Array;
  readonly targetMask: Float32Array;
}

/**
 * The box whose `columns` crop columns (cropAndResize samples the box's
 * edges and evenly between) sit at startS + j / columnsPerS: the panel's box
 * with its right edge moved to the time of the last column. With
 * columnsPerS = the record's fs, every column reads the trace at a sample
 * time, where the rendered polyline has its vertices: reading between them
 * and interpolating back would cut every QRS peak (a [1/4, 1/2, 1/4]
 * smoothing at half a sample's offset, about 15 dB of SNR on its own).
 * The columns past the panel's end are not placed (columns-to-samples.ts
 * covers [startS, startS + durationS) only) and have no targets.
 */
export function sampleAlignedBox(box: NormalBox, durationS: number, columns: number, columnsPerS: number): NormalBox {
  const spanS = (columns - 1) / columnsPerS;
  return { ...box, x2: box.x1 + ((box.x2 - box.x1) * spanS) / durationS };
}

export function cropGeometryOf(box: NormalBox, size: ImageSize, cropHeight: number, columns: number): CropGeometry {
  return { box, pageHeight: size.height, pageWidth: size.width, cropHeight, cropWidth: columns };
}

/**
 * The crops of placements on a page of `size` pixels, without targets (the
 * ground-truth-free part the stages and inference share):
 * `columnsFor(durationS)` gives each crop's width (models' cropColumns). With
 * `columnsPerS`, boxes are cut so that columns fall on the time grid of that
 * rate (sampleAlignedBox); without, a crop's columns spread over its
 * panel's box. `pagePxPerMv` is the page's vertical scale in page pixels.
 */
export function placedCrops(
  placements: readonly LeadPlacement[],
  size: ImageSize,
  pagePxPerMv: number,
  cropHeight: number,
  columnsFor: (durationS: number) => number,
  columnsPerS?: number,
): LeadCrop[] {
  return placements.map((lead) => {
    const durationS = lead.endS - lead.startS;
    const columns = columnsFor(durationS);
    const box = columnsPerS === undefined ? lead.box : sampleAlignedBox(lead.box, durationS, columns, columnsPerS);
    const g = cropGeometryOf(box, size, cropHeight, columns);
    const step = columnsPerS === undefined ? {} : { columnStepS: 1 / columnsPerS };
    return {
      lead: lead.leadIndex,
      startS: lead.startS,
      durationS,
      box,
      columns,
      ...step,
      baselineRow: pageYToCropRow(g, lead.baselineY),
      pxPerMv: cropPxPerMv(g, pagePxPerMv),
      targetRows: new Float32Array(columns),
      targetMask: new Float32Array(columns),
    };
  });
}
