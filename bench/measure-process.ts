/**
 * Run a command and measure it as /usr/bin/time -v would, from /proc (Linux),
 * so a bench needs nothing installed: wall time, CPU time (user + system, all
 * threads) and peak resident memory (VmHWM, the kernel's high-water mark,
 * read every `sampleMs` while the process lives; it only grows, so the last
 * reading is the peak up to that moment), plus the load average before and
 * after, since these machines are shared.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessFigures {
  readonly exitCode: number | null;
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMb: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  /** When the process was started (ms since the epoch), for placing rssSamples against other clocks' timestamps. */
  readonly startedAtMs: number;
  /** Resident memory over time: [ms since start, MB] per sample (VmRSS). */
  readonly rssSamples: readonly (readonly [number, number])[];
}

const CLOCK_TICKS_PER_S = 100;

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** VmHWM (peak) and VmRSS (now) in kB. */
function residentKb(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { peak: field('VmHWM'), now: field('VmRSS') };
  } catch {
    return undefined;
  }
}

/** utime + stime of the process (fields 14 and 15 of /proc/<pid>/stat), in seconds. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

export async function measureProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; sampleMs?: number; onOutput?: (chunk: string) => void } = {},
): Promise<ProcessFigures> {
  const loadBefore = loadAverage();
  const start = performance.now();
  const startedAtMs = Date.now();
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let peakKb = 0;
  let cpuS = 0;
  const rssSamples: [number, number][] = [];
  const sample = () => {
    if (child.pid === undefined) return;
    const resident = residentKb(child.pid);
    if (resident) {
      peakKb = Math.max(peakKb, resident.peak);
      rssSamples.push([performance.now() - start, resident.now / 1024]);
    }
    cpuS = Math.max(cpuS, cpuSeconds(child.pid) ?? 0);
  };
  const timer = setInterval(sample, options.sampleMs ?? 500);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => options.onOutput?.(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => options.onOutput?.(chunk));
  const exitCode = await new Promise<number | null>((resolve) => {
    // By 'exit' the process is reaped and /proc/<pid> is gone: the figures are those of the last sample.
    child.on('exit', (code) => resolve(code));
  });
  clearInterval(timer);
  return { exitCode, wallS: (performance.now() - start) / 1000, cpuS, peakRssMb: peakKb / 1024, loadBefore, loadAfter: loadAverage(), startedAtMs, rssSamples };
}
