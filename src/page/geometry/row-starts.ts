/**
 * Where each trace row's time axis starts (t = 0) on the rectified page,
 * from the image (issue 18: the ROI model's box edges start ecg-image-kit's
 * rows up to 1 mm off, bench/RESULTS.md "Where the SNR goes"). In order of
 * trust:
 *
 *   separators     the short vertical bars both ecg-lab (render-page.ts
 *                  drawFurniture) and ecg-image-kit draw where one column's
 *                  leads hand over to the next, at t = 2.5, 5 and 7.5 s of
 *                  a 3x4 row. Every bar along the row (barCentres: its
 *                  ink's centroid, to a fraction of a pixel) proposes an
 *                  axis; the one that marks the most boundaries wins
 *                  (axisFromBars), and t = 0 is its bars' mean of centre
 *                  less t x px per second. At 100 DPI a pixel is a sample,
 *                  and a column read half a sample off cuts every QRS peak
 *                  (bench/RESULTS.md), so the start must be known to a
 *                  fraction of a pixel: the bars' centres are; the pulse's
 *                  strokes are not (ecg-image-kit draws its fall about
 *                  0.5 mm after its trace starts). Without a grid, the bars
 *                  (2.5 s apart on every page) give px per second too.
 *   page bars      a row without bars (the rhythm strip, a bar hidden by a
 *                  QRS): the median of the rows' starts from bars, one
 *                  page's rows starting at one x once the page is upright.
 *   pulse          no bars on the page, pulse on the left: the trace starts
 *                  where the pulse's falling stroke is (ecg-image-kit, and
 *                  ecg-lab's pulseAbuts look), or PULSE_FOOT_MM after it
 *                  (ecg-lab's default look, render-page.ts pulsePolylineMm).
 *                  Both are returned: the pulse alone does not tell them
 *                  apart (a trace that starts on 0 mV continues the foot),
 *                  so the caller picks one (lead-placement.ts
 *                  placeOnRowStarts); a row whose pulse was not found takes
 *                  the median of the found rows' falls.
 *   ink            no bars, pulse on the right or none: the row's ink
 *                  starts with its trace.
 */
import { upperMedian } from '../../core/median.js';
import type { GreyImage } from '../grey-image.js';
import type { DetectedRow, PageLayoutFound } from './layout-detect.js';
import type { TraceMask } from './trace-ink.js';

/** The length of ecg-lab's default foot after the pulse's fall, mm. */
export const PULSE_FOOT_MM = 1;
/** Half the band (mm) about the row's line a separator bar covers: ecg-lab's reach 1.5 to 5 mm (render.variety), ecg-image-kit's further. */
const BAR_HALF_MM = 1.4;
/** A bar covers this share of its band's rows in each of its columns; a QRS stroke slants out of it. */
const BAR_COVER = 0.9;
/** Widest bar (mm): ecg-lab's are 1.2 to 3 trace widths (trace-ink.ts clears the thickest as solid areas anyway), ecg-image-kit's about 0.8 mm. */
const BAR_MAX_WIDTH_MM = 1.2;
/** How far (mm) from where an axis puts a boundary a bar may lie and still mark it. */
const BAR_MATCH_MM = 0.75;
/** How far (relative) the bars' px per second may lie from the scale's when the scale is not the grid's (image width over a page width: 3 to 5 % off, bench/RESULTS.md). */
const SCALE_TOLERANCE = 0.08;

export interface RowStart {
  /** The row's 0 mV line: its pulse's foot, else its coverage peak (rectified px). */
  readonly y: number;
  /** Candidate x of t = 0, rectified px, in increasing order. */
  readonly startsX: readonly number[];
  /** The row's px per second from its bars, where the scale is not the grid's and bars were found on the page. */
  readonly pxPerS?: number;
  readonly source: 'separators' | 'page-separators' | 'pulse' | 'page-pulses' | 'ink';
  /** Whether the start comes from column bars (the page's own marks at known times), which outranks any box edge. */
  readonly fromBars: boolean;
}

export interface RowStartScale {
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
  /** Horizontal px per second: the paper speed x pxPerMmX. */
  readonly pxPerS: number;
  /** Whether the scale is the grid's (grid-period.ts found); if not, the bars measure px per second themselves. */
  readonly fromGrid: boolean;
}

/** t = 0 candidates from the pulse or the ink alone (see the header). */
function firstEstimates(layout: PageLayoutFound, pxPerMmX: number): RowStart[] {
  const foot = PULSE_FOOT_MM * pxPerMmX;
  const pageFall = upperMedian(layout.rows.flatMap((r) => (r.pulse ? [r.pulse.fallX] : [])));
  return layout.rows.map((row) => {
    const y = row.pulse?.footY ?? row.y;
    if (layout.pulseSide !== 'left') return { y, startsX: [row.x0], source: 'ink', fromBars: false };
    const fall = row.pulse?.fallX ?? pageFall;
    return { y, startsX: [fall, fall + foot], source: row.pulse ? 'pulse' : 'page-pulses', fromBars: false };
  });
}

/**
 * Centres x of the separator bars on the line y within [from, to]: runs of
 * columns whose trace pixels cover BAR_COVER of the band about the line, at
 * most BAR_MAX_WIDTH_MM wide; each centre is the ink's darkness-weighted
 * centroid over its run and one column each side.
 */
function barCentres(mask: TraceMask, ink: GreyImage, y: number, from: number, to: number, scale: RowStartScale): number[] {
  const half = Math.max(2, Math.round(BAR_HALF_MM * scale.pxPerMmY));
  const y0 = Math.round(y) - half;
  const y1 = Math.round(y) + half;
  if (y0 < 0 || y1 >= mask.height) return [];
  const covered = (x: number) => {
    let n = 0;
    for (let r = y0; r <= y1; r++) n += mask.data[r * mask.width + x] ? 1 : 0;
    return n >= BAR_COVER * (y1 - y0 + 1);
  };
  const centres: number[] = [];
  const last = Math.min(mask.width - 2, Math.round(to));
  for (let x = Math.max(1, Math.round(from)); x <= last; x++) {
    if (!covered(x)) continue;
    let end = x;
    while (end + 1 <= last && covered(end + 1)) end++;
    if (end - x + 1 <= BAR_MAX_WIDTH_MM * scale.pxPerMmX) {
      let weight = 0;
      let moment = 0;
      for (let c = x - 1; c <= end + 1; c++) {
        for (let r = y0; r <= y1; r++) {
          const dark = 1 - (ink.data[r * ink.width + c] as number);
          weight += dark;
          moment += dark * c;
        }
      }
      if (weight > 0) centres.push(moment / weight);
    }
    x = end;
  }
  return centres;
}

interface RowAxis {
  readonly x0: number;
  readonly pxPerS: number;
}

/** The boundaries (s) each matched by a bar within BAR_MATCH_MM of x0 + t x pxPerS, with that bar. */
function matches(bars: readonly number[], boundariesS: readonly number[], axis: RowAxis, tolerancePx: number): { t: number; x: number }[] {
  return boundariesS.flatMap((t) => {
    const expected = axis.x0 + t * axis.pxPerS;
    const near = bars.filter((b) => Math.abs(b - expected) <= tolerancePx);
    return near.length === 0 ? [] : [{ t, x: near.reduce((a, b) => (Math.abs(b - expected) < Math.abs(a - expected) ? b : a)) }];
  });
}

/**
 * A row's axis from its bars: every bar taken as each boundary (at the
 * scale's px per second) and, where the scale is not the grid's, every
 * pair of bars as every pair of boundaries (px per second within
 * SCALE_TOLERANCE of the scale's) proposes an axis; the one matching most
 * boundaries (at least two, or the row's only one), then nearest
 * `estimateX`, wins, refitted to its bars by least squares (x0 alone on
 * the grid's scale, x0 and px per second otherwise). null when none
 * qualifies.
 */
function axisFromBars(bars: readonly number[], boundariesS: readonly number[], estimateX: number, scale: RowStartScale): RowAxis | null {
  if (bars.length === 0 || boundariesS.length === 0) return null;
  const tolerance = BAR_MATCH_MM * scale.pxPerMmX;
  const proposals: RowAxis[] = [];
  for (const b of bars) for (const t of boundariesS) proposals.push({ x0: b - t * scale.pxPerS, pxPerS: scale.pxPerS });
  if (!scale.fromGrid) {
    for (let i = 0; i < bars.length; i++) {
      for (let j = i + 1; j < bars.length; j++) {
        for (let k = 0; k < boundariesS.length; k++) {
          for (let l = k + 1; l < boundariesS.length; l++) {
            const pxPerS = ((bars[j] as number) - (bars[i] as number)) / ((boundariesS[l] as number) - (boundariesS[k] as number));
            if (Math.abs(pxPerS / scale.pxPerS - 1) <= SCALE_TOLERANCE) proposals.push({ x0: (bars[i] as number) - (boundariesS[k] as number) * pxPerS, pxPerS });
          }
        }
      }
    }
  }
  // Without the grid a pair of bars sets the scale, so a QRS stroke taken for a bar could too: every boundary must be marked.
  const needed = scale.fromGrid ? Math.min(2, boundariesS.length) : boundariesS.length;
  let best: { axis: RowAxis; matched: { t: number; x: number }[] } | null = null;
  for (const axis of proposals) {
    const matched = matches(bars, boundariesS, axis, tolerance);
    if (matched.length < needed) continue;
    if (!best || matched.length > best.matched.length || (matched.length === best.matched.length && Math.abs(axis.x0 - estimateX) < Math.abs(best.axis.x0 - estimateX))) best = { axis, matched };
  }
  if (!best) return null;
  const m = best.matched;
  if (scale.fromGrid || m.length < 2) return { x0: m.reduce((sum, p) => sum + p.x - p.t * best.axis.pxPerS, 0) / m.length, pxPerS: best.axis.pxPerS };
  const meanT = m.reduce((sum, p) => sum + p.t, 0) / m.length;
  const meanX = m.reduce((sum, p) => sum + p.x, 0) / m.length;
  const pxPerS = m.reduce((sum, p) => sum + (p.t - meanT) * (p.x - meanX), 0) / m.reduce((sum, p) => sum + (p.t - meanT) ** 2, 0);
  return { x0: meanX - meanT * pxPerS, pxPerS };
}

/**
 * t = 0 candidates of every row of a detected layout (none when no rows
 * were found), on the rectified page whose trace mask and ink channel are
 * given (page-geometry.ts); rows placed by bars also carry the bars' px per
 * second when the scale is not the grid's.
 */
export function rowStarts(layout: PageLayoutFound, mask: TraceMask, ink: GreyImage, scale: RowStartScale): RowStart[] {
  const estimates = firstEstimates(layout, scale.pxPerMmX);
  const fromBars = layout.rows.map((row, i) => {
    const boundariesS = [...new Set(layout.panels.filter((p) => p.row === i && !p.rhythm && p.col > 0).map((p) => p.startS))].sort((a, b) => a - b);
    const estimate = estimates[i] as RowStart;
    const estimateX = estimate.startsX.reduce((sum, x) => sum + x, 0) / estimate.startsX.length;
    return axisFromBars(barCentres(mask, ink, estimate.y, row.x0, row.x1, scale), boundariesS, estimateX, scale);
  });
  const found = fromBars.filter((axis): axis is RowAxis => axis !== null);
  if (found.length === 0) return estimates;
  const page: RowAxis = { x0: upperMedian(found.map((a) => a.x0)), pxPerS: upperMedian(found.map((a) => a.pxPerS)) };
  return estimates.map((estimate, i) => {
    const axis = fromBars[i] ?? null;
    const chosen = axis ?? page;
    return { y: estimate.y, startsX: [chosen.x0], ...(scale.fromGrid ? {} : { pxPerS: chosen.pxPerS }), source: axis ? 'separators' : 'page-separators', fromBars: true };
  });
}
