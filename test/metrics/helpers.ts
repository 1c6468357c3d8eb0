/** Fixtures for the metrics tests. */

/** sin(2 pi n / period): over whole periods its mean square is exactly 1/2. */
export function sine(length: number, period: number): Float64Array {
  return new Float64Array(length).map((_, n) => Math.sin((2 * Math.PI * n) / period));
}

/** A smooth signal with no period inside 10 s at 100 Hz. */
export function aperiodic(length: number): Float64Array {
  return new Float64Array(length).map(
    (_, n) => 0.6 * Math.sin((2 * Math.PI * 1.3 * n) / 100) + 0.3 * Math.sin((2 * Math.PI * 0.37 * n) / 100 + 1) + 0.1 * Math.sin((2 * Math.PI * 5.1 * n) / 100),
  );
}

export function meanSquare(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] as number) ** 2;
  return s / (to - from);
}
