/**
 * The rows of traces on a rectified page. A trace row is where, at some
 * height y, the traces are seen across most of the page: the isoelectric
 * line of every beat crosses y. So for each y the row evidence is
 *
 *   coverage(y) = fraction of BIN_MM wide columns of the page holding a
 *                 trace pixel within +-WINDOW_MM of y,
 *
 * smoothed over SMOOTH_MM; rows are its local maxima above MIN_COVERAGE and
 * MIN_RELATIVE_COVERAGE of the best, at least MIN_ROW_GAP_MM apart (the
 * tightest layout ecg-lab draws, 12 rows packed low, is 10 mm). Text lines
 * (header, footer, labels) cover short stretches with gaps and stay below;
 * a trace row also has to run unbroken (gaps of MAX_GAP_BINS bridged) over
 * MIN_RUN_FRACTION of the page width.
 */
import type { TraceMask } from './trace-ink.js';

export interface TraceRow {
  /** The row's y on the rectified page (its coverage peak: near 0 mV). */
  readonly y: number;
  readonly coverage: number;
  /** First and last column of its longest unbroken run of covered bins, px. */
  readonly x0: number;
  readonly x1: number;
}

const BIN_MM = 2;
const WINDOW_MM = 1.5;
const SMOOTH_MM = 1;
const MIN_COVERAGE = 0.25;
const MIN_ROW_GAP_MM = 6;
const MIN_RUN_FRACTION = 0.3;
const MAX_GAP_BINS = 2;
/** A row's coverage must reach this fraction of the best row's: a footer line of text covers half as much as a trace. */
const MIN_RELATIVE_COVERAGE = 0.6;

/** Per row y and column bin, the count of trace pixels (bins of binPx columns). */
function binCounts(mask: TraceMask, binPx: number): { counts: Uint16Array; bins: number } {
  const bins = Math.ceil(mask.width / binPx);
  const counts = new Uint16Array(mask.height * bins);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) if (mask.data[y * mask.width + x]) counts[y * bins + Math.floor(x / binPx)]! += 1;
  }
  return { counts, bins };
}

/** Which bins hold a trace pixel within rows [y - half, y + half]. */
function coveredBins(counts: Uint16Array, bins: number, height: number, y: number, half: number): Uint8Array {
  const out = new Uint8Array(bins);
  for (let r = Math.max(0, y - half); r <= Math.min(height - 1, y + half); r++) {
    for (let b = 0; b < bins; b++) if (counts[r * bins + b]) out[b] = 1;
  }
  return out;
}

/** The longest stretch of covered bins, bridging gaps of up to MAX_GAP_BINS empty bins (a trace's faint steep strokes). */
function longestRun(covered: Uint8Array): [number, number] {
  let best: [number, number] = [0, -1];
  let start = -1;
  let last = -Infinity;
  for (let b = 0; b < covered.length; b++) {
    if (!covered[b]) continue;
    if (b - last - 1 > MAX_GAP_BINS) start = b;
    last = b;
    if (b - start > best[1] - best[0]) best = [start, b];
  }
  return best;
}

/** The trace rows of a rectified page's trace mask, top to bottom. */
export function findTraceRows(mask: TraceMask, pxPerMmX: number, pxPerMmY: number): TraceRow[] {
  const binPx = Math.max(1, Math.round(BIN_MM * pxPerMmX));
  const { counts, bins } = binCounts(mask, binPx);
  const half = Math.max(1, Math.round(WINDOW_MM * pxPerMmY));
  const coverage = new Float64Array(mask.height);
  for (let y = 0; y < mask.height; y++) {
    const covered = coveredBins(counts, bins, mask.height, y, half);
    let n = 0;
    for (const c of covered) n += c;
    coverage[y] = n / bins;
  }
  const smoothHalf = Math.max(1, Math.round((SMOOTH_MM * pxPerMmY) / 2));
  const smooth = coverage.map((_, y) => {
    let sum = 0;
    let n = 0;
    for (let r = Math.max(0, y - smoothHalf); r <= Math.min(mask.height - 1, y + smoothHalf); r++, n++) sum += coverage[r] as number;
    return sum / n;
  });
  const gap = MIN_ROW_GAP_MM * pxPerMmY;
  const candidates: TraceRow[] = [];
  for (let y = 1; y < mask.height - 1; y++) {
    const v = smooth[y] as number;
    if (v < MIN_COVERAGE || v < (smooth[y - 1] as number) || v < (smooth[y + 1] as number)) continue;
    const [b0, b1] = longestRun(coveredBins(counts, bins, mask.height, y, half));
    if ((b1 - b0 + 1) / bins < MIN_RUN_FRACTION) continue;
    candidates.push({ y, coverage: v, x0: b0 * binPx, x1: Math.min(mask.width - 1, (b1 + 1) * binPx - 1) });
  }
  // Strongest first; a weaker peak within `gap` of a kept one is the same row.
  const kept: TraceRow[] = [];
  const strongest = Math.max(0, ...candidates.map((c) => c.coverage));
  for (const c of [...candidates].sort((a, b) => b.coverage - a.coverage)) {
    if (c.coverage >= MIN_RELATIVE_COVERAGE * strongest && kept.every((k) => Math.abs(k.y - c.y) >= gap)) kept.push(c);
  }
  return kept.sort((a, b) => a.y - b.y);
}

/** Row counts of the layouts ecg-lab draws (3x4, 3x4 + 1 strip, 3x4 + 3 strips or 6x2, 12x1). */
export const LAYOUT_ROW_COUNTS = [3, 4, 6, 12] as const;

/** Rows of a comb may sit this fraction of its spacing off their place (perspective left after rectification). */
const COMB_TOLERANCE = 0.15;

/**
 * The rows that form the page's layout: of the candidate rows, the equally
 * spaced subset of LAYOUT_ROW_COUNTS rows (first row, spacing) with the
 * largest sum of coverage, less the coverage of candidates left out between
 * its first and last row (a row of text inside the comb is evidence against
 * it). A page's trace rows are equally spaced in every layout ecg-lab or
 * ecg-image-kit draws. [] when fewer than 3 rows were found.
 */
export function selectRowComb(rows: readonly TraceRow[]): TraceRow[] {
  let best: TraceRow[] = [];
  let bestScore = -Infinity;
  for (const count of LAYOUT_ROW_COUNTS) {
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const first = rows[i] as TraceRow;
        const spacing = ((rows[j] as TraceRow).y - first.y) / (count - 1);
        const matched: TraceRow[] = [];
        for (let k = 0; k < count; k++) {
          const want = first.y + k * spacing;
          const near = rows.filter((r) => Math.abs(r.y - want) <= COMB_TOLERANCE * spacing);
          if (near.length === 0) break;
          matched.push(near.reduce((a, b) => (Math.abs(a.y - want) <= Math.abs(b.y - want) ? a : b)));
        }
        if (matched.length < count) continue;
        const last = matched[count - 1] as TraceRow;
        const strays = rows.filter((r) => !matched.includes(r) && r.y > first.y - spacing / 2 && r.y < last.y + spacing / 2);
        const score = matched.reduce((s, r) => s + r.coverage, 0) - strays.reduce((s, r) => s + r.coverage, 0);
        if (score > bestScore) {
          best = matched;
          bestScore = score;
        }
      }
    }
  }
  return best;
}
