/**
 * The paper grid of a page image: its orientation and its period, so that
 * pixels can be read as mm (and, at 10 mm/mV and 25 mm/s, as mV and s)
 * without trusting the page's nominal DPI.
 *
 * 1. Rectification: the projection-profile search of perspective.ts
 *    (rotation and perspective), whose edges are mostly the grid's where
 *    there is one. Where steps 2-5 find no grid on that page, the page is
 *    taken again turned back by its rotation alone (deskew.ts): without a
 *    grid the perspective found is not to be trusted (perspective.ts).
 * 2. The image is rectified by it and projected on each axis:
 *    profile(x) = sum over rows of min(1 - grey, INK_CLIP), over pixels that
 *    are not trace (ink channel above TRACE_INK_MAX, page-channels.ts). Ink
 *    is clipped so that the desk around a photographed page weighs no more
 *    than a grid line; traces are left out because beats drawn at the same
 *    time in every row of a 12x1 page are a comb of their own (RR interval).
 * 3. The profile is high-passed by subtracting its moving average over one
 *    5 mm period (a box of width P has zeros at every harmonic k / P, so the
 *    grid's own frequencies pass unchanged), Hann-windowed, and scored for
 *    each candidate 5 mm period P by its harmonic sum
 *        S(P) = sum_{k = 1..K} log(1 + |F(k / P)|^2 / median_P' |F(k / P')|^2),
 *        F(f) = sum_x p(x) e^{-2 pi i f x},
 *    the spectrum of a comb of 1 mm lines with every fifth line heavier;
 *    each harmonic's power is first divided by its median over the range and
 *    enters as log(1 + that), so no single harmonic decides.
 *    K is fixed over the search (harmonics below HARMONIC_MAX_CYCLES_PER_PX
 *    at the smallest P) so that no candidate wins by having more terms. The
 *    best P is refined by a parabola through its neighbours (in log P).
 * 4. The search range is what stops a comb of 2 mm (or 0.5 mm) lines from
 *    passing for the grid: it spans less than a factor 2. Without a range
 *    given, it comes from the image width: an ECG page is a landscape letter
 *    or A4 sheet, PAGE_WIDTH_MM_RANGE wide once a photo crops or zooms it.
 * 5. Confidence per axis: each harmonic's power at the best P over its own
 *    median over the range; the median of these over the K harmonics. A
 *    grid raises every harmonic; a page without one may show one strong
 *    periodicity (wrinkle shading, JPEG blocks), which the median ignores.
 *    Below GRID_CONFIDENCE_MIN on both axes (or a weak axis below
 *    WEAK_AXIS_CONFIDENCE_MIN) the grid is "not found" and px
 *    per mm falls back to the image width over FALLBACK_PAGE_WIDTH_MM (the
 *    mean of letter and A4).
 */
import { EcgError } from '../../core/errors.js';
import { pageMessages } from '../../core/messages.js';
import { estimateSkewDeg } from '../deskew.js';
import { estimateRectification, hasPerspective, rectifyImage, rotationRectification, type Rectification } from '../perspective.js';
import type { GreyImage } from '../grey-image.js';
import type { PageChannels } from './page-channels.js';
import { upperMedian } from '../../core/median.js';

export interface GridOptions {
  /** px per mm searched, [low, high] with high / low < 2; default from the image width (PAGE_WIDTH_MM_RANGE). */
  readonly pxPerMmRange?: readonly [number, number];
  /** Largest rotation searched, degrees (default 10). */
  readonly maxDeg?: number;
  /** The page's rectification when already known (skips the search). */
  readonly rectification?: Rectification;
  /** What the search undoes (default 'perspective', kept only where a grid is found; 'rotation': deskew.ts's angle alone). */
  readonly rectify?: 'rotation' | 'perspective';
}

export interface PageGrid {
  /** Whether a grid was seen: one axis at GRID_CONFIDENCE_MIN or more, the other at WEAK_AXIS_CONFIDENCE_MIN; an axis under GRID_CONFIDENCE_MIN takes the other's period. */
  readonly found: boolean;
  /** The larger of the two axes' confidences: the median over harmonics of each harmonic's power at the period found over its median in the range. */
  readonly confidence: number;
  readonly confidenceX: number;
  readonly confidenceY: number;
  /** The page's rotation at the image centre, degrees, in the renderer's convention (deskew.ts). */
  readonly angleDeg: number;
  /** The rectification the grid was read on (perspective.ts). */
  readonly rectification: Rectification;
  /** Pixels per mm along the page's x and y axes (the grid's, or the fallback). */
  readonly pxPerMmX: number;
  readonly pxPerMmY: number;
  /**
   * Whether the grid's comb also shows in the ink channel (page-channels.ts)
   * at the same period: a grey grid, whose lines the trace mask must treat
   * as near-trace (trace-ink.ts).
   */
  readonly gridInInk: boolean;
  /** Where the scale came from: the grid, or the image width when no grid was found. */
  readonly scaleSource: 'grid' | 'page-width';
}

/** How wide (mm) a landscape ECG page may appear in its image: letter 279.4, A4 297, cropped by a photo up to ~15 %, or with a margin. */
export const PAGE_WIDTH_MM_RANGE: readonly [number, number] = [235, 330];
export const FALLBACK_PAGE_WIDTH_MM = 288;
/** Below this confidence on both axes the page has no grid (rendered no-grid pages stay near 3 to 12, gridded ones above 30 on their better axis). */
export const GRID_CONFIDENCE_MIN = 16;
/** The weaker axis must reach this too (a rendered no-grid page reached 29 in y from its rows, 3.2 in x; the weakest gridded axis seen, 6.8). */
const WEAK_AXIS_CONFIDENCE_MIN = 4.5;
const INK_CLIP = 0.5;
/** Ink-channel values at or below this are trace (page-channels.ts: solid traces at most 0.2 on paper, grid lines at least 0.64). */
export const TRACE_INK_MAX = 0.45;
/** Pixels this close to a trace pixel (either axis) are left out of the profiles: a trace's rim is a blend of trace and paper. */
const TRACE_MARGIN_PX = 2;
const HARMONIC_MAX_CYCLES_PER_PX = 0.4;
const GREY_GRID_AMPLITUDE = 0.6;
const LOG_STEP = 0.0006;

/** The default search range for an image `width` px wide: a full page. */
export function pageScaleRange(width: number): [number, number] {
  return [width / PAGE_WIDTH_MM_RANGE[1], width / PAGE_WIDTH_MM_RANGE[0]];
}

function checkRange(range: readonly [number, number]): void {
  const [low, high] = range;
  if (!(low > 0 && high > low && high / low < 2)) throw new EcgError('IMAGE_INVALID', pageMessages.pxPerMmRangeInvalid(low, high));
}

/** 1 where a pixel lies within TRACE_MARGIN_PX (a square) of a trace pixel: the trace and its anti-aliased, blurred rim. */
function nearTrace(ink: GreyImage): Uint8Array {
  const { data, width, height } = ink;
  const r = TRACE_MARGIN_PX;
  const rows = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    let last = -Infinity;
    for (let x = 0; x < width + r; x++) {
      if (x < width && (data[y * width + x] as number) <= TRACE_INK_MAX) last = x;
      const at = x - r;
      if (at >= 0 && at - last <= r) rows[y * width + at] = 1;
    }
    // The pass above marks pixels up to r right of a trace pixel; this marks those up to r left of one.
    let next = Infinity;
    for (let x = width - 1; x >= 0; x--) {
      if ((data[y * width + x] as number) <= TRACE_INK_MAX) next = x;
      if (next - x <= r) rows[y * width + x] = 1;
    }
  }
  const out = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    let last = -Infinity;
    for (let y = 0; y < height; y++) if (rows[y * width + x]) for (let k = Math.max(0, y - r, last + 1); k <= Math.min(height - 1, y + r); k++, last = k - 1) out[k * width + x] = 1;
  }
  return out;
}

/** Column (axis 'x') or row ('y') sums of clipped grey ink away from traces. */
function inkProfile(page: PageChannels, axis: 'x' | 'y', trace: Uint8Array): Float64Array {
  const { data, width, height } = page.grey;
  const out = new Float64Array(axis === 'x' ? width : height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      const ink = trace[row + x] ? 0 : Math.min(INK_CLIP, Math.max(0, 1 - (data[row + x] as number)));
      if (axis === 'x') out[x] = (out[x] as number) + ink;
      else rowSum += ink;
    }
    if (axis === 'y') out[y] = rowSum;
  }
  return out;
}

/** p minus its centred moving average over `window` samples, Hann-windowed. */
function highPassed(profile: Float64Array, window: number): Float64Array {
  const n = profile.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (profile[i] as number);
  const half = Math.floor(window / 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    const mean = ((prefix[b] as number) - (prefix[a] as number)) / (b - a);
    out[i] = ((profile[i] as number) - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n));
  }
  return out;
}

/** |F(f)|^2 of p, by a rotating phasor (one complex multiply per sample). */
function power(p: Float64Array, f: number): number {
  const dc = Math.cos(2 * Math.PI * f);
  const ds = -Math.sin(2 * Math.PI * f);
  let c = 1;
  let s = 0;
  let re = 0;
  let im = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    re += v * c;
    im += v * s;
    const nc = c * dc - s * ds;
    s = c * ds + s * dc;
    c = nc;
  }
  return re * re + im * im;
}

interface AxisPeriod {
  readonly pxPerMm: number;
  readonly confidence: number;
}

/** The 1 mm period of one axis's profile within [low, high] px per mm. */
function axisPeriod(profile: Float64Array, low: number, high: number): AxisPeriod {
  const p = highPassed(profile, Math.round(5 * Math.sqrt(low * high)));
  const harmonics = Math.max(1, Math.floor(HARMONIC_MAX_CYCLES_PER_PX * 5 * low));
  const logs: number[] = [];
  for (let l = Math.log(5 * low); l <= Math.log(5 * high); l += LOG_STEP) logs.push(l);
  const powers = logs.map((l) => Array.from({ length: harmonics }, (_, k) => power(p, (k + 1) / Math.exp(l))));
  const medians = Array.from({ length: harmonics }, (_, k) => upperMedian(powers.map((row) => row[k] as number)));
  const normalised = powers.map((row) => row.map((v, k) => (medians[k] as number) > 0 ? v / (medians[k] as number) : 0));
  const scores = normalised.map((row) => row.reduce((sum, v) => sum + Math.log1p(v), 0));
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
  let logBest = logs[best] as number;
  if (best > 0 && best < scores.length - 1) {
    const a = scores[best - 1] as number;
    const b = scores[best] as number;
    const c = scores[best + 1] as number;
    const curvature = a - 2 * b + c;
    if (curvature < 0) logBest += (0.5 * LOG_STEP * (a - c)) / curvature;
  }
  return { pxPerMm: Math.exp(logBest) / 5, confidence: upperMedian(normalised[best] as number[]) };
}

/**
 * Whether the grid shows in the ink channel as strongly as in grey: the
 * comb's amplitude at the grid's period (sum over its harmonics of |F|) in
 * the ink profile over that in the grey profile, both away from traces,
 * reaches GREY_GRID_AMPLITUDE. A coloured grid's chroma lifts its lines
 * towards paper in ink (page-channels.ts: what is left is JPEG's chroma
 * blur); a grey grid's lines are as dark in both.
 */
function gridLinesAreGrey(page: PageChannels, trace: Uint8Array, axis: 'x' | 'y', pxPerMm: number, window: number): boolean {
  const comb = (profile: Float64Array) => {
    const p = highPassed(profile, window);
    let sum = 0;
    for (let k = 1; k <= Math.floor(HARMONIC_MAX_CYCLES_PER_PX * 5 * pxPerMm); k++) sum += Math.sqrt(power(p, k / (5 * pxPerMm)));
    return sum;
  };
  const greyComb = comb(inkProfile(page, axis, trace));
  const inkComb = comb(inkProfile({ grey: page.ink, ink: page.ink }, axis, trace));
  return inkComb >= GREY_GRID_AMPLITUDE * greyComb;
}

/** The grid of a page image (page-channels.ts): angle, px per mm on both axes, and whether a grid was seen at all. */
export function detectGrid(page: PageChannels, options: GridOptions = {}): PageGrid {
  const { grey } = page;
  if (grey.width < 64 || grey.height < 48) throw new EcgError('IMAGE_INVALID', pageMessages.imageTooSmall(grey.width, grey.height));
  const range = options.pxPerMmRange ?? pageScaleRange(grey.width);
  checkRange(range);
  const maxDeg = options.maxDeg ?? 10;
  if (options.rectification) return gridOn(page, options.rectification, range);
  const turnedBack = () => rotationRectification(estimateSkewDeg(grey, { maxDeg }), grey.width, grey.height);
  if (options.rectify === 'rotation') return gridOn(page, turnedBack(), range);
  const found = estimateRectification(grey, { maxDeg });
  const grid = gridOn(page, found, range);
  // No grid: the perspective found is not to be trusted (perspective.ts).
  return grid.found || !hasPerspective(found) ? grid : gridOn(page, turnedBack(), range);
}

/** detectGrid's steps 2-5 on the page rectified by `rectification`. */
function gridOn(page: PageChannels, rectification: Rectification, range: readonly [number, number]): PageGrid {
  const { grey } = page;
  const upright = { grey: rectifyImage(grey, rectification), ink: rectifyImage(page.ink, rectification) };
  const trace = nearTrace(upright.ink);
  const x = axisPeriod(inkProfile(upright, 'x', trace), range[0], range[1]);
  const y = axisPeriod(inkProfile(upright, 'y', trace), range[0], range[1]);
  const confidence = Math.max(x.confidence, y.confidence);
  // A page's trace rows sit a whole number of mm apart, which a y profile can mistake for a comb; x has no such order.
  const found = confidence >= GRID_CONFIDENCE_MIN && Math.min(x.confidence, y.confidence) >= WEAK_AXIS_CONFIDENCE_MIN;
  const strong = confidence === x.confidence ? { axis: 'x' as const, period: x } : { axis: 'y' as const, period: y };
  const gridInInk = found && gridLinesAreGrey(upright, trace, strong.axis, strong.period.pxPerMm, Math.round(5 * Math.sqrt(range[0] * range[1])));
  const fallback = grey.width / FALLBACK_PAGE_WIDTH_MM;
  // ECG paper is ruled in squares: an axis whose comb is drowned (perspective smears a long axis's high harmonics) takes the other's period.
  const seen = (axis: AxisPeriod, other: AxisPeriod) => (axis.confidence >= GRID_CONFIDENCE_MIN ? axis.pxPerMm : other.pxPerMm);
  return {
    found,
    confidence,
    confidenceX: x.confidence,
    confidenceY: y.confidence,
    angleDeg: rectification.angleDeg,
    rectification,
    gridInInk,
    pxPerMmX: found ? seen(x, y) : fallback,
    pxPerMmY: found ? seen(y, x) : fallback,
    scaleSource: found ? 'grid' : 'page-width',
  };
}
