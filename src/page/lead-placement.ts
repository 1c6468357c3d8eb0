/**
 * Where each lead sits on a page, as crops are cut: a NormalBox, the time
 * span it shows and the page row of 0 mV. Placements come from the layout
 * (nominalPlacements: the undistorted page, digitizer.roi = false) or from
 * the ROI model's boxes (roiPlacements); the roi stage writes a page's as
 * PagePlacements (boxes.json), inference computes them from the image.
 *
 * The vertical scale is the page's (render.gainMmPerMv at render.dpi, what
 * the calibration pulse shows), converted to crop rows by crop-geometry.ts.
 */
import { rectificationOf, rotationRectification, type Pencils, type Rectification } from './perspective.js';
import { normalisePixelBox, type NormalBox } from './box.js';
import type { ImageSize } from './grey-image.js';
import { nominalLeadBoxes, type LayoutConfig } from './layout.js';
import type { RoiBox } from './roi-boxes.js';

export interface LeadPlacement {
  readonly leadIndex: number;
  readonly row: number;
  readonly col: number;
  readonly startS: number;
  readonly endS: number;
  readonly box: NormalBox;
  /** Page row (pixel centres) of 0 mV. */
  readonly baselineY: number;
}

/** One page's placements, as the roi stage writes them into boxes.json. */
export interface PagePlacements {
  readonly record: string;
  readonly width: number;
  readonly height: number;
  readonly pxPerMv: number;
  /** The page's estimated rotation at its centre (deskew.ts, perspective.ts): 0 without digitizer.deskew. */
  readonly deskewDeg: number;
  /** The rectification boxes and baselines are on (perspective.ts); absent: the page turned back by deskewDeg alone (digitizer.rectify 'rotation', and boxes written before that setting). */
  readonly rectification?: Pencils;
  readonly leads: readonly LeadPlacement[];
}

/** The rectification a page's placements are on (PagePlacements.rectification, else its rotation alone). */
export function placementsRectification(page: Pick<PagePlacements, 'width' | 'height' | 'deskewDeg' | 'rectification'>): Rectification {
  return page.rectification ? rectificationOf(page.rectification, page.width, page.height) : rotationRectification(page.deskewDeg ?? 0, page.width, page.height);
}

/**
 * Fraction of a panel's row band the ROI model is trained to mark: the
 * central part, so that neighbouring rows (whose bands touch) stay apart in
 * the heatmap and heatmapToBoxes finds one band per row. Predicted bands are
 * widened back by 1 / ROI_BAND_FRACTION about their centre.
 */
export const ROI_BAND_FRACTION = 0.6;

/** The layout's nominal crops on a page of `size` pixels (layout.ts nominalLeadBoxes), with the baseline of each panel. */
export function nominalPlacements(config: LayoutConfig, size: ImageSize): LeadPlacement[] {
  return nominalLeadBoxes(config, size).map((b) => ({
    leadIndex: b.leadIndex,
    row: b.row,
    col: b.col,
    startS: b.startS,
    endS: b.endS,
    box: normalisePixelBox(b.box, size.width, size.height),
    baselineY: b.baselineY,
  }));
}

/**
 * digitizer.roi = true: the ROI heatmap's boxes (heatmapToBoxes, [0, 1]
 * pixel-edge coordinates, row-major layout order) as placements on a page
 * of `size` pixels, without ground truth (the stages and inference share
 * it). Each predicted band is widened back by 1 / ROI_BAND_FRACTION about
 * its centre. The baseline is not predicted: the layout puts it at a fixed
 * fraction of its row band (layout.ts, 0.6 from the top), so it is
 * taken at that fraction of the predicted band. The ROI's band follows the
 * page's shift, zoom and (on average over the row) rotation; the remaining
 * error of a few tenths of a mV is within what the challenge's SNR
 * alignment removes (a vertical offset up to 1 mV). A heatmap row r,
 * column c is the layout panel in row r, column c (3x4: the rhythm strip is
 * row 3, column 0); leads the heatmap misses keep their nominal placement.
 */
export function roiPlacements(nominal: readonly LeadPlacement[], predicted: readonly RoiBox[], size: ImageSize): LeadPlacement[] {
  return nominal.map((lead) => {
    const hit = predicted.find((b) => b.row === lead.row && b.column === lead.col);
    if (!hit) return lead;
    const centre = (hit.box.y1 + hit.box.y2) / 2;
    const half = (hit.box.y2 - hit.box.y1) / 2 / ROI_BAND_FRACTION;
    const nominalTop = lead.box.y1 * (size.height - 1);
    const nominalBottom = lead.box.y2 * (size.height - 1);
    const fraction = (lead.baselineY - nominalTop) / Math.max(1, nominalBottom - nominalTop);
    const topPx = (centre - half) * size.height - 0.5;
    const bottomPx = (centre + half) * size.height - 0.5;
    const box = normalisePixelBox([hit.box.x1 * size.width - 0.5, topPx, hit.box.x2 * size.width - 0.5, bottomPx], size.width, size.height);
    return { ...lead, box, baselineY: topPx + fraction * (bottomPx - topPx) };
  });
}

/**
 * Placements with each row's time axis refitted at a known horizontal
 * scale (px per second of the page: paper speed x px/mm): within a row,
 * x(t) = x0 + t * pxPerS for every panel, x0 the least-squares fit to the
 * row's box edges (each panel's start and end). The ROI model's box edges
 * place a row; its box widths are noisier than the page's scale, and on a
 * foreign look its row start can sit a pulse foot off (bench/RESULTS.md,
 * "Where the SNR goes on ecg-image-kit's pages"). Rows, bands and baselines
 * are kept.
 */
export function refitTimeAxis(placements: readonly LeadPlacement[], size: ImageSize, pxPerS: number): LeadPlacement[] {
  if (!(pxPerS > 0)) throw new RangeError(`refitTimeAxis: pxPerS must be > 0, got ${pxPerS}`);
  const offsets = new Map<number, number[]>();
  for (const lead of placements) {
    const row = offsets.get(lead.row) ?? [];
    row.push(lead.box.x1 * (size.width - 1) - lead.startS * pxPerS, lead.box.x2 * (size.width - 1) - lead.endS * pxPerS);
    offsets.set(lead.row, row);
  }
  return placements.map((lead) => {
    const row = offsets.get(lead.row) as number[];
    const x0 = row.reduce((sum, v) => sum + v, 0) / row.length;
    return { ...lead, box: { ...lead.box, x1: (x0 + lead.startS * pxPerS) / (size.width - 1), x2: (x0 + lead.endS * pxPerS) / (size.width - 1) } };
  });
}

/**
 * The page's px per second from the placements' own box edges: one scale
 * for the page and an offset per row, least squares over every panel's
 * start and end (x = x0_row + t pxPerS). What a page without a grid says of
 * its scale through the ROI model: the page's nominal scale assumes the
 * cell's paper and DPI, which a page drawn or photographed otherwise does not
 * have. undefined when the edges do not pin a scale (no panel spans time).
 */
export function boxesPxPerS(placements: readonly LeadPlacement[], size: ImageSize): number | undefined {
  const rows = new Map<number, { t: number; x: number }[]>();
  for (const lead of placements) {
    const edges = rows.get(lead.row) ?? [];
    edges.push({ t: lead.startS, x: lead.box.x1 * (size.width - 1) }, { t: lead.endS, x: lead.box.x2 * (size.width - 1) });
    rows.set(lead.row, edges);
  }
  let covariance = 0;
  let variance = 0;
  for (const edges of rows.values()) {
    const meanT = edges.reduce((sum, e) => sum + e.t, 0) / edges.length;
    const meanX = edges.reduce((sum, e) => sum + e.x, 0) / edges.length;
    for (const e of edges) {
      covariance += (e.t - meanT) * (e.x - meanX);
      variance += (e.t - meanT) ** 2;
    }
  }
  const pxPerS = covariance / variance;
  return variance > 0 && pxPerS > 0 ? pxPerS : undefined;
}

/** A trace row's line and its candidate starts (t = 0) on the page, px: page/geometry row-starts.ts RowStart. */
export interface RowStartCandidates {
  readonly y: number;
  readonly startsX: readonly number[];
  /** The row's own px per second where the image measured one (its column bars); else the page's. */
  readonly pxPerS?: number;
  /** A start from the page's column bars: kept up to maxBarShiftPx from the boxes' (see placeOnRowStarts). */
  readonly fromBars?: boolean;
}

/**
 * Placements with each row's time axis from the image: within a row,
 * x(t) = x0 + t * pxPerS for every panel (the found row's own px per
 * second where it has one), the row being the found row whose
 * line lies nearest the placements' 0 mV row (within half the found rows'
 * spacing), x0 its candidate start nearest where the ROI boxes start the row
 * (its earliest panel's x1 less startS * pxPerS: the first column's edge,
 * which the later columns' drift does not move). Rows with no found row
 * near them, or whose nearest candidate lies more than `maxShiftPx` from
 * the boxes' start and does not come from column bars (a start read off
 * something else: a photo's desk edge, a row the image geometry split or
 * merged; bars marked at 2.5 s steps are the page's own axis, and on ecg-image-kit's
 * augmented pages they are right where the boxes are over 3 mm off, bench
 * RESULTS of issue 18), or that comes from bars more than `maxBarShiftPx`
 * from it (on a page without a grid, QRS strokes can pass for bars and
 * mark an axis a beat or a panel away), are refitted from their boxes
 * (refitTimeAxis) and named in `unmatchedRows`. Bands and baselines are
 * kept.
 */
export function placeOnRowStarts(
  placements: readonly LeadPlacement[],
  size: ImageSize,
  rows: readonly RowStartCandidates[],
  rowSpacingPx: number,
  pxPerS: number,
  maxShiftPx: number,
  maxBarShiftPx = Infinity,
): { placements: LeadPlacement[]; unmatchedRows: number[] } {
  const refitted = refitTimeAxis(placements, size, pxPerS);
  const axes = new Map<number, { x0: number; pxPerS: number }>();
  const unmatchedRows: number[] = [];
  for (const row of [...new Set(placements.map((p) => p.row))]) {
    const leads = placements.filter((p) => p.row === row);
    const lineY = leads.reduce((sum, p) => sum + p.baselineY, 0) / leads.length;
    const found = rows.reduce<RowStartCandidates | null>((best, r) => (!best || Math.abs(r.y - lineY) < Math.abs(best.y - lineY) ? r : best), null);
    if (!found || !(Math.abs(found.y - lineY) <= rowSpacingPx / 2) || found.startsX.length === 0) {
      unmatchedRows.push(row);
      continue;
    }
    const rowPxPerS = found.pxPerS ?? pxPerS;
    const first = leads.reduce((a, b) => (b.startS < a.startS ? b : a));
    const boxStart = first.box.x1 * (size.width - 1) - first.startS * rowPxPerS;
    const start = found.startsX.reduce((a, b) => (Math.abs(b - boxStart) < Math.abs(a - boxStart) ? b : a));
    if (Math.abs(start - boxStart) > (found.fromBars ? maxBarShiftPx : maxShiftPx)) unmatchedRows.push(row);
    else axes.set(row, { x0: start, pxPerS: rowPxPerS });
  }
  return {
    placements: refitted.map((lead) => {
      const axis = axes.get(lead.row);
      if (axis === undefined) return lead;
      return { ...lead, box: { ...lead.box, x1: (axis.x0 + lead.startS * axis.pxPerS) / (size.width - 1), x2: (axis.x0 + lead.endS * axis.pxPerS) / (size.width - 1) } };
    }),
    unmatchedRows,
  };
}

/**
 * Placements moved onto trace rows found in the image: the placements' row
 * r (in page order) onto `lines[r]`, its 0 mV line, with the band about it
 * of the found rows' spacing, cut where the placement's own band puts its
 * baseline (the layout's fraction, as roiPlacements keeps it). Time spans
 * are kept. null when the image's rows are not the placements' in number.
 */
export function placeOnRowLines(placements: readonly LeadPlacement[], size: ImageSize, lines: readonly number[], rowSpacingPx: number): LeadPlacement[] | null {
  const rows = [...new Set(placements.map((p) => p.row))].sort((a, b) => a - b);
  if (rows.length !== lines.length || !(rowSpacingPx > 0)) return null;
  const ordered = [...lines].sort((a, b) => a - b);
  return placements.map((lead) => {
    const y = ordered[rows.indexOf(lead.row)] as number;
    const top = lead.box.y1 * (size.height - 1);
    const bottom = lead.box.y2 * (size.height - 1);
    const fraction = (lead.baselineY - top) / Math.max(1, bottom - top);
    const y1 = y - fraction * rowSpacingPx;
    return { ...lead, box: { ...lead.box, y1: y1 / (size.height - 1), y2: (y1 + rowSpacingPx) / (size.height - 1) }, baselineY: y };
  });
}
