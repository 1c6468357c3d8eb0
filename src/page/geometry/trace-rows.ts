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
  /** That run's share of the page width. */
  readonly runFraction: number;
}

const BIN_MM = 2;
const WINDOW_MM = 2.5;
const SMOOTH_MM = 1;
const MIN_COVERAGE = 0.25;
const MIN_ROW_GAP_MM = 6;
const MIN_RUN_FRACTION = 0.3;
const MAX_GAP_BINS = 2;
/** A row's coverage must reach this fraction of the best row's: a footer line of text covers half as much as a trace. */
const MIN_RELATIVE_COVERAGE = 0.45;

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
    candidates.push({ y, coverage: v, x0: b0 * binPx, x1: Math.min(mask.width - 1, (b1 + 1) * binPx - 1), runFraction: (b1 - b0 + 1) / bins });
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

/** Rows of a comb may sit this fraction of its spacing off their place (a row's coverage peak is not its 0 mV line; perspective). */
const COMB_TOLERANCE = 0.2;
const MISSING_ROW_COST = 0.5;

/**
 * The rows that form the page's layout: of the candidate rows, the equally
 * spaced comb of LAYOUT_ROW_COUNTS rows (first row, spacing) with the best
 * score: the sum of its rows' strength (coverage x run share), less that of candidates
 * left out between its first and last row (a row of text inside the comb is
 * evidence against it), less MISSING_ROW_COST of the mean coverage for each
 * place of the comb no candidate fills (a row lost under a stain or a
 * scribble; at most a quarter of the rows, never the first or last). A missing row is put at its
 * place in the comb with coverage 0. A page's trace rows are equally spaced
 * in every layout ecg-lab or ecg-image-kit draws. [] when no comb of 3 rows
 * was found.
 */
export function selectRowComb(rows: readonly TraceRow[]): TraceRow[] {
  let best: TraceRow[] = [];
  let bestScore = -Infinity;
  for (const count of LAYOUT_ROW_COUNTS) {
    const mayMiss = Math.floor(count / 4);
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const first = rows[i] as TraceRow;
        const last = rows[j] as TraceRow;
        const comb = refitted(rows, combAt(rows, first.y, (last.y - first.y) / (count - 1), count));
        const spacing = ((comb[count - 1] as TraceRow).y - (comb[0] as TraceRow).y) / (count - 1);
        const missing = comb.filter((r) => r.coverage === 0).length;
        if (missing > mayMiss || (comb[0] as TraceRow).coverage === 0 || (comb[count - 1] as TraceRow).coverage === 0) continue;
        const matched = comb.filter((r) => r.coverage > 0);
        const mean = matched.reduce((s, r) => s + strength(r), 0) / matched.length;
        const top = (comb[0] as TraceRow).y;
        const bottom = (comb[count - 1] as TraceRow).y;
        const strays = rows.filter((r) => !matched.includes(r) && r.y > top - spacing / 2 && r.y < bottom + spacing / 2);
        const score = mean * matched.length - strays.reduce((s, r) => s + strength(r), 0) - MISSING_ROW_COST * mean * missing;
        if (score > bestScore) {
          best = comb;
          bestScore = score;
        }
      }
    }
  }
  return best;
}

/** A row's weight as trace: its coverage times its run's share of the width (a stain's edge or a line of text is short). */
const strength = (row: TraceRow) => row.coverage * row.runFraction;

/** The comb of `count` rows from y0 at `spacing`: each place's nearest candidate within tolerance, or a stand-in of coverage 0. */
function combAt(rows: readonly TraceRow[], y0: number, spacing: number, count: number): TraceRow[] {
  const span = rows[0] ?? { x0: 0, x1: 0 };
  return Array.from({ length: count }, (_, k) => {
    const want = y0 + k * spacing;
    const near = rows.filter((r) => Math.abs(r.y - want) <= COMB_TOLERANCE * spacing);
    if (near.length === 0) return { y: Math.round(want), coverage: 0, x0: span.x0, x1: span.x1, runFraction: 0 };
    return near.reduce((a, b) => (Math.abs(a.y - want) <= Math.abs(b.y - want) ? a : b));
  });
}

/** The comb matched again at the least-squares line y = y0 + k spacing through its matched rows (a row's peak sits a few px off its place). */
function refitted(rows: readonly TraceRow[], comb: readonly TraceRow[]): TraceRow[] {
  const points = comb.flatMap((r, k) => (r.coverage > 0 ? [[k, r.y] as const] : []));
  if (points.length < 2) return [...comb];
  const mk = points.reduce((s, p) => s + p[0], 0) / points.length;
  const my = points.reduce((s, p) => s + p[1], 0) / points.length;
  const skk = points.reduce((s, p) => s + (p[0] - mk) ** 2, 0);
  const spacing = points.reduce((s, p) => s + (p[0] - mk) * (p[1] - my), 0) / skk;
  return combAt(rows, my - mk * spacing, spacing, comb.length);
}
