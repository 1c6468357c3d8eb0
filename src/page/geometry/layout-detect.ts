/**
 * The layout of a rectified page read from its traces: which layout of
 * those ecg-lab draws it is, where each lead's panel is, and each row's
 * calibration pulse. The steps:
 *
 *   1. trace pixels (trace-ink.ts), trace rows and their equally spaced
 *      comb (trace-rows.ts): 3, 4, 6 or 12 rows;
 *   2. each row's calibration pulse at either end (calibration-pulse.ts);
 *      the page's trace span [xStart, xEnd] is the median over rows of
 *      the ink's extent less the pulse (ecg-lab: foot 1 mm, pulse 5 mm,
 *      foot 1 mm before the traces, or 1 mm after them);
 *   3. the layout from the row count: 3 rows 3x4, 4 rows 3x4 with one
 *      rhythm strip, 12 rows 12x1; 6 rows are 3x4 with three strips when
 *      the strips repeat the traces above them (repeatedLeadEvidence), else
 *      6x2;
 *   4. the panels: the layout's leads, rows and time spans (page/layout.ts
 *      layoutPage, so the leads sit where the renderer puts them), each a
 *      band [y - 0.6 s, y + 0.4 s] of the row spacing s around the row's
 *      0 mV line (its pulse's foot, else its coverage peak; ecg-lab puts
 *      0 mV at 0.6 of a row) over its time span's share of the trace span.
 */
import type { Lead } from '../../core/ecg.js';
import type { PixelBox } from '../box.js';
import { layoutPage } from '../layout.js';
import { findCalibrationPulse, type CalibrationPulse } from './calibration-pulse.js';
import type { TraceMask } from './trace-ink.js';
import { findTraceRows, selectRowComb, type TraceRow } from './trace-rows.js';
import { upperMedian } from '../../core/median.js';

/** The layouts told apart: ecg-lab's render.layout values, 3x4 split by whether it has one rhythm strip (ecg-image-kit's page) or none. */
export const DETECTED_LAYOUTS = ['3x4', '3x4+1', '3x4+3', '6x2', '12x1'] as const;
export type DetectedLayout = (typeof DETECTED_LAYOUTS)[number];

export interface DetectedRow {
  /** The row's line (coverage peak), rectified px. */
  readonly y: number;
  /** The row's ink extent (pulse included), rectified px. */
  readonly x0: number;
  readonly x1: number;
  readonly pulse: CalibrationPulse | null;
}

export interface DetectedPanel {
  readonly lead: Lead;
  readonly row: number;
  readonly col: number;
  readonly rhythm: boolean;
  readonly startS: number;
  readonly endS: number;
  /** The panel's band and time span on the rectified page. */
  readonly box: PixelBox;
}

export interface PageLayoutFound {
  /** null when fewer than 3 equally spaced trace rows were found. */
  readonly layout: DetectedLayout | null;
  readonly rows: readonly DetectedRow[];
  readonly rowSpacingPx: number;
  /** x of t = 0 and of the end of the shown time, rectified px. */
  readonly xStart: number;
  readonly xEnd: number;
  readonly pulseSide: 'left' | 'right' | null;
  readonly panels: readonly DetectedPanel[];
}

/** mm from the pulse's rising stroke to the traces' start (pulse left) and from the traces' end to it (pulse right): render-page.ts pulsePolylineMm. */
const RISE_TO_TRACE_MM = 6;
const TRACE_TO_RISE_MM = 2;
const BASELINE_FRACTION = 0.6;
/** Above this mean correlation of the repeated leads a 6-row page is 3x4+3 (repeatedLeadEvidence). */
const REPEATED_LEAD_MIN = 0.5;
/** Largest shift (mm) tried between the two rows of a repeated lead. */
const LAG_MM = 2;

/** Ink extent [x0, x1] of a row's band (+-0.3 spacing), bins of binPx bridging gaps of 2 bins. */
function rowExtent(mask: TraceMask, y: number, halfBand: number, binPx: number): [number, number] {
  const bins = Math.ceil(mask.width / binPx);
  const covered = new Uint8Array(bins);
  for (let r = Math.max(0, Math.round(y - halfBand)); r <= Math.min(mask.height - 1, Math.round(y + halfBand)); r++) {
    for (let x = 0; x < mask.width; x++) if (mask.data[r * mask.width + x]) covered[Math.floor(x / binPx)] = 1;
  }
  let best: [number, number] = [0, -1];
  let start = -1;
  let last = -10;
  for (let b = 0; b < bins; b++) {
    if (!covered[b]) continue;
    if (b - last > 3) start = b;
    last = b;
    if (b - start > best[1] - best[0]) best = [start, b];
  }
  // The first and last bins' own ink edges, to the pixel.
  const edge = (b: number, fromLeft: boolean): number => {
    const xs = Array.from({ length: binPx }, (_, i) => b * binPx + (fromLeft ? i : binPx - 1 - i)).filter((x) => x < mask.width);
    for (const x of xs) for (let r = Math.max(0, Math.round(y - halfBand)); r <= Math.min(mask.height - 1, Math.round(y + halfBand)); r++) if (mask.data[r * mask.width + x]) return x;
    return fromLeft ? b * binPx : Math.min(mask.width - 1, (b + 1) * binPx - 1);
  };
  return [edge(best[0], true), edge(best[1], false)];
}

/** Per column of [x0, x1), the mean row of the trace pixels within +-halfBand of row y (NaN where none). */
function traceRowsOf(mask: TraceMask, y: number, halfBand: number, x0: number, x1: number): Float64Array {
  const out = new Float64Array(Math.max(0, Math.round(x1) - Math.round(x0)));
  for (let i = 0; i < out.length; i++) {
    const x = Math.round(x0) + i;
    let sum = 0;
    let n = 0;
    for (let r = Math.max(0, Math.round(y - halfBand)); r <= Math.min(mask.height - 1, Math.round(y + halfBand)); r++) {
      if (x >= 0 && x < mask.width && mask.data[r * mask.width + x]) {
        sum += r;
        n++;
      }
    }
    out[i] = n > 0 ? sum / n : Number.NaN;
  }
  return out;
}

/** Pearson correlation over the indexes where both are finite; 0 with fewer than 10 of them. */
function correlation(a: Float64Array, b: Float64Array): number {
  const pairs: [number, number][] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) pairs.push([a[i] as number, b[i] as number]);
  if (pairs.length < 10) return 0;
  const ma = pairs.reduce((s, p) => s + p[0], 0) / pairs.length;
  const mb = pairs.reduce((s, p) => s + p[1], 0) / pairs.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (const [u, v] of pairs) {
    sab += (u - ma) * (v - mb);
    saa += (u - ma) ** 2;
    sbb += (v - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * 6 rows: 3x4 with three strips (II, V1, V5) shows lead II twice at the same
 * time, in row 1 over the first quarter of the span and in strip row 3, and
 * V1 twice, in row 0 over the third quarter and in strip row 4; 6x2 shows
 * there II against aVR and V1 against V5. The mean of the two traces'
 * correlations (their rows column by column, the best over shifts of up to
 * LAG_MM) is near 1 for 3x4+3.
 */
function repeatedLeadEvidence(mask: TraceMask, rows: readonly DetectedRow[], spacing: number, xStart: number, xEnd: number, pxPerMmX: number): number {
  const quarter = (xEnd - xStart) / 4;
  const maxLag = Math.round(LAG_MM * pxPerMmX);
  const rowOf = (r: number, q: number, lag: number) =>
    traceRowsOf(mask, (rows[r] as DetectedRow).y, 0.45 * spacing, xStart + q * quarter + lag, xStart + (q + 1) * quarter + lag);
  // Perspective and wrinkles left after rectification move one row against another by a few px, as much as a QRS is wide.
  const best = (upper: number, lower: number, q: number) => {
    const reference = rowOf(upper, q, 0);
    let top = -1;
    for (let lag = -maxLag; lag <= maxLag; lag++) top = Math.max(top, correlation(reference, rowOf(lower, q, lag)));
    return top;
  };
  return (best(1, 3, 0) + best(0, 4, 2)) / 2;
}

function layoutOf(count: number, sixRowEvidence: () => number): DetectedLayout | null {
  if (count === 3) return '3x4';
  if (count === 4) return '3x4+1';
  if (count === 12) return '12x1';
  if (count === 6) return sixRowEvidence() > REPEATED_LEAD_MIN ? '3x4+3' : '6x2';
  return null;
}

function panelsOf(layout: DetectedLayout, rows: readonly DetectedRow[], spacing: number, xStart: number, xEnd: number): DetectedPanel[] {
  const config = {
    layout: layout === '3x4+1' ? ('3x4' as const) : layout,
    rhythmLead: layout === '3x4+1' ? ('II' as const) : ('none' as const),
    paper: 'letter' as const,
    dpi: 100,
    speedMmPerS: 25,
  };
  const nominal = layoutPage(config);
  const shown = nominal.shownDurationS;
  return nominal.panels.map((p) => {
    // The pulse's foot is the row's 0 mV line exactly; the coverage peak only near it.
    const row = rows[p.row] as DetectedRow;
    const y = row.pulse?.footY ?? row.y;
    const box: PixelBox = [
      xStart + (p.startS / shown) * (xEnd - xStart),
      y - BASELINE_FRACTION * spacing,
      xStart + (p.endS / shown) * (xEnd - xStart),
      y + (1 - BASELINE_FRACTION) * spacing,
    ];
    return { lead: p.lead, row: p.row, col: p.col, rhythm: p.rhythm, startS: p.startS, endS: p.endS, box };
  });
}

/** The layout of a rectified page's trace mask, with the page's px per mm (grid-period.ts). */
export function detectLayout(mask: TraceMask, pxPerMmX: number, pxPerMmY: number): PageLayoutFound {
  const comb: TraceRow[] = selectRowComb(findTraceRows(mask, pxPerMmX, pxPerMmY));
  if (comb.length < 3) return { layout: null, rows: [], rowSpacingPx: 0, xStart: 0, xEnd: 0, pulseSide: null, panels: [] };
  const spacing = ((comb[comb.length - 1] as TraceRow).y - (comb[0] as TraceRow).y) / (comb.length - 1);
  const binPx = Math.max(1, Math.round(2 * pxPerMmX));
  const extents = comb.map((r) => rowExtent(mask, r.y, 0.3 * spacing, binPx));
  const found = comb.map((r, i) => {
    const [x0, x1] = extents[i] as [number, number];
    const left = findCalibrationPulse(mask, { y: r.y, x0, x1 }, 'left', pxPerMmX, pxPerMmY);
    const right = left ? null : findCalibrationPulse(mask, { y: r.y, x0, x1 }, 'right', pxPerMmX, pxPerMmY);
    return { y: r.y, x0, x1, left, right };
  });
  const lefts = found.filter((f) => f.left).length;
  const rights = found.filter((f) => f.right).length;
  const pulseSide = lefts === 0 && rights === 0 ? null : lefts >= rights ? 'left' : 'right';
  // Rows whose pulse was found place the traces' ends exactly; the ink's own extent would include the pulse.
  const withPulse = found.filter((f) => (pulseSide === 'left' ? f.left : f.right));
  const starts = pulseSide === 'left' ? withPulse.map((f) => f.left!.riseX + RISE_TO_TRACE_MM * pxPerMmX) : found.map((f) => f.x0);
  const ends = pulseSide === 'right' ? withPulse.map((f) => f.right!.riseX - TRACE_TO_RISE_MM * pxPerMmX) : found.map((f) => f.x1);
  const xStart = upperMedian(starts);
  const xEnd = upperMedian(ends);
  const rows: DetectedRow[] = found.map((f) => ({ y: f.y, x0: f.x0, x1: f.x1, pulse: pulseSide === 'left' ? f.left : pulseSide === 'right' ? f.right : null }));
  const layout = layoutOf(rows.length, () => repeatedLeadEvidence(mask, rows, spacing, xStart, xEnd, pxPerMmX));
  return { layout, rows, rowSpacingPx: spacing, xStart, xEnd, pulseSide, panels: layout ? panelsOf(layout, rows, spacing, xStart, xEnd) : [] };
}
