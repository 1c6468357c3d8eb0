/**
 * The part of tfjs-backend-webgpu that ecg-lab's WebGPU kernels use. The
 * package is not a dependency (`npm run setup:webgpu` installs it), so its
 * types are restated here, only as far as ecg-lab relies on them:
 *
 * - a program is an object with `getUserCode()` (WGSL), the input names
 *   (`variableNames`: the shader reads them as `array<f32>`s of those
 *   names), `outputShape` (the backend binds the output as `result`),
 *   `dispatch` (workgroups in x, y, z), `workgroupSize`, `shaderKey` (the
 *   pipeline cache key: everything baked into the code must be in it) and
 *   `dispatchLayout` (`{ x: [...] }` alone makes the backend call
 *   `main(index)` with a flat global index; with `y` it calls `main()`);
 * - `runWebGPUProgram(program, inputs, dtype, uniforms)` compiles once per
 *   shader key, binds output, inputs and one uniform buffer, and records
 *   the dispatch. The pipeline layout is 'auto', which keeps only the
 *   bindings a shader uses, while the backend binds them all: every
 *   program must read every input and `uniforms`, or the bind group fails.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

export interface ProgramUniform {
  readonly type: 'int32' | 'uint32' | 'float32';
  readonly data: readonly number[];
}

export interface WebgpuProgram {
  readonly variableNames: readonly string[];
  readonly outputShape: readonly number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  /** Extra uniform fields, WGSL struct syntax ending in commas. */
  readonly uniforms?: string;
  /** Whether the backend adds `uniforms.size` (the output's element count). */
  readonly size?: boolean;
  getUserCode(): string;
}

export interface WebgpuBackend {
  runWebGPUProgram(program: WebgpuProgram, inputs: readonly TensorInfo[], outputDtype: DataType, uniforms?: readonly ProgramUniform[]): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The most workgroups WebGPU guarantees in one dimension of a dispatch. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Spreads `count` workgroups over x and y, each under the limit; shaders linearise workgroupId back. */
export function spreadDispatch(count: number): [number, number, number] {
  const x = Math.min(count, 32768);
  const y = Math.ceil(count / x);
  if (y > MAX_WORKGROUPS_PER_DIMENSION) throw new RangeError(`a dispatch of ${count} workgroups is more than ${x} x ${MAX_WORKGROUPS_PER_DIMENSION}`);
  return [x, y, 1];
}

/** A WGSL i32 literal; baked dimensions are checked to fit. */
export function int(value: number): string {
  if (!Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1) throw new RangeError(`${value} is not a 32-bit integer`);
  return `${value}`;
}

/** A WGSL f32 literal that always has a decimal point or exponent. */
export function float(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * A program with one thread per output element: the backend calls
 * `main(index)` with the element's flat index and `uniforms.size` is the
 * output's element count.
 */
export abstract class FlatProgram implements WebgpuProgram {
  abstract readonly variableNames: readonly string[];
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;

  constructor(outputShape: readonly number[], readonly shaderKey: string) {
    this.outputShape = outputShape.slice();
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = spreadDispatch(Math.ceil(outputShape.reduce((a, b) => a * b, 1) / 64));
  }

  abstract getUserCode(): string;
}
