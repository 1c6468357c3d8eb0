/**
 * The upper median: the element at floor(n / 2) of the sorted values (for
 * an even count, the larger of the two middle ones), NaN for none. The page
 * geometry's robust picks (grid harmonics, row extents, trace baselines) use
 * it: it is always one of the values, never a mean of two.
 */
export function upperMedian(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
