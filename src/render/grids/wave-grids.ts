/**
 * The smooth fields a distortion plan (distortions.ts) draws on the page,
 * sampled on grids of nodes for bilinear interpolation: the wrinkle and
 * crease displacement of the exact page mapping (pageMappingOf), and the
 * brightness of lighting, wrinkles and fold sides (smoothShadeGrid). Every
 * node of a 200 DPI page, tens of thousands a page, so written for V8: see
 * the rotor note below.
 */
import type { PageMapping } from '../geometry.js';
import type { Crease, DistortionPlan, WaveComponent } from '../distortions.js';

/**
 * Math.tanh without the call where its answer is +-1: V8's tanh (fdlibm's)
 * returns exactly +-1 for |x| >= 22 (and rounds to it from about 19.1), so
 * this is the same number everywhere. A fold's tanh is saturated on most of
 * the page: its kink and side shade reach a few px and a few tens of px.
 */
function saturatingTanh(x: number): number {
  if (x >= 22) return 1;
  if (x <= -22) return -1;
  return Math.tanh(x);
}

/**
 * The grids below sum plane waves at nodes every `step` px along a row: t =
 * kx x + ky y + phase, with cos t and sin t stepped along the row by the
 * angle-addition recurrence cos(t + d) = cos t cos d - sin t sin d,
 * sin(t + d) = sin t cos d + cos t sin d (no trigonometry per node; after the
 * few hundred steps of a row the error is around 1e-13). A row is summed a
 * wave at a time into a row of doubles (waveAlongRow, each wave's two rotors
 * in local variables): the same products and additions in the same order at
 * every node as a node at a time, and no rotor state in objects for V8 to
 * box (a node at a time with the rotors as objects was about 13 MB of
 * garbage and 11 ms a 200 DPI page).
 */
interface RowRotor {
  readonly cos: number;
  readonly sin: number;
  readonly stepCos: number;
  readonly stepSin: number;
}

/** A rotor at x = 0 on row y for t = a x + b y + c, stepping `step` px along the row. */
function rowRotor(a: number, b: number, c: number, y: number, step: number): RowRotor {
  return { cos: Math.cos(b * y + c), sin: Math.sin(b * y + c), stepCos: Math.cos(a * step), stepSin: Math.sin(a * step) };
}

/** A crease's numbers, CREASE_FIELDS a crease: nx, ny, offset, then the grid's own two (kink and width, or side shade and width). */
const CREASE_FIELDS = 5;

function packCreases(creases: readonly Crease[], own: (c: Crease) => readonly [number, number]): Float64Array {
  const packed = new Float64Array(creases.length * CREASE_FIELDS);
  creases.forEach((c, k) => packed.set([c.nx, c.ny, c.offset, ...own(c)], k * CREASE_FIELDS));
  return packed;
}

const gridSize = (width: number, height: number, cellPx: number) => ({ cols: Math.ceil((width - 1) / cellPx) + 2, rows: Math.ceil((height - 1) / cellPx) + 2 });

/** Row j of the displacement field (pageMappingOf), written at dx/dy[j cols ...]; ex/ey: rows of doubles to sum in. */
function displacementRow(
  waves: readonly WaveComponent[],
  creases: Float64Array,
  j: number,
  cellPx: number,
  cols: number,
  sums: WaveRows & { readonly ex: Float64Array; readonly ey: Float64Array },
  field: { readonly dx: Float32Array; readonly dy: Float32Array },
): void {
  const { ex, ey } = sums;
  const { dx, dy } = field;
  const y = j * cellPx;
  ex.fill(0);
  ey.fill(0);
  for (const w of waves) waveShift(w, y, cellPx, cols, sums, ex, ey);
  for (let i = 0; i < cols; i++) {
    const x = i * cellPx;
    let sx = ex[i]!;
    let sy = ey[i]!;
    for (let k = 0; k < creases.length; k += CREASE_FIELDS) {
      const nx = creases[k]!;
      const ny = creases[k + 1]!;
      const s = creases[k + 3]! * saturatingTanh((nx * x + ny * y - creases[k + 2]!) / creases[k + 4]!);
      sx += s * nx;
      sy += s * ny;
    }
    dx[j * cols + i] = sx;
    dy[j * cols + i] = sy;
  }
}

/** One wave's shift at the row's nodes, added to ex and ey: shiftPx (0.5 + 0.5 sin envelope) cos phase along k / |k|. */
function waveShift(w: WaveComponent, y: number, step: number, cols: number, rows: WaveRows, ex: Float64Array, ey: Float64Array): void {
  const unitX = w.kx / Math.hypot(w.kx, w.ky);
  const unitY = w.ky / Math.hypot(w.kx, w.ky);
  const shift = w.shiftPx;
  const { envelope, slope } = waveAlongRow(w, false, y, step, cols, rows);
  for (let i = 0; i < cols; i++) {
    const s = shift * envelope[i]! * slope[i]!;
    ex[i] = ex[i]! + s * unitX;
    ey[i] = ey[i]! + s * unitY;
  }
}

/** A wave's two factors at a row's nodes (waveAlongRow), rows of doubles reused from row to row. */
interface WaveRows {
  readonly envelope: Float64Array;
  readonly slope: Float64Array;
}

/**
 * A wave at the row's nodes: its envelope 0.5 + 0.5 sin(env . (x, y) +
 * envPhase) and its slope cos t, or sign(sin t) cos t for a ridge with
 * `ridged` (the shading's |sin t|), t = k . (x, y) + phase.
 */
function waveAlongRow(w: WaveComponent, ridged: boolean, y: number, step: number, cols: number, rows: WaveRows): WaveRows {
  const { envelope, slope } = rows;
  const phase = rowRotor(w.kx, w.ky, w.phase, y, step);
  const env = rowRotor(w.envKx, w.envKy, w.envPhase, y, step);
  let pc = phase.cos;
  let ps = phase.sin;
  let ec = env.cos;
  let es = env.sin;
  const { stepCos: psc, stepSin: pss } = phase;
  const { stepCos: esc, stepSin: ess } = env;
  for (let i = 0; i < cols; i++) {
    envelope[i] = 0.5 + 0.5 * es;
    slope[i] = ridged ? Math.sign(ps) * pc : pc;
    const c = pc * psc - ps * pss;
    ps = ps * psc + pc * pss;
    pc = c;
    const e = ec * esc - es * ess;
    es = es * esc + ec * ess;
    ec = e;
  }
  return rows;
}

/**
 * The exact geometric mapping a plan describes (homography + wrinkle and crease
 * displacement). The displacement at image pixel (x, y), sampled on nodes every
 * fieldCellPx px (the bilinear interpolant of the nodes is the field):
 *
 *   E = sum over waves  shiftPx * (0.5 + 0.5 sin(env . (x, y) + envPhase)) * cos(k . (x, y) + phase) * k / |k|
 *     + sum over creases kinkPx * tanh((n . (x, y) - offset) / kinkWidthPx) * n
 */
export function pageMappingOf(
  plan: Pick<DistortionPlan, 'homography' | 'waves' | 'creases' | 'fieldCellPx'>,
  width: number,
  height: number,
): PageMapping {
  const shifting = plan.waves.filter((w) => w.shiftPx !== 0);
  if (shifting.length === 0 && plan.creases.length === 0) return { homography: plan.homography };
  const cellPx = plan.fieldCellPx;
  const { cols, rows } = gridSize(width, height, cellPx);
  const dx = new Float32Array(cols * rows);
  const dy = new Float32Array(cols * rows);
  const creases = packCreases(plan.creases, (c) => [c.kinkPx, c.kinkWidthPx]);
  const sums = { ex: new Float64Array(cols), ey: new Float64Array(cols), envelope: new Float64Array(cols), slope: new Float64Array(cols) };
  for (let j = 0; j < rows; j++) displacementRow(shifting, creases, j, cellPx, cols, sums, { dx, dy });
  return { homography: plan.homography, field: { cellPx, cols, rows, dx, dy } };
}

/** Row j of the shade grid (smoothShadeGrid), written at grid[j cols ...]; m: a row of doubles to sum in. */
function shadeRow(
  plan: DistortionPlan,
  weight: readonly number[],
  creases: Float64Array,
  size: { readonly width: number; readonly height: number },
  j: number,
  cellPx: number,
  cols: number,
  rows: WaveRows,
  m: Float64Array,
  grid: Float32Array,
): void {
  const { strength, dirX, dirY, vignette } = plan.lighting;
  const { width, height } = size;
  const y = j * cellPx;
  const v = y / height - 0.5;
  for (let i = 0; i < cols; i++) {
    const u = (i * cellPx) / width - 0.5;
    m[i] = 1 - strength * (0.5 + (u * dirX + v * dirY)) * 0.6 - vignette * (u * u + v * v) * 1.6;
  }
  plan.waves.forEach((w, n) => waveShade(w, weight[n]!, y, cellPx, cols, rows, m));
  for (let i = 0; i < cols; i++) {
    const x = i * cellPx;
    let shade = m[i]!;
    for (let k = 0; k < creases.length; k += CREASE_FIELDS) {
      shade *= 1 + creases[k + 3]! * saturatingTanh((creases[k]! * x + creases[k + 1]! * y - creases[k + 2]!) / creases[k + 4]!);
    }
    grid[j * cols + i] = shade;
  }
}

/** One wave's shading at the row's nodes, added to m: weight (0.5 + 0.5 sin envelope) slope. */
function waveShade(w: WaveComponent, weight: number, y: number, step: number, cols: number, rows: WaveRows, m: Float64Array): void {
  const { envelope, slope } = waveAlongRow(w, w.ridged, y, step, cols, rows);
  for (let i = 0; i < cols; i++) m[i] = m[i]! + weight * envelope[i]! * slope[i]!;
}

/**
 * Brightness multipliers of lighting, wrinkles and the sides of folds (not the
 * fold lines) on nodes every cellPx px, for bilinear interpolation. At (x, y),
 * with u = x / width - 0.5, v = y / height - 0.5 and the light from d:
 *
 *   m = 1 - strength * 0.6 * (0.5 + u dX + v dY) - 1.6 * vignette * (u^2 + v^2)
 *     + sum over waves  shade * envelope * slope * (0.4 + 0.6 (k / |k|) . d)
 *   m *= product over creases  1 + sideShade * tanh((n . (x, y) - offset) / (6 lineWidthPx))
 *
 * where slope is cos t for a plain wave and sign(sin t) cos t (the slope of
 * |sin t|) for a ridged one, t = k . (x, y) + phase.
 */
export function smoothShadeGrid(plan: DistortionPlan, width: number, height: number, cellPx: number): { cols: number; rows: number; grid: Float32Array } {
  const { cols, rows } = gridSize(width, height, cellPx);
  const grid = new Float32Array(cols * rows);
  const { dirX, dirY } = plan.lighting;
  const weight = plan.waves.map((w) => w.shade * (0.4 + (0.6 * (w.kx * dirX + w.ky * dirY)) / Math.hypot(w.kx, w.ky)));
  const creases = packCreases(plan.creases, (c) => [c.sideShade, c.lineWidthPx * 6]);
  const m = new Float64Array(cols);
  const waveRows = { envelope: new Float64Array(cols), slope: new Float64Array(cols) };
  for (let j = 0; j < rows; j++) shadeRow(plan, weight, creases, { width, height }, j, cellPx, cols, waveRows, m, grid);
  return { cols, rows, grid };
}
