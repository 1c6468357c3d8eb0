/**
 * The only source of randomness in src/: a seeded generator passed in.
 * Same seed, same numbers, on every platform (integer arithmetic only in the
 * state update). Algorithm: xoshiro128** (Blackman & Vigna, 2018), seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Standard normal (Box-Muller, no cached second value: replays exactly). */
  normal(mean?: number, sd?: number): number;
  /**
   * Fill `out` with standard normals, two per 32-bit draw: each 16-bit half
   * picks one of 65536 equally likely quantiles (standardNormalQuantiles), so
   * |z| <= 4.33. For bulk noise: tens of times faster than normal() per value.
   */
  fillNormals(out: Float32Array): void;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A new independent generator derived from this one and a label. */
  fork(label: string): Rng;
  /** A Fisher-Yates shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a string, for deriving seeds from labels. */
export function hashString32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number | string): Rng {
  const numeric = typeof seed === 'string' ? hashString32(seed) : seed >>> 0 ^ Math.floor(seed / 2 ** 32);
  const init = splitmix32(numeric);
  // The state's four words in an Int32Array rather than closure variables: a
  // 32-bit word is often outside the small integers V8 keeps unboxed, so each
  // update of a variable was a new heap number (megabytes of garbage a noisy
  // page); the words' bits, and so the stream, are the same.
  const state = new Int32Array(4);
  state[0] = init();
  state[1] = init();
  state[2] = init();
  state[3] = init();
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;

  const nextU32 = (): number => {
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
    return result;
  };

  const next = (): number => nextU32() / 4294967296;

  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: (mean = 0, sd = 1) => {
      let u = next();
      while (u <= Number.MIN_VALUE) u = next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fillNormals: (out) => {
      const quantiles = standardNormalQuantiles();
      for (let i = 0; i < out.length; i += 2) {
        const bits = nextU32();
        out[i] = quantiles[bits >>> 16]!;
        if (i + 1 < out.length) out[i + 1] = quantiles[bits & 0xffff]!;
      }
    },
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick() from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    fork: (label) => createRng((nextU32() ^ hashString32(label)) >>> 0),
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = out[i] as T;
        out[i] = out[j] as T;
        out[j] = tmp;
      }
      return out;
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Below this p (and above 1 - it) the quantile is a tail's rational function. */
const ACKLAM_TAIL = 0.02425;

/**
 * The standard normal quantile at p in (0, 1): Acklam's rational
 * approximation (relative error below 1.2e-9), one rational function for the
 * centre and one in sqrt(-2 ln p) for each tail.
 */
export function normalQuantile(p: number): number {
  if (p < ACKLAM_TAIL) return acklamTail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - ACKLAM_TAIL) return -acklamTail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  const numerator = (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q;
  const denominator = ((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) * r + 1;
  return numerator / denominator;
}

function acklamTail(q: number): number {
  const numerator = ((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783;
  const denominator = (((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1;
  return numerator / denominator;
}

const QUANTILE_COUNT = 1 << 16;
let quantiles: Float32Array | undefined;

/** The standard normal quantiles at (i + 0.5) / 65536, i = 0 .. 65535: a 16-bit uniform draw picks one (built once). */
function standardNormalQuantiles(): Float32Array {
  if (quantiles) return quantiles;
  const table = new Float32Array(QUANTILE_COUNT);
  for (let i = 0; i < QUANTILE_COUNT; i++) table[i] = normalQuantile((i + 0.5) / QUANTILE_COUNT);
  quantiles = table;
  return table;
}
