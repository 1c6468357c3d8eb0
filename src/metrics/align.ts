/**
 * The alignment step of the PhysioNet Challenge 2024 digitization score
 * (helper_code.py `align_signals`, `convert_signal`, `fft_correlate`, and the
 * limits in evaluate_model.py, September 2024). In order:
 *  1. Quantise reference and output to 256 levels over their joint finite
 *     range: level = round(255 (v - min) / (max - min)), rounding half to even
 *     as numpy does; a flat joint range puts every sample on level 0.
 *  2. Draw each as a binary image (level x time, one pixel per finite sample,
 *     time axis as long as the longer signal) and smooth it with a Gaussian,
 *     sigma 0.5, radius 2, borders reflected (scipy `gaussian_filter`).
 *  3. The peak of the full 2-D cross-correlation, minus the peak of the
 *     reference's autocorrelation, gives the lag and the vertical offset.
 *  4. The caller applies them only within the limits (`withinChallengeLimits`).
 *
 * The challenge computes step 3 with two FFTs of the whole (511 x 2T) plane.
 * Here it is the same quantity, computed from the pixels: a binary image has
 * one pixel per sample, so the correlation of two smoothed images is the 2-D
 * histogram of pairwise (level, time) differences convolved with the 9x9
 * kernel (g * g) x (g * g), for pixels away from the image border; a pixel
 * within 2 of a border has a folded (reflected) response, which depends only
 * on which border row or column it is on, so those pairs get a histogram and
 * kernel per class. Only cells that can hold the maximum are smoothed
 * (see `prunedArgMax`). bench/metrics-snr.ts prints the speed.
 *
 * The autocorrelation of a non-negative image of finite support peaks only at
 * zero lag (Cauchy-Schwarz), so step 3's subtraction is the centre index of
 * the full correlation and needs no second correlation.
 */

/** Quantisation levels of the challenge's 2-D images. */
export const QUANT_LEVELS = 256;
/** Largest vertical offset the challenge corrects, in mV. */
export const MAX_OFFSET_MV = 1;
/** Largest lag the challenge corrects, in seconds (rounded half to even in samples). */
export const MAX_LAG_S = 0.5;

/**
 * Where the output sits relative to the reference: `output[n + lagSamples]
 * - offsetMv` lines up with `reference[n]`. A positive lag is an output that
 * runs late (delayed), a negative lag one that runs ahead (advanced); a
 * positive offset is an output drawn too high.
 */
export interface Alignment {
  readonly lagSamples: number;
  readonly offsetMv: number;
}

export const NO_SHIFT: Alignment = Object.freeze({ lagSamples: 0, offsetMv: 0 });

type Signal = ArrayLike<number>;

/** numpy's `np.round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest < 0.5) return floor;
  if (rest > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Whether the challenge applies an alignment: |lag| <= round(0.5 fs) samples and |offset| <= 1 mV. */
export function withinChallengeLimits(alignment: Alignment, fsHz: number): boolean {
  return (
    Math.abs(alignment.lagSamples) <= roundHalfEven(MAX_LAG_S * fsHz) &&
    Math.abs(alignment.offsetMv) <= MAX_OFFSET_MV
  );
}

/**
 * The output moved onto the reference's grid: sample n is
 * `output[n + lag] - offset`, NaN where that index falls outside the output.
 * The result has the reference's length, so an output that runs ahead keeps
 * its beginning (unlike the challenge's revision of October 2025, which keeps
 * its first |lag| samples only).
 */
export function applyAlignment(output: Signal, alignment: Alignment, length: number): Float64Array {
  const shifted = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    const m = n + alignment.lagSamples;
    shifted[n] = m >= 0 && m < output.length ? (output[m] as number) - alignment.offsetMv : NaN;
  }
  return shifted;
}

/**
 * The challenge's estimate of lag and vertical offset, or undefined when
 * either signal has no finite sample (the challenge then leaves the output
 * as it is). Non-finite samples are treated as missing.
 */
export function estimateAlignment(reference: Signal, output: Signal): Alignment | undefined {
  const range = jointRange(reference, output);
  if (range === undefined) return undefined;
  const timeLength = Math.max(reference.length, output.length);
  const ref = quantise(reference, range);
  const out = quantise(output, range);
  const peak = correlationPeak(ref, out, timeLength);
  // The challenge's offsets are (autocorrelation peak - cross-correlation peak), i.e. minus the lags.
  const offsetLevels = 0 - peak.levelLag;
  return {
    lagSamples: 0 - peak.timeLag,
    offsetMv: offsetLevels === 0 ? 0 : (offsetLevels / (QUANT_LEVELS - 1)) * (range.max - range.min),
  };
}

interface Range {
  readonly min: number;
  readonly max: number;
}

function jointRange(a: Signal, b: Signal): Range | undefined {
  let min = Infinity;
  let max = -Infinity;
  let finiteA = false;
  let finiteB = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (!Number.isFinite(v)) continue;
    finiteA = true;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < b.length; i++) {
    const v = b[i] as number;
    if (!Number.isFinite(v)) continue;
    finiteB = true;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return finiteA && finiteB ? { min, max } : undefined;
}

/** The finite samples of one signal as pixels: time index and level index. */
interface Pixels {
  readonly time: Int32Array;
  readonly level: Int32Array;
}

function quantise(signal: Signal, range: Range): Pixels {
  const times: number[] = [];
  const levels: number[] = [];
  const span = range.max - range.min;
  for (let t = 0; t < signal.length; t++) {
    const v = signal[t] as number;
    if (!Number.isFinite(v)) continue;
    // Same operation order as the challenge, so that float rounding agrees; 0/0 (flat range) lands on level 0 as numpy's cast and clip do.
    const scaled = ((QUANT_LEVELS - 1) * (v - range.min)) / span + 1;
    const level = Number.isNaN(scaled) ? 1 : Math.min(QUANT_LEVELS, Math.max(1, roundHalfEven(scaled)));
    times.push(t);
    levels.push(level - 1);
  }
  return { time: Int32Array.from(times), level: Int32Array.from(levels) };
}

/** scipy.ndimage.gaussian_filter weights for sigma 0.5 (truncate 4 -> radius 2). */
const RADIUS = 2;
const GAUSS: readonly number[] = (() => {
  const raw = [-2, -1, 0, 1, 2].map((x) => Math.exp(-2 * x * x));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
})();

/** (g * g)(j) for j = 0..4: the kernel two smoothed pixels correlate through. */
const PAIR_KERNEL: readonly number[] = (() => {
  const out: number[] = [];
  for (let j = 0; j <= 2 * RADIUS; j++) {
    let s = 0;
    for (let u = -RADIUS; u <= RADIUS; u++) s += gauss(u) * gauss(u - j);
    out.push(s);
  }
  return out;
})();

function gauss(offset: number): number {
  return Math.abs(offset) <= RADIUS ? (GAUSS[offset + RADIUS] as number) : 0;
}

/** scipy's 'reflect' border: (d c b a | a b c d | d c b a), for any axis length. */
function reflect(index: number, length: number): number {
  const period = 2 * length;
  const m = ((index % period) + period) % period;
  return m < length ? m : period - 1 - m;
}

/** The smoothed image of a unit pixel at `position` along an axis of `length`, folded at the borders. */
interface Response {
  readonly start: number;
  readonly weights: Float64Array;
}

function response(position: number, length: number): Response {
  const start = length >= 2 * RADIUS + 1 ? Math.max(0, position - RADIUS) : 0;
  const end = length >= 2 * RADIUS + 1 ? Math.min(length - 1, position + RADIUS) : length - 1;
  const weights = new Float64Array(end - start + 1);
  for (let p = start; p <= end; p++) {
    let w = 0;
    for (let j = -RADIUS; j <= RADIUS; j++) if (reflect(p + j, length) === position) w += gauss(j);
    weights[p - start] = w;
  }
  return { start, weights };
}

/** c[k] = sum_m a[m] b[m - k], as a start lag and values. */
function correlate(a: Response, b: Response): Response {
  const start = a.start - (b.start + b.weights.length - 1);
  const weights = new Float64Array(a.weights.length + b.weights.length - 1);
  for (let i = 0; i < a.weights.length; i++) {
    for (let j = 0; j < b.weights.length; j++) {
      const k = a.start + i - (b.start + j);
      weights[k - start]! += (a.weights[i] as number) * (b.weights[j] as number);
    }
  }
  return { start, weights };
}

/**
 * The correlation, over lag k, of the smoothed unit pixels at p and q along an
 * axis: sum_m r_p[m] r_q[m - k]. Away from the borders it depends on p - q
 * only (and is `PAIR_KERNEL`); within RADIUS of a border it depends on which
 * border pixel. Stored relative to the nominal lag p - q, cached per class.
 */
class PairKernels {
  private readonly cache = new Map<number, Response>();
  constructor(private readonly length: number) {}

  /** Class of a position: 0, 1 (low border), 2 (interior), 3, 4 (high border); on short axes the position itself. */
  classOf(position: number): number {
    if (this.length < 2 * RADIUS + 1) return position;
    if (position < RADIUS) return position;
    if (position > this.length - 1 - RADIUS) return 2 * RADIUS - (this.length - 1 - position);
    return RADIUS;
  }

  isInterior(position: number): boolean {
    return this.length >= 2 * RADIUS + 1 && this.classOf(position) === RADIUS;
  }

  get(p: number, q: number): Response {
    const a = this.classOf(p);
    const b = this.classOf(q);
    const key = a * (2 * RADIUS + 1) + b;
    let kernel = this.cache.get(key);
    if (kernel === undefined) {
      const repA = this.representative(a);
      const repB = this.representative(b);
      const full = correlate(response(repA, this.length), response(repB, this.length));
      kernel = { start: full.start - (repA - repB), weights: full.weights };
      this.cache.set(key, kernel);
    }
    return kernel;
  }

  representative(cls: number): number {
    if (this.length < 2 * RADIUS + 1 || cls <= RADIUS) return cls;
    return this.length - 1 - (2 * RADIUS - cls);
  }
}

const LEVEL_KERNELS = new PairKernels(QUANT_LEVELS);

interface Peak {
  /** k in sum_m R[m] E[m - k] along levels. */
  readonly levelLag: number;
  /** k in sum_n R[n] E[n - k] along time. */
  readonly timeLag: number;
}

/**
 * Arg-max of the full correlation of the two smoothed images. Ties go to the
 * smallest level lag, then the smallest time lag: numpy's first maximum in
 * row-major order (the challenge's FFT breaks exact ties by rounding noise).
 *
 * The correlation over the lag plane (level-lag rows x time-lag columns,
 * inside the box where it can be non-zero) is C = K * D + E:
 *  - D counts the pairs of pixels that are interior on both axes, per
 *    (level, time) difference, and K = (g*g) x (g*g) is their shared kernel;
 *  - E holds, exactly, the pairs with a pixel within RADIUS of a border.
 * K is non-negative and sums to 1, so K * D never exceeds the largest count
 * within its 9x9 window. The plane is cut into blocks; a block whose bound
 * (largest count near it + largest E in it) is below C at the largest count
 * cannot hold the maximum and is skipped. C is computed exactly elsewhere.
 */
function correlationPeak(ref: Pixels, out: Pixels, timeLength: number): Peak {
  const box = lagBox(ref, out, timeLength, 2 * RADIUS);
  const width = box.times;
  const size = box.levels * width;
  const at = (levelLag: number, timeLag: number) => (levelLag - box.levelMin) * width + (timeLag - box.timeMin);
  const timeKernels = new PairKernels(timeLength);
  const refGroups = group(ref, timeKernels);
  const outGroups = group(out, timeKernels);
  const refKey = (i: number) => at(ref.level[i] as number, ref.time[i] as number);
  const outKey = (j: number) => (out.level[j] as number) * width + (out.time[j] as number);
  const interior = RADIUS;
  const counts = differenceHistogram(
    Int32Array.from(refGroups.byLevelClass[interior] as number[], refKey),
    Int32Array.from(outGroups.byLevelClass[interior] as number[], outKey),
    size,
  );

  // Time-interior pairs with a pixel on a level border: per pair of level
  // classes, a histogram of differences smoothed by that pair's level kernel.
  const border = new Float64Array(size);
  let scratch: Int32Array | undefined;
  CLASSES.forEach((ca) => {
    CLASSES.forEach((cb) => {
      if (ca === interior && cb === interior) return;
      const refs = refGroups.byLevelClass[ca] as number[];
      const outs = outGroups.byLevelClass[cb] as number[];
      if (refs.length === 0 || outs.length === 0) return;
      scratch ??= new Int32Array(size);
      const pairs = differenceHistogram(Int32Array.from(refs, refKey), Int32Array.from(outs, outKey), size, scratch);
      const kernel = LEVEL_KERNELS.get(LEVEL_KERNELS.representative(ca), LEVEL_KERNELS.representative(cb));
      spreadAcrossRows(pairs, border, width, kernel);
    });
  });
  smoothAlongRows(border, box.levels, width);

  // Pairs with a pixel on a time border (at most 4 per signal): exact on both axes.
  const addExact = (i: number, j: number) => {
    const a = ref.level[i] as number;
    const b = out.level[j] as number;
    const t = ref.time[i] as number;
    const s = out.time[j] as number;
    const v = LEVEL_KERNELS.get(a, b);
    const h = timeKernels.get(t, s);
    for (let k = 0; k < v.weights.length; k++) {
      const first = at(a - b + v.start + k, t - s + h.start);
      const wv = v.weights[k] as number;
      for (let m = 0; m < h.weights.length; m++) border[first + m]! += wv * (h.weights[m] as number);
    }
  };
  for (const i of refGroups.timeBorder) for (let j = 0; j < out.time.length; j++) addExact(i, j);
  for (const i of refGroups.byLevelClass.flat()) for (const j of outGroups.timeBorder) addExact(i, j);

  return prunedArgMax(counts, border, box);
}

/**
 * target += (level kernel along rows) * pairs; clears `pairs` as it goes.
 * The kernel is relative to the nominal level lag of each cell.
 */
function spreadAcrossRows(pairs: Int32Array, target: Float64Array, width: number, kernel: Response): void {
  for (let cell = 0; cell < pairs.length; cell++) {
    const n = pairs[cell] as number;
    if (n === 0) continue;
    pairs[cell] = 0;
    const first = cell + kernel.start * width;
    for (let k = 0; k < kernel.weights.length; k++) target[first + k * width]! += n * (kernel.weights[k] as number);
  }
}

/** In place: each level-lag row convolved with (g*g) along time lags. */
function smoothAlongRows(plane: Float64Array, rows: number, width: number): void {
  const reach = 2 * RADIUS;
  const row = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let lo = width;
    let hi = -1;
    for (let c = 0; c < width; c++) {
      if (plane[base + c] !== 0) {
        if (lo === width) lo = c;
        hi = c;
      }
    }
    if (hi < 0) continue;
    const from = Math.max(0, lo - reach);
    const to = Math.min(width - 1, hi + reach);
    for (let c = from; c <= to; c++) {
      let sum = 0;
      for (let j = Math.max(lo, c - reach); j <= Math.min(hi, c + reach); j++) {
        sum += (PAIR_KERNEL[Math.abs(j - c)] as number) * (plane[base + j] as number);
      }
      row[c] = sum;
    }
    for (let c = from; c <= to; c++) plane[base + c] = row[c] as number;
  }
}

/** Counts of pixel pairs per plane cell: cell = refKey - outKey. */
function differenceHistogram(refKey: Int32Array, outKey: Int32Array, size: number, into?: Int32Array): Int32Array {
  const counts = into ?? new Int32Array(size);
  for (let i = 0; i < refKey.length; i++) {
    const base = refKey[i] as number;
    for (let j = 0; j < outKey.length; j++) counts[base - (outKey[j] as number)]! += 1;
  }
  return counts;
}

/** Side of the pruning blocks; at least the kernel's reach, so a window touches only neighbouring blocks. */
const BLOCK = 16;

function prunedArgMax(counts: Int32Array, border: Float64Array, box: LagWindow): Peak {
  const rows = box.levels;
  const width = box.times;
  const blockRows = Math.ceil(rows / BLOCK);
  const blockCols = Math.ceil(width / BLOCK);
  const countMax = new Float64Array(blockRows * blockCols);
  const borderMax = new Float64Array(blockRows * blockCols);
  let peakCount = -1;
  let peakCell = 0;
  for (let r = 0; r < rows; r++) {
    const blockRow = ((r / BLOCK) | 0) * blockCols;
    for (let bc = 0; bc < blockCols; bc++) {
      const block = blockRow + bc;
      let nMax = countMax[block] as number;
      let eMax = borderMax[block] as number;
      const end = r * width + Math.min(width, (bc + 1) * BLOCK);
      for (let cell = r * width + bc * BLOCK; cell < end; cell++) {
        const n = counts[cell] as number;
        const e = border[cell] as number;
        if (e > eMax) eMax = e;
        if (n > nMax) {
          nMax = n;
          if (n > peakCount) {
            peakCount = n;
            peakCell = cell;
          }
        }
      }
      countMax[block] = nMax;
      borderMax[block] = eMax;
    }
  }
  const exact = (r: number, c: number) => smoothedCount(counts, rows, width, r, c) + (border[r * width + c] as number);
  const lowerBound = exact(Math.floor(peakCell / width), peakCell % width);

  let best = -Infinity;
  let bestCell = 0;
  const consider = (cell: number, value: number) => {
    if (value > best || (value === best && cell < bestCell)) {
      best = value;
      bestCell = cell;
    }
  };
  for (let br = 0; br < blockRows; br++) {
    for (let bc = 0; bc < blockCols; bc++) {
      let nearCount = 0;
      for (let i = Math.max(0, br - 1); i <= Math.min(blockRows - 1, br + 1); i++) {
        for (let j = Math.max(0, bc - 1); j <= Math.min(blockCols - 1, bc + 1); j++) {
          nearCount = Math.max(nearCount, countMax[i * blockCols + j] as number);
        }
      }
      if (nearCount + (borderMax[br * blockCols + bc] as number) < lowerBound) continue;
      smoothBlock(counts, border, rows, width, br * BLOCK, bc * BLOCK, consider);
    }
  }
  return {
    levelLag: Math.floor(bestCell / width) + box.levelMin,
    timeLag: (bestCell % width) + box.timeMin,
  };
}

/** (K * counts) at one cell. */
function smoothedCount(counts: Int32Array, rows: number, width: number, r: number, c: number): number {
  const reach = 2 * RADIUS;
  let sum = 0;
  for (let i = Math.max(0, r - reach); i <= Math.min(rows - 1, r + reach); i++) {
    const wr = PAIR_KERNEL[Math.abs(i - r)] as number;
    for (let j = Math.max(0, c - reach); j <= Math.min(width - 1, c + reach); j++) {
      sum += wr * (PAIR_KERNEL[Math.abs(j - c)] as number) * (counts[i * width + j] as number);
    }
  }
  return sum;
}

/** Exact C = K * counts + border over one block, separably: along levels, then along time. */
function smoothBlock(
  counts: Int32Array,
  border: Float64Array,
  rows: number,
  width: number,
  r0: number,
  c0: number,
  consider: (cell: number, value: number) => void,
): void {
  const reach = 2 * RADIUS;
  const r1 = Math.min(rows, r0 + BLOCK);
  const c1 = Math.min(width, c0 + BLOCK);
  const cFrom = Math.max(0, c0 - reach);
  const cTo = Math.min(width, c1 + reach);
  const span = cTo - cFrom;
  const acrossLevels = new Float64Array((r1 - r0) * span);
  for (let r = r0; r < r1; r++) {
    const to = (r - r0) * span;
    for (let i = Math.max(0, r - reach); i <= Math.min(rows - 1, r + reach); i++) {
      const w = PAIR_KERNEL[Math.abs(i - r)] as number;
      const from = i * width + cFrom;
      for (let k = 0; k < span; k++) acrossLevels[to + k]! += w * (counts[from + k] as number);
    }
  }
  for (let r = r0; r < r1; r++) {
    const row = (r - r0) * span;
    for (let c = c0; c < c1; c++) {
      let sum = 0;
      for (let j = Math.max(cFrom, c - reach); j <= Math.min(cTo - 1, c + reach); j++) {
        sum += (PAIR_KERNEL[Math.abs(j - c)] as number) * (acrossLevels[row + j - cFrom] as number);
      }
      const cell = r * width + c;
      consider(cell, sum + (border[cell] as number));
    }
  }
}

/** The window of lags (level, time) the correlation is searched in. */
interface LagWindow {
  readonly levelMin: number;
  readonly levels: number;
  readonly timeMin: number;
  readonly times: number;
}

/** The lags where the correlation can be non-zero, padded by the kernel's reach. */
function lagBox(ref: Pixels, out: Pixels, timeLength: number, reach: number): LagWindow {
  const [refLevelMin, refLevelMax] = extent(ref.level);
  const [outLevelMin, outLevelMax] = extent(out.level);
  const [refTimeMin, refTimeMax] = extent(ref.time);
  const [outTimeMin, outTimeMax] = extent(out.time);
  const levelMin = Math.max(-(QUANT_LEVELS - 1), refLevelMin - outLevelMax - reach);
  const levelMax = Math.min(QUANT_LEVELS - 1, refLevelMax - outLevelMin + reach);
  const timeMin = Math.max(-(timeLength - 1), refTimeMin - outTimeMax - reach);
  const timeMax = Math.min(timeLength - 1, refTimeMax - outTimeMin + reach);
  return { levelMin, levels: levelMax - levelMin + 1, timeMin, times: timeMax - timeMin + 1 };
}

function extent(values: Int32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** The classes of PairKernels: 0, 1 (low border), RADIUS (interior), 3, 4 (high border). */
const CLASSES = Array.from({ length: 2 * RADIUS + 1 }, (_, c) => c);

/** Time-interior pixels by level class, and the pixels within RADIUS of a time border. */
function group(pixels: Pixels, timeKernels: PairKernels): { byLevelClass: number[][]; timeBorder: number[] } {
  const byLevelClass: number[][] = CLASSES.map(() => []);
  const timeBorder: number[] = [];
  for (let i = 0; i < pixels.time.length; i++) {
    if (!timeKernels.isInterior(pixels.time[i] as number)) timeBorder.push(i);
    else byLevelClass[LEVEL_KERNELS.classOf(pixels.level[i] as number)]!.push(i);
  }
  return { byLevelClass, timeBorder };
}
