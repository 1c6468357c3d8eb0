/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight; results
 * in input order. After a call fails no new call starts, and the promise
 * rejects with that first error only once the calls in flight have settled:
 * a caller that cleans up on failure (the stage cache removing its temporary
 * folder) never races a call that is still writing.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return out;
}
