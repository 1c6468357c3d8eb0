/**
 * A rendered page's ground truth as the stages use it: the lead placements
 * the roi stage writes (nominal or from the ROI heatmap), the ROI model's
 * target boxes, the training crops with the trace's row per column, and the
 * ground truth of the page turned back by deskew. Placements, crops and the
 * deskew of images are page/'s; this file adds what needs ground truth.
 */
import type { LeadGroundTruth, PageGroundTruth } from '../../render/ground-truth.js';
import { normalisePixelBox, type NormalBox, type PixelBox, type Point } from '../../page/box.js';
import { columnTargets } from '../../page/crop-geometry.js';
import { deskewPoint } from '../../page/deskew.js';
import { cropGeometryOf, placedCrops, type LeadCrop } from '../../page/lead-crop.js';
import { ROI_BAND_FRACTION, roiPlacements, type LeadPlacement, type PagePlacements } from '../../page/lead-placement.js';
import type { RoiBox } from '../../page/roi-boxes.js';

function placement(lead: LeadGroundTruth, box: NormalBox, baselineY: number): LeadPlacement {
  return { leadIndex: lead.leadIndex, row: lead.row, col: lead.col, startS: lead.startS, endS: lead.endS, box, baselineY };
}

/** digitizer.roi = false: the nominal layout's crops and baselines as the ground truth records them (what an undistorted page would have). */
export function nominalPagePlacements(gt: PageGroundTruth): PagePlacements {
  return {
    record: gt.record,
    width: gt.width,
    height: gt.height,
    pxPerMv: gt.pxPerMv,
    deskewDeg: 0,
    leads: gt.leads.map((lead) => placement(lead, normalisePixelBox(lead.nominalBox, gt.width, gt.height), lead.nominalBaselineY)),
  };
}

/** The ROI model's target boxes: the central ROI_BAND_FRACTION of each panel's (distorted) band, normalised to [0, 1] edges. */
export function roiTargetBoxes(gt: PageGroundTruth): NormalBox[] {
  return gt.leads.map((lead) => {
    const [x0, y0, x1, y1] = lead.panelBox;
    const margin = ((1 - ROI_BAND_FRACTION) / 2) * (y1 - y0);
    return { x1: (x0 + 0.5) / gt.width, x2: (x1 + 0.5) / gt.width, y1: (y0 + margin + 0.5) / gt.height, y2: (y1 - margin + 0.5) / gt.height };
  });
}

/** roiPlacements on a rendered page (its nominal boxes from the ground truth). */
export function roiPagePlacements(gt: PageGroundTruth, predicted: readonly RoiBox[]): PagePlacements {
  const nominal = nominalPagePlacements(gt);
  return { ...nominal, leads: roiPlacements(nominal.leads, predicted, gt) };
}

function finite(values: readonly (number | null)[]): Float32Array {
  return Float32Array.from(values, (v) => (v === null || !Number.isFinite(v) ? Number.NaN : v));
}

/** placedCrops of a rendered page's placements with the trace's row per column (columnTargets) as training targets. */
export function trainingCrops(
  page: PagePlacements,
  gt: PageGroundTruth,
  cropHeight: number,
  columnsFor: (durationS: number) => number,
  columnsPerS?: number,
): LeadCrop[] {
  return placedCrops(page.leads, page, page.pxPerMv, cropHeight, columnsFor, columnsPerS).map((crop, i) => {
    const truth = gt.leads[i] as LeadGroundTruth;
    const targets = columnTargets(cropGeometryOf(crop.box, page, cropHeight, crop.columns), finite(truth.x), finite(truth.y));
    return { ...crop, targetRows: targets.rows, targetMask: targets.mask };
  });
}

function boundingBox(points: readonly Point[]): PixelBox {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function corners(box: PixelBox): Point[] {
  const [x0, y0, x1, y1] = box;
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

/**
 * The ground truth of the deskewed page: every lead's trace positions,
 * panel quad and boxes mapped by deskewPoint (a box becomes the bounding
 * box of its mapped corners; the panel box that of the mapped panel quad).
 * Nominal positions (the undistorted page) are unchanged.
 */
export function deskewGroundTruth(gt: PageGroundTruth, deg: number): PageGroundTruth {
  if (deg === 0) return gt;
  const map = (p: Point) => deskewPoint(p[0], p[1], deg, gt.width, gt.height);
  const leads = gt.leads.map((lead): LeadGroundTruth => {
    const points = lead.x.map((x, i) => {
      const y = lead.y[i];
      return Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y) ? map([x, y]) : null;
    });
    const panelQuad = lead.panelQuad.map(map);
    return {
      ...lead,
      x: points.map((p, i) => (p ? p[0] : (lead.x[i] as number))),
      y: points.map((p, i) => (p ? p[1] : (lead.y[i] as number))),
      box: boundingBox(corners(lead.box).map(map)),
      panelQuad,
      panelBox: boundingBox(panelQuad),
    };
  });
  return { ...gt, leads };
}
