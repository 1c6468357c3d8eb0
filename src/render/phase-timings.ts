/**
 * Where a page's time goes: a sink a caller may hand to renderPage, filled
 * with phase name -> wall milliseconds (added up when a phase runs more than
 * once). Without a sink the phases run as they are: one branch per phase, no
 * clock read, so a render that nobody measures pays nothing for it.
 *
 * Phases that overlap (the three encodings run at once on libvips threads)
 * each report their own wall time, so the phases may add up to more than the
 * page's wall time.
 */
export type RenderPhase =
  | 'print'
  | 'plan'
  | 'displacementField'
  | 'warp'
  | 'groundTruthPoints'
  | 'mask'
  | 'stains'
  | 'marks'
  | 'blur'
  | 'shadeColourNoise'
  | 'encodeImage'
  | 'encodeClean'
  | 'encodeMask';

export type PhaseTimings = Partial<Record<RenderPhase, number>>;

export function timed<T>(timings: PhaseTimings | undefined, phase: RenderPhase, fn: () => T): T {
  if (!timings) return fn();
  const start = performance.now();
  try {
    return fn();
  } finally {
    timings[phase] = (timings[phase] ?? 0) + performance.now() - start;
  }
}

export async function timedAsync<T>(timings: PhaseTimings | undefined, phase: RenderPhase, fn: () => Promise<T>): Promise<T> {
  if (!timings) return fn();
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[phase] = (timings[phase] ?? 0) + performance.now() - start;
  }
}
