/**
 * A rendered page's ground truth as the stages use it: the lead placements
 * the roi stage writes (nominal or from the ROI heatmap), the ROI model's
 * target boxes, the training crops with the trace's row per column, and the
 * ground truth of the rectified page. Placements, crops and the
 * rectification of images are page/'s; this file adds what needs ground truth.
 * A page's layout (PageLayout: its ground truth without the traces, a few
 * kB) is what a stage keeps for every page; the traces (every plotted
 * sample's pixel and value, most of the ground truth's size) are read
 * per page when crops are cut or signals scored (stage-inputs.ts).
 */
import type { LeadGroundTruth, PageGroundTruth } from '../../render/ground-truth.js';
import { normalisePixelBox, type NormalBox, type PixelBox, type Point } from '../../page/box.js';
import { columnTargets } from '../../page/crop-geometry.js';
import { isIdentity, toRectified, type Rectification } from '../../page/perspective.js';
import { cropGeometryOf, placedCrops, type LeadCrop } from '../../page/lead-crop.js';
import { ROI_BAND_FRACTION, roiPlacements, type LeadPlacement, type PagePlacements } from '../../page/lead-placement.js';
import type { RoiBox } from '../../page/roi-boxes.js';

/** A lead's ground truth without its traces (x, y, mv: one entry per plotted sample). */
export type LeadLayout = Omit<LeadGroundTruth, 'x' | 'y' | 'mv'>;

/**
 * A page's ground truth as every stage keeps it for every page: the geometry
 * (size, scales, transform, lead boxes) and of the render options only the
 * layout; not the traces, the header, the photometric draw or the options
 * (read again with the whole ground truth when wanted: stage-inputs.ts
 * withTruth). A stage holds one per page, so its size is what grows with the
 * data set: about half of what the whole ground truth without traces took.
 */
export interface PageLayout extends Omit<PageGroundTruth, 'leads' | 'render' | 'photometric' | 'header' | 'calibration' | 'files' | 'variety'> {
  readonly render: Pick<PageGroundTruth['render'], 'layout'>;
  readonly leads: readonly LeadLayout[];
}

export function layoutOf(gt: PageGroundTruth): PageLayout {
  const { render, photometric: _p, header: _h, calibration: _c, files: _f, variety: _v, ...rest } = gt;
  return { ...rest, render: { layout: render.layout }, leads: gt.leads.map(({ x: _x, y: _y, mv: _mv, ...lead }) => lead) };
}

/** Whether a page's ground truth still has its traces (read whole, not as a layout). */
export function hasTraces(gt: PageLayout): gt is PageGroundTruth {
  return gt.leads.every((lead) => 'x' in lead && 'y' in lead && 'mv' in lead);
}

function placement(lead: LeadLayout, box: NormalBox, baselineY: number): LeadPlacement {
  return { leadIndex: lead.leadIndex, row: lead.row, col: lead.col, startS: lead.startS, endS: lead.endS, box, baselineY };
}

/** digitizer.roi = false: the nominal layout's crops and baselines as the ground truth records them (what an undistorted page would have). */
export function nominalPagePlacements(gt: PageLayout): PagePlacements {
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
export function roiTargetBoxes(gt: PageLayout): NormalBox[] {
  return gt.leads.map((lead) => {
    const [x0, y0, x1, y1] = lead.panelBox;
    const margin = ((1 - ROI_BAND_FRACTION) / 2) * (y1 - y0);
    return { x1: (x0 + 0.5) / gt.width, x2: (x1 + 0.5) / gt.width, y1: (y0 + margin + 0.5) / gt.height, y2: (y1 - margin + 0.5) / gt.height };
  });
}

/** roiPlacements on a rendered page (its nominal boxes from the ground truth). */
export function roiPagePlacements(gt: PageLayout, predicted: readonly RoiBox[]): PagePlacements {
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
 * The ground truth of the rectified page: every lead's panel quad and boxes
 * mapped by the rectification (a box becomes the bounding box of its mapped
 * corners; the panel box that of the mapped panel quad), and its trace
 * positions when `gt` has them (a PageGroundTruth, not a PageLayout).
 * Nominal positions (the undistorted page) are unchanged.
 */
export function rectifyGroundTruth<G extends PageLayout>(gt: G, rectification: Rectification): G {
  if (isIdentity(rectification)) return gt;
  const map = (p: Point) => toRectified(rectification, p[0], p[1]);
  const leads = gt.leads.map((lead): LeadLayout => {
    const panelQuad = lead.panelQuad.map(map);
    const boxes = { box: boundingBox(corners(lead.box).map(map)), panelQuad, panelBox: boundingBox(panelQuad) };
    if (!('x' in lead && 'y' in lead)) return { ...lead, ...boxes };
    const traced = lead as LeadGroundTruth;
    const points = traced.x.map((x, i) => {
      const y = traced.y[i];
      return Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y) ? map([x, y]) : null;
    });
    return {
      ...traced,
      x: points.map((p, i) => (p ? p[0] : (traced.x[i] as number))),
      y: points.map((p, i) => (p ? p[1] : (traced.y[i] as number))),
      ...boxes,
    } as LeadGroundTruth;
  });
  return { ...gt, leads } as G;
}
