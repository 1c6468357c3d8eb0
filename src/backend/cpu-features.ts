/**
 * The SIMD features of this CPU that TensorFlow's oneDNN and XNNPACK
 * kernels dispatch on at run time; they explain most of the speed
 * difference between two machines, so every run records them.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const REPORTED = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'avx_vnni', 'amx_tile', 'amx_bf16', 'neon', 'asimd'] as const;

/** The reported features /proc/cpuinfo lists (empty where it does not exist). */
export function cpuFeatures(cpuinfo: string = readCpuinfo()): string[] {
  const line = cpuinfo.split('\n').find((l) => /^(flags|Features)\s*:/.test(l)) ?? '';
  const flags = new Set(line.replace(/^[^:]*:/, '').trim().split(/\s+/));
  return REPORTED.filter((f) => flags.has(f));
}

export function cpuThreads(): number {
  return availableParallelism();
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}
