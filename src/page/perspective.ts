/**
 * Rectification (digitizer.rectify): a page's rotation and perspective
 * undone before its leads are found and cut. deskew.ts turns a page back by
 * one angle; a photographed page also has perspective, which tilts each row
 * by its own angle (a few tenths of a degree apart at render.noise 0.5) and
 * stretches one side against the other, so that an axis-aligned crop reads
 * a ramp across the panel and a time axis that drifts along the row.
 *
 * Under a homography the page's horizontal lines (grid lines, trace
 * baselines, header text) become a pencil of lines through one vanishing
 * point, its vertical lines (grid lines, calibration pulses, column bars)
 * another. In image coordinates centred on the image, (u, w), the pencils are
 *
 *   horizontal:  w - s u = c (1 + k u)      vertical:  u - t w = c (1 + l w)
 *
 * one line per c: s is the horizontal lines' slope at the centre, k how that
 * slope changes from line to line (k = 0: parallel lines), and t, l the same
 * for the vertical ones. Each pencil is found as deskew.ts finds its angle
 * (projection profiles, Postl 1986): the profile of the page's edge pixels
 * over c = (w - s u) / (1 + k u) is sharpest (sum of squares) when every
 * line falls in one bin; horizontal lines by their vertical contrast,
 * vertical ones by their horizontal contrast. A coarse search of the slope,
 * then of slope and convergence together, is refined on joint grids
 * (findPencil).
 *
 * The rectified page maps the two vanishing points to infinity along x and
 * y and keeps the image centre: rectified (X, Y) shows image point
 *
 *   (u, w, z) = M (X, Y, 1),   M = [a vh | b vv | e3],  vh = (1, s, -k), vv = (t, 1, -l)
 *
 * (a, b: unit x and y columns), so a rotation alone (k = l = 0, t = -s) is
 * deskew.ts's turn, and both pencils become parallel lines: the map left
 * is affine, the time axis uniform along every row.
 *
 * Both pencils need lines across the page, which a grid gives. A page
 * without one has its traces' baselines, whose wander tilts and bends them
 * by a pixel or two, and a few pulses and bars: on an upright page without
 * a grid the search finds a spurious perspective of 1 to 11 px at the
 * page's corners, and two of 27 such pages at render.noise 0 lost 9 and 11 dB
 * of SNR to it where a grid-less page in perspective (noise 0.5) gained a
 * little on average (bench/RESULTS.md). So page/geometry's detectGrid keeps
 * the perspective only where it finds a grid on the rectified page, and
 * turns a page without one back by its rotation alone (deskew.ts).
 */
import type { Point } from './box.js';
import type { GreyImage } from './grey-image.js';
import { applyHomography, invert3, type Matrix3 } from './homography.js';

/** The two pencils (file comment): slope and convergence of the page's horizontal lines (s, k) and vertical ones (t, l). */
export interface Pencils {
  readonly s: number;
  readonly k: number;
  readonly t: number;
  readonly l: number;
}

export interface Rectification {
  readonly width: number;
  readonly height: number;
  /** The horizontal lines' angle at the image centre, degrees (the renderer's rotationDeg convention): the rotation turned back. */
  readonly angleDeg: number;
  readonly pencils: Pencils;
  /** Rectified page pixel -> image pixel, and back. */
  readonly toImageMatrix: Matrix3;
  readonly toRectifiedMatrix: Matrix3;
}

export interface RectifyOptions {
  /** Largest rotation searched, degrees (default 10). */
  readonly maxDeg?: number;
}

/** Slope steps (tangents) of the coarse and fine searches: the 0.2 and 0.02 degree steps of deskew.ts. */
const COARSE_SLOPE = Math.tan((0.2 * Math.PI) / 180);
const FINE_SLOPE = COARSE_SLOPE / 10;
/** Vertical lines are searched within this many degrees of perpendicular to the horizontal ones (perspective shears a page by up to about 2.5 degrees at noise 0.5). */
const SHEAR_DEG = 4;
/** The convergence is searched together with the slope within this many coarse slope steps of the best parallel fit. */
const JOINT_SLOPE_STEPS = 3;
/** The fine grids reach FINE_HALF steps either way of their centre and are moved at most MAX_GRID_MOVES times. */
const FINE_HALF = 3;
const MAX_GRID_MOVES = 6;
/** Coarse profiles are binned by COARSE_BIN_PX, fine ones by 1 px (deskew.ts). */
const COARSE_BIN_PX = 4;
/** Largest slope change over the image's width or height searched (0.054 at render.noise 0.5's largest perspective). */
const MAX_CONVERGENCE_SPAN = 0.12;
/** An edge pixel: contrast across the line of at least this (deskew.ts EDGE_CONTRAST). */
const EDGE_CONTRAST = 0.08;
/** The coarse searches read every COARSE_EDGE_STRIDE-th edge pixel, the first fine one every other, the last all. */
const COARSE_EDGE_STRIDE = 4;
/** Every EDGE_STRIDE-th column (horizontal lines) or row (vertical lines) is read, all of the other axis (deskew.ts). */
const EDGE_STRIDE = 4;

/** Edge pixels of one pencil's lines: `along` the lines, `across` them, centred coordinates, and their contrast (deskew.ts reads them too). */
export interface LineEdges {
  readonly along: Float32Array;
  readonly across: Float32Array;
  readonly weight: Float32Array;
  readonly extent: number;
  /** Added to `across` before binning, so that a pixel row (column) falls on a bin's centre at slope 0: the centre of an even size is a half pixel. */
  readonly shift: number;
}

/**
 * A pixel counts as the edge of a line where its contrast across the line
 * (|v(y + 1) - v(y - 1)| for horizontal lines) reaches EDGE_CONTRAST:
 * contrast, not darkness, because a photographed page's paper is anything
 * from white to mid grey under uneven light. Every EDGE_STRIDE-th column
 * (row) is enough to find a line's direction; rows (columns) are all taken:
 * skipping them would leave every other profile bin empty at slope 0 only,
 * doubling the sum of squares there and pulling every estimate to 0.
 */
export function lineEdges(image: GreyImage, lines: 'horizontal' | 'vertical'): LineEdges {
  const { data, width, height } = image;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const along: number[] = [];
  const across: number[] = [];
  const weight: number[] = [];
  if (lines === 'horizontal') {
    for (let y = 1; y < height - 1; y++) {
      for (let x = 0; x < width; x += EDGE_STRIDE) {
        const contrast = Math.abs((data[(y + 1) * width + x] as number) - (data[(y - 1) * width + x] as number));
        if (contrast < EDGE_CONTRAST) continue;
        along.push(x - cx);
        across.push(y - cy);
        weight.push(contrast);
      }
    }
  } else {
    for (let y = 0; y < height; y += EDGE_STRIDE) {
      for (let x = 1; x < width - 1; x++) {
        const contrast = Math.abs((data[y * width + x + 1] as number) - (data[y * width + x - 1] as number));
        if (contrast < EDGE_CONTRAST) continue;
        along.push(y - cy);
        across.push(x - cx);
        weight.push(contrast);
      }
    }
  }
  const centre = lines === 'horizontal' ? cy : cx;
  return { along: Float32Array.from(along), across: Float32Array.from(across), weight: Float32Array.from(weight), extent: width + height, shift: centre - Math.floor(centre) };
}

/** Sum of squares of the edges' profile over c = (across - slope along) / (1 + convergence along), one bin per binPx. */
function sharpness(edges: LineEdges, slope: number, convergence: number, binPx: number): number {
  const bins = Math.ceil((2 * edges.extent) / binPx);
  const offset = Math.floor(bins / 2);
  const profile = new Float64Array(bins);
  const { along, across, weight } = edges;
  const perBin = 1 / binPx;
  // Rounding as floor(v + 0.5) of a value made positive by the offset: one truncation instead of Math.round.
  const base = edges.shift + offset + 0.5;
  const n = weight.length;
  if (convergence === 0) {
    for (let i = 0; i < n; i++) {
      const bin = (((across[i] as number) - slope * (along[i] as number)) * perBin + base) | 0;
      if (bin >= 0 && bin < bins) profile[bin] = (profile[bin] as number) + (weight[i] as number);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const a = along[i] as number;
      const bin = ((((across[i] as number) - slope * a) / (1 + convergence * a)) * perBin + base) | 0;
      if (bin >= 0 && bin < bins) profile[bin] = (profile[bin] as number) + (weight[i] as number);
    }
  }
  let sum = 0;
  for (const v of profile) sum += v * v;
  return sum;
}

/** The best of f over centre + i step, |i| <= half; ties go to the one nearest the centre. */
function bestOf(centre: number, step: number, half: number, f: (v: number) => number): { value: number; score: number } {
  let value = centre;
  let score = -1;
  for (let i = 0; i <= 2 * half; i++) {
    // From the centre outwards, so that a tie keeps the smaller move.
    const v = centre + (i % 2 === 0 ? i / 2 : -(i + 1) / 2) * step;
    const s = f(v);
    if (s > score) [value, score] = [v, s];
  }
  return { value, score };
}

/** Every stride-th edge pixel. */
function thinned(edges: LineEdges, stride: number): LineEdges {
  const pick = <T extends Float32Array>(a: T) => a.filter((_, i) => i % stride === 0) as T;
  return { ...edges, along: pick(edges.along), across: pick(edges.across), weight: pick(edges.weight) };
}

interface PencilFound {
  readonly slope: number;
  readonly convergence: number;
}

/**
 * One pencil: the slope searched coarsely within `range` of `centre` with
 * parallel lines; then slope and convergence together coarsely (a
 * converging pencil's best parallel fit is off its slope at the centre);
 * then both finely on a joint grid about the best, moved until the best is
 * inside it, at two step sizes (the first on every other edge pixel).
 * `span` is the largest |along| x |across| product, which sets the
 * convergence step (one coarse bin at the image's corners).
 */
function findPencil(edges: LineEdges, centre: number, range: number, span: number, maxConvergence: number): PencilFound {
  if (edges.weight.length === 0) return { slope: centre, convergence: 0 };
  const coarse = thinned(edges, COARSE_EDGE_STRIDE);
  const half = thinned(edges, 2);
  const coarseK = COARSE_BIN_PX / span;
  const parallel = bestOf(centre, COARSE_SLOPE, Math.ceil(range / COARSE_SLOPE), (v) => sharpness(coarse, v, 0, COARSE_BIN_PX)).value;
  let slope = parallel;
  let convergence = 0;
  let best = -1;
  for (let i = -JOINT_SLOPE_STEPS; i <= JOINT_SLOPE_STEPS; i++) {
    const v = parallel + i * COARSE_SLOPE;
    const found = bestOf(0, coarseK, Math.ceil(maxConvergence / coarseK), (k) => sharpness(coarse, v, k, COARSE_BIN_PX));
    if (found.score > best) [best, convergence, slope] = [found.score, found.value, v];
  }
  for (const [slopeStep, kStep, read] of [
    [FINE_SLOPE, coarseK / 8, half],
    [FINE_SLOPE / 4, coarseK / 32, edges],
  ] as const) {
    for (let move = 0; move < MAX_GRID_MOVES; move++) {
      let top = -1;
      let di = 0;
      let dj = 0;
      for (let i = -FINE_HALF; i <= FINE_HALF; i++) {
        for (let j = -FINE_HALF; j <= FINE_HALF; j++) {
          const v = sharpness(read, slope + i * slopeStep, convergence + j * kStep, 1);
          // Ties keep the smaller move.
          if (v > top || (v === top && Math.abs(i) + Math.abs(j) < Math.abs(di) + Math.abs(dj))) [top, di, dj] = [v, i, j];
        }
      }
      slope += di * slopeStep;
      convergence += dj * kStep;
      if (Math.abs(di) < FINE_HALF && Math.abs(dj) < FINE_HALF) break;
    }
  }
  return { slope, convergence };
}

const multiply = (a: Matrix3, b: Matrix3): Matrix3 => {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
  return out as unknown as Matrix3;
};

/** The rectification of a width x height image by the pencils (file comment). */
export function rectificationOf(pencils: Pencils, width: number, height: number): Rectification {
  const { s, k, t, l } = pencils;
  const a = 1 / Math.hypot(1, s);
  const b = 1 / Math.hypot(1, t);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const centred: Matrix3 = [a, b * t, 0, a * s, b, 0, -a * k, -b * l, 1];
  const toImageMatrix = multiply(multiply([1, 0, cx, 0, 1, cy, 0, 0, 1], centred), [1, 0, -cx, 0, 1, -cy, 0, 0, 1]);
  return { width, height, angleDeg: (Math.atan(s) * 180) / Math.PI, pencils, toImageMatrix, toRectifiedMatrix: invert3(toImageMatrix) };
}

/** A rotation alone (deskew.ts's turn by `deg`) as a rectification. */
export function rotationRectification(deg: number, width: number, height: number): Rectification {
  const s = Math.tan((deg * Math.PI) / 180);
  return rectificationOf({ s, k: 0, t: -s, l: 0 }, width, height);
}

/** The page's rotation and perspective found from its image alone (file comment). */
export function estimateRectification(image: GreyImage, options: RectifyOptions = {}): Rectification {
  const { width, height } = image;
  const maxSlope = Math.tan(((options.maxDeg ?? 10) * Math.PI) / 180);
  const span = (width / 2) * (height / 2);
  const horizontal = findPencil(lineEdges(image, 'horizontal'), 0, maxSlope, span, MAX_CONVERGENCE_SPAN / height);
  const s = horizontal.slope;
  const vertical = findPencil(lineEdges(image, 'vertical'), -s, Math.tan((SHEAR_DEG * Math.PI) / 180), span, MAX_CONVERGENCE_SPAN / width);
  return rectificationOf({ s, k: horizontal.convergence, t: vertical.slope, l: vertical.convergence }, width, height);
}

/** Where the rectified page shows image point (x, y). */
export function toRectified(r: Rectification, x: number, y: number): Point {
  return applyHomography(r.toRectifiedMatrix, x, y);
}

/** The image point the rectified page shows at (x, y). */
export function toImage(r: Rectification, x: number, y: number): Point {
  return applyHomography(r.toImageMatrix, x, y);
}

/** Whether the rectification leaves the image as it is. */
export function isIdentity(r: Rectification): boolean {
  const { s, k, t, l } = r.pencils;
  return s === 0 && k === 0 && t === 0 && l === 0;
}

/** Whether the rectification undoes more than a rotation (a shear or a perspective). */
export function hasPerspective(r: Rectification): boolean {
  const { s, k, t, l } = r.pencils;
  return k !== 0 || l !== 0 || t !== -s;
}

/** The rectified page, same size, bilinear; outside the image is white paper. */
export function rectifyImage(image: GreyImage, r: Rectification): GreyImage {
  if (isIdentity(r)) return image;
  const { width, height, data } = image;
  const m = r.toImageMatrix;
  const out = new Float32Array(width * height);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 1 : (data[y * width + x] as number));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const z = m[6] * x + m[7] * y + m[8];
      const sx = (m[0] * x + m[1] * y + m[2]) / z;
      const sy = (m[3] * x + m[4] * y + m[5]) / z;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, width, height };
}
