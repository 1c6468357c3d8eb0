/**
 * Progress of long work, reported through an object the CLI hands in: a bar
 * with ETA on a terminal, plain lines otherwise, nothing in tests.
 */
export interface Progress {
  /** Begin a task of `total` units, e.g. `classifier2d epoch 3/10`. */
  start(label: string, total: number): void;
  /** Advance by `units`, optionally with a short status such as `loss 0.41`. */
  tick(units?: number, status?: string): void;
  /** The current task ended. */
  stop(): void;
}

export const silentProgress: Progress = { start() {}, tick() {}, stop() {} };
