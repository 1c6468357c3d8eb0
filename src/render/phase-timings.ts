/**
 * Where a page's time goes: a sink a caller may hand to renderPage, filled
 * per phase with wall milliseconds and process CPU milliseconds (all threads,
 * libvips included; added up when a phase runs more than once). Without a
 * sink the phases run as they are: one branch per phase, no clock read, so a
 * render that nobody measures pays nothing for it.
 *
 * Normally the mask's and the clean twin's encodings run on libvips threads
 * beside the photometric chain, and the blur beside the shading tables, so
 * phases overlap: their wall times may add up to more than the page's, and a
 * phase's CPU includes whatever ran beside it. A sink made with
 * `phaseTimings({ serial: true })` has renderPage run the phases one after
 * another instead (the same bytes, no overlap), so that each phase's CPU is
 * its own: on a machine other work shares, CPU moves much less than wall
 * time, and it is what one core would need.
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

export interface PhaseTimings {
  /** Wall milliseconds per phase. */
  readonly wallMs: Partial<Record<RenderPhase, number>>;
  /** Process CPU milliseconds per phase (user + system, every thread). */
  readonly cpuMs: Partial<Record<RenderPhase, number>>;
  /** Run the phases one after another, none beside another (see the file comment). */
  readonly serial: boolean;
}

export function phaseTimings(options: { readonly serial?: boolean } = {}): PhaseTimings {
  return { wallMs: {}, cpuMs: {}, serial: options.serial ?? false };
}

/** Whether phases that may overlap should wait for each other (a serial sink). */
export const serialPhases = (timings: PhaseTimings | undefined): boolean => timings?.serial === true;

function record(timings: PhaseTimings, phase: RenderPhase, wallStart: number, cpuStart: NodeJS.CpuUsage): void {
  const cpu = process.cpuUsage(cpuStart);
  timings.wallMs[phase] = (timings.wallMs[phase] ?? 0) + performance.now() - wallStart;
  timings.cpuMs[phase] = (timings.cpuMs[phase] ?? 0) + (cpu.user + cpu.system) / 1000;
}

export function timed<T>(timings: PhaseTimings | undefined, phase: RenderPhase, fn: () => T): T {
  if (!timings) return fn();
  const wall = performance.now();
  const cpu = process.cpuUsage();
  try {
    return fn();
  } finally {
    record(timings, phase, wall, cpu);
  }
}

export async function timedAsync<T>(timings: PhaseTimings | undefined, phase: RenderPhase, fn: () => Promise<T>): Promise<T> {
  if (!timings) return fn();
  const wall = performance.now();
  const cpu = process.cpuUsage();
  try {
    return await fn();
  } finally {
    record(timings, phase, wall, cpu);
  }
}
