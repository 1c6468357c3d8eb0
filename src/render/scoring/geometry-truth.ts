/**
 * How far the geometry found from a page image (page/geometry/) is from the
 * page's ground truth: the errors issue 18 asks each step to report
 * (render/scoring/: scores of what is read from a page against what the
 * renderer knows it drew).
 *
 *   angle      found angle minus the page's: the mean direction of the page's
 *              x axis in the image, over a 5 x 5 grid of page points, through
 *              the homography (rotation plus the perspective's share; the
 *              wrinkle field is left out, it averages to nothing).
 *   px per mm  found over true, minus 1, per axis: the true scale is the page's
 *              px per mm times the homography's mean local stretch along the
 *              page's x (y) axis over the same points.
 *   rectify    how far the rectified page is from an axis-aligned scaling of
 *              the page, px: a 9 x 7 grid of page points through the
 *              homography and the found rectification, each axis fitted by
 *              scale and offset (least squares), the RMS of what is left per
 *              axis (y: rows that tilt or bend; x: a time axis that drifts).
 *   layout     the found layout against render.layout (3x4 with a rhythm
 *              strip is 3x4+1).
 *   box IoU    per lead (matched by lead and rhythm strip), the found panel
 *              mapped back to the image (its corners' bounding box) against
 *              the ground truth's panelBox; the found trace box against the
 *              tight box of the drawn trace (box). 0 for a lead not found.
 *   baseline   per lead, the mean over its shown samples of
 *              (found 0 mV row - true 0 mV row) / (true px per mV), in mV, on
 *              the rectified page: the true 0 mV row at a sample is its drawn
 *              point mapped to the rectified page plus mv x 10 mm/mV x the true
 *              y scale.
 *   gain       found px per mV over 10 mm/mV x true y scale, minus 1.
 */
import type { PixelBox, Point } from '../../page/box.js';
import type { DetectedLayout, PageGeometry } from '../../page/geometry/index.js';
import { applyHomography, type Matrix3 } from '../geometry.js';
import type { PageGroundTruth } from '../ground-truth.js';

export interface TrueScale {
  readonly angleDeg: number;
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
}

export interface LeadErrors {
  readonly lead: string;
  readonly rhythm: boolean;
  readonly boxIou: number;
  readonly traceBoxIou: number;
  /** NaN when the lead was not found or shows no sample. */
  readonly baselineMv: number;
  readonly baselineSource: string;
  readonly gainRelative: number;
}

export interface GeometryErrors {
  readonly gridFound: boolean;
  readonly hasGrid: boolean;
  readonly angleDeg: number;
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
  readonly rectifyPx: RectifyResidual;
  readonly layoutTrue: DetectedLayout;
  readonly layoutFound: DetectedLayout | null;
  readonly leads: readonly LeadErrors[];
}

const MM_PER_MV = 10;

/** The page's angle and mean px per mm per axis in the image, from the ground truth's homography. */
export function trueScaleOf(gt: PageGroundTruth): TrueScale {
  const h: Matrix3 = gt.transform.homography;
  let angle = 0;
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let a = 1; a <= 5; a++) {
    for (let b = 1; b <= 5; b++) {
      const x = (gt.width * a) / 6;
      const y = (gt.height * b) / 6;
      const [l0, l1] = [applyHomography(h, x - 1, y), applyHomography(h, x + 1, y)];
      const [u0, u1] = [applyHomography(h, x, y - 1), applyHomography(h, x, y + 1)];
      angle += Math.atan2(l1[1] - l0[1], l1[0] - l0[0]);
      sx += Math.hypot(l1[0] - l0[0], l1[1] - l0[1]) / 2;
      sy += Math.hypot(u1[0] - u0[0], u1[1] - u0[1]) / 2;
      n++;
    }
  }
  return { angleDeg: (angle / n) * (180 / Math.PI), pxPerMmX: (gt.pxPerMm * sx) / n, pxPerMmY: (gt.pxPerMm * sy) / n };
}

export interface RectifyResidual {
  readonly x: number;
  readonly y: number;
}

/** The rectify error of the header: RMS px per axis left after a per-axis scale and offset fit of the rectified page to the page. */
export function rectifyResidualPx(gt: PageGroundTruth, toRectified: (x: number, y: number) => Point): RectifyResidual {
  const page: Point[] = [];
  const rectified: Point[] = [];
  for (let i = 0; i <= 8; i++) {
    for (let j = 0; j <= 6; j++) {
      const p: Point = [(i / 8) * (gt.width - 1), (j / 6) * (gt.height - 1)];
      const [qx, qy] = applyHomography(gt.transform.homography, p[0], p[1]);
      page.push(p);
      rectified.push(toRectified(qx, qy));
    }
  }
  const rmsAfterFit = (axis: 0 | 1) => {
    const xs = page.map((p) => p[axis]);
    const ys = rectified.map((p) => p[axis]);
    const n = xs.length;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
      sxx += ((xs[i] as number) - mx) ** 2;
    }
    const slope = sxy / sxx;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += ((ys[i] as number) - my - slope * ((xs[i] as number) - mx)) ** 2;
    return Math.sqrt(sum / n);
  };
  return { x: rmsAfterFit(0), y: rmsAfterFit(1) };
}

export function trueLayoutOf(gt: PageGroundTruth): DetectedLayout {
  const { layout, rhythmLead } = gt.render;
  if (layout === '3x4') return rhythmLead === 'none' ? '3x4' : '3x4+1';
  return layout;
}

/** Intersection over union of two boxes [x0, y0, x1, y1]. */
export function boxIou(a: PixelBox, b: PixelBox): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** The bounding box, in the image, of a rectified-page box. */
export function boxInImage(box: PixelBox, toImage: (x: number, y: number) => Point): PixelBox {
  const corners = [toImage(box[0], box[1]), toImage(box[2], box[1]), toImage(box[2], box[3]), toImage(box[0], box[3])];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/**
 * Mean (found - true) 0 mV row over a lead's samples, in mV: `points` are the
 * drawn samples in the image with their mV, `toRectified` the found
 * rectification, `pxPerMv` the true scale.
 */
export function baselineErrorMv(
  foundY: number,
  points: readonly { readonly x: number; readonly y: number; readonly mv: number }[],
  toRectified: (x: number, y: number) => Point,
  pxPerMv: number,
): number {
  if (points.length === 0) return Number.NaN;
  let sum = 0;
  for (const p of points) {
    const [, yr] = toRectified(p.x, p.y);
    sum += (foundY - (yr + p.mv * pxPerMv)) / pxPerMv;
  }
  return sum / points.length;
}

/** Every step's error on one rendered page (see the header). */
export function geometryErrors(gt: PageGroundTruth, found: PageGeometry): GeometryErrors {
  const scale = trueScaleOf(gt);
  const truePxPerMv = MM_PER_MV * scale.pxPerMmY;
  const { toImage, toRectified } = found.rectified;
  const leads = gt.leads.map((lead): LeadErrors => {
    const match = found.leads.find((l) => l.lead === lead.lead && l.rhythm === lead.rhythm);
    if (!match) return { lead: lead.lead, rhythm: lead.rhythm, boxIou: 0, traceBoxIou: 0, baselineMv: Number.NaN, baselineSource: 'none', gainRelative: Number.NaN };
    const points = lead.mv.flatMap((mv, i) => (mv === null ? [] : [{ x: lead.x[i] as number, y: lead.y[i] as number, mv }]));
    return {
      lead: lead.lead,
      rhythm: lead.rhythm,
      boxIou: boxIou(boxInImage(match.box, toImage), lead.panelBox),
      traceBoxIou: boxIou(boxInImage(match.traceBox, toImage), lead.box),
      baselineMv: baselineErrorMv(match.baselineY, points, toRectified, truePxPerMv),
      baselineSource: match.baselineSource,
      gainRelative: match.pxPerMv / truePxPerMv - 1,
    };
  });
  return {
    gridFound: found.grid.found,
    hasGrid: (gt.variety?.gridStyle ?? gt.render.gridColour) !== 'none',
    angleDeg: found.grid.angleDeg - scale.angleDeg,
    pxPerMmX: found.grid.pxPerMmX / scale.pxPerMmX - 1,
    pxPerMmY: found.grid.pxPerMmY / scale.pxPerMmY - 1,
    rectifyPx: rectifyResidualPx(gt, toRectified),
    layoutTrue: trueLayoutOf(gt),
    layoutFound: found.layout.layout,
    leads,
  };
}
