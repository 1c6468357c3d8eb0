/**
 * Time left of a task counted in units (steps, pages, cells). The rate is
 * the mean since the first unit ended, not a window of recent units: the
 * first unit carries the warm-up (graph building, file caches), and a short
 * window makes the estimate jump whenever a slow step (validation, a
 * checkpoint) falls into it. Between units the estimate counts down.
 */
export interface Meter {
  readonly done: number;
  readonly total: number;
  readonly startedAt: number;
  advance(units: number, now: number): void;
  /** Milliseconds left, or undefined before a rate is known. */
  remainingMs(now: number): number | undefined;
}

export function meter(total: number, now: number): Meter {
  let done = 0;
  let first: { at: number; done: number } | undefined;
  let last = now;
  return {
    get done() {
      return done;
    },
    total,
    startedAt: now,
    advance(units, at) {
      done += units;
      last = at;
      first ??= { at, done };
    },
    remainingMs(at) {
      if (!first || done <= first.done || last <= first.at) return undefined;
      const perUnit = (last - first.at) / (done - first.done);
      return Math.max(0, (total - done) * perUnit - (at - last));
    },
  };
}
