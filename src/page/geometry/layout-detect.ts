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
 *      the top three rows show column separator bars at a quarter and
 *      three quarters of the span and 6x2 when the bottom three show one
 *      at half of it (separatorEvidence);
 *   4. the panels: the layout's leads, rows and time spans (page/layout.ts
 *      layoutPage, so the leads sit where the renderer puts them), each a
 *      band [y - 0.6 s, y + 0.4 s] of the row spacing s around the row's
 *      line (ecg-lab puts 0 mV at 0.6 of a row) over its time span's
 *      share of the trace span.
 */
import type { Lead } from '../../core/ecg.js';
import type { PixelBox } from '../box.js';
import { layoutPage } from '../layout.js';
import { findCalibrationPulse, type CalibrationPulse } from './calibration-pulse.js';
import type { TraceMask } from './trace-ink.js';
import { findTraceRows, selectRowComb, type TraceRow } from './trace-rows.js';

/** The layouts told apart: ecg-lab's render.layout values, 3x4 split by whether it has one rhythm strip (ecg-image-kit's page) or none. */
export const DETECTED_LAYOUTS = ['3x4', '3x4+1', '3x4+3', '6x2', '12x1'] as const;
export type DetectedLayout = (typeof DETECTED_LAYOUTS)[number];

export interface DetectedRow {
  /** The row's line (coverage peak), rectified px. */
  readonly y: number;
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
/** Bars are looked for this close (mm) to where a column hands over. */
const SEPARATOR_WINDOW_MM = 1;
/** A separator bar is at least 3 mm tall (render/variety/draw.ts halfMm >= 1.5); a QRS at the same spot is the rare false hit. */
const SEPARATOR_MIN_MM = 2.5;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

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

/** Whether a bar at least SEPARATOR_MIN_MM tall crosses row y within SEPARATOR_WINDOW_MM of x. */
function hasBar(mask: TraceMask, x: number, y: number, pxPerMmX: number, pxPerMmY: number): boolean {
  const window = Math.round(SEPARATOR_WINDOW_MM * pxPerMmX);
  const need = SEPARATOR_MIN_MM * pxPerMmY;
  const yc = Math.round(y);
  for (let c = Math.max(0, Math.round(x) - window); c <= Math.min(mask.width - 1, Math.round(x) + window); c++) {
    // The run through (c, y +- 1 mm): the bar is centred on the row's 0 mV line, which the row's line is close to.
    for (let dy = -Math.round(pxPerMmY); dy <= Math.round(pxPerMmY); dy++) {
      const y0 = yc + dy;
      if (y0 < 0 || y0 >= mask.height || !mask.data[y0 * mask.width + c]) continue;
      let top = y0;
      let bottom = y0;
      while (top > 0 && mask.data[(top - 1) * mask.width + c]) top--;
      while (bottom < mask.height - 1 && mask.data[(bottom + 1) * mask.width + c]) bottom++;
      if (bottom - top + 1 >= need) return true;
    }
  }
  return false;
}

/**
 * 6 rows: the share of separator bars seen where 3x4 + 3 strips puts them
 * (top three rows, at 1/4 and 3/4 of the span) minus the share where 6x2
 * puts them and 3x4 does not (bottom three rows, at 1/2). > 0: 3x4+3.
 */
function separatorEvidence(mask: TraceMask, rows: readonly DetectedRow[], xStart: number, xEnd: number, pxPerMmX: number, pxPerMmY: number): number {
  const at = (f: number) => xStart + f * (xEnd - xStart);
  const bar = (r: number, f: number) => (hasBar(mask, at(f), (rows[r] as DetectedRow).y, pxPerMmX, pxPerMmY) ? 1 : 0);
  const quarters = [0, 1, 2].reduce((s, r) => s + bar(r, 0.25) + bar(r, 0.75), 0) / 6;
  const halves = [3, 4, 5].reduce((s, r) => s + bar(r, 0.5), 0) / 3;
  return quarters - halves;
}

function layoutOf(count: number, sixRowEvidence: () => number): DetectedLayout | null {
  if (count === 3) return '3x4';
  if (count === 4) return '3x4+1';
  if (count === 12) return '12x1';
  if (count === 6) return sixRowEvidence() > 0 ? '3x4+3' : '6x2';
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
    const y = (rows[p.row] as DetectedRow).y;
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
  const starts = found.map((f) => (pulseSide === 'left' && f.left ? f.left.riseX + RISE_TO_TRACE_MM * pxPerMmX : f.x0));
  const ends = found.map((f) => (pulseSide === 'right' && f.right ? f.right.riseX - TRACE_TO_RISE_MM * pxPerMmX : f.x1));
  const xStart = median(starts);
  const xEnd = median(ends);
  const rows: DetectedRow[] = found.map((f) => ({ y: f.y, pulse: pulseSide === 'left' ? f.left : pulseSide === 'right' ? f.right : null }));
  const layout = layoutOf(rows.length, () => separatorEvidence(mask, rows, xStart, xEnd, pxPerMmX, pxPerMmY));
  return { layout, rows, rowSpacingPx: spacing, xStart, xEnd, pulseSide, panels: layout ? panelsOf(layout, rows, spacing, xStart, xEnd) : [] };
}
