/**
 * The renderer's per-pixel passes compiled to WebAssembly (assembly/render.ts,
 * built by `npm run build` into dist/wasm/render.wasm), for the noisy page's
 * costliest passes (issue 21): the warp's spans inside the page, the clean
 * twin's grey lookup, and the photometric pass (its noise table, shade rows
 * and the pass itself). Each kernel is its JavaScript twin's integer
 * arithmetic to the bit, so pages are the same whichever ran; where the
 * module is missing (sources run before a build) the twins run, and
 * `renderKernelsMissing()` says so for the render stage to warn once.
 *
 * Memory: the kernels allocate nothing. A caller places its regions with
 * `place()` (which may grow the memory, detaching views made before it),
 * fills them, runs kernels and copies results out, all in one synchronous
 * stretch: the next `place()` hands the same bytes to the next pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Exports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  warpInsideSpans(src: number, rowOut: number, width: number, nodeX: number, nodeY: number, inside: number, spans: number, backward: number): void;
  shadeRow(row: number, shade: number, noise: number, width: number, g0: number, g1: number, g2: number): void;
  shadeBase(grid: number, cols: number, j: number, fy: number, cells: number, shade: number, width: number): void;
  noiseTable(normals: number, table: number, pixels: number, wrap: number, offset: number, sd: number): void;
  greyOf(rgb: number, grey: number, pixels: number, table: number): void;
  blurRgb(image: number, scratch: number, width: number, height: number, coeffs: number, taps: number, exp: number, scale: number): void;
  stepNodes(nodeX: number, nodeY: number, stepX: number, stepY: number, nodes: number): void;
}

const MODULE_PATH = fileURLToPath(new URL('../../../dist/wasm/render.wasm', import.meta.url));
const PAGE_BYTES = 64 * 1024;
const ALIGN = 16;
/** Bytes after each region that a kernel may read or write (one 16-byte vector past its last pixel): see assembly/render.ts. */
const SLACK = 16;

export class RenderKernels {
  /** Tables kept in the memory for good (resident()), and where the regions of place() start after them. */
  private readonly residents = new Map<Uint8Array, number>();
  private residentEnd: number;

  private constructor(private readonly exports: Exports) {
    this.residentEnd = Math.ceil(exports.heapBase() / ALIGN) * ALIGN;
  }

  static load(path: string): RenderKernels {
    const module = new WebAssembly.Module(readFileSync(path));
    const instance = new WebAssembly.Instance(module, {});
    return new RenderKernels(instance.exports as unknown as Exports);
  }

  /** The kernels' whole memory, as it is now: take views after the last `place()`. */
  get memory(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  /** Byte offsets of regions of `sizes` bytes (16-byte aligned, not cleared, each with 16 spare bytes after it), valid until the next call. */
  place(sizes: readonly number[]): number[] {
    let at = this.residentEnd;
    const offsets = sizes.map((size) => {
      const offset = at;
      at += Math.ceil((size + SLACK) / ALIGN) * ALIGN;
      return offset;
    });
    this.reach(at);
    return offsets;
  }

  /**
   * The offset of a copy of `table` that stays for the process (a lookup
   * table built once, such as the twin's grey of every colour): copied in
   * on the first call for that array. Call it before place(): it may move
   * where the regions start.
   */
  resident(table: Uint8Array): number {
    const known = this.residents.get(table);
    if (known !== undefined) return known;
    const at = this.residentEnd;
    this.residentEnd += Math.ceil((table.byteLength + SLACK) / ALIGN) * ALIGN;
    this.reach(this.residentEnd);
    new Uint8Array(this.memory, at, table.byteLength).set(table);
    this.residents.set(table, at);
    return at;
  }

  private reach(end: number): void {
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES));
  }

  /** warp-image.ts's warpSpan over one image row's spans with every tap on the page (inside[n] = 1); see assembly/render.ts. */
  warpInsideSpans(src: number, rowOut: number, width: number, nodeX: number, nodeY: number, inside: number, spans: number, backward: boolean): void {
    this.exports.warpInsideSpans(src, rowOut, width, nodeX, nodeY, inside, spans, backward ? 1 : 0);
  }

  /** photometric.ts's row of shading, colour and sensor noise; see assembly/render.ts. */
  shadeRow(row: number, shade: number, noise: number, width: number, g0: number, g1: number, g2: number): void {
    this.exports.shadeRow(row, shade, noise, width, g0, g1, g2);
  }

  /** photometric.ts's shade row from the smooth shade grid; see assembly/render.ts. */
  shadeBase(grid: number, cols: number, j: number, fy: number, cells: number, shade: number, width: number): void {
    this.exports.shadeBase(grid, cols, j, fy, cells, shade, width);
  }

  /** image-file.ts's grey of each RGB pixel by lookup (`table` resident); see assembly/render.ts. */
  greyOf(rgb: number, grey: number, pixels: number, table: number): void {
    this.exports.greyOf(rgb, grey, pixels, table);
  }

  /** warp-image.ts's fixed-point nodes one image row down their band; see assembly/render.ts. */
  stepNodes(nodeX: number, nodeY: number, stepX: number, stepY: number, nodes: number): void {
    this.exports.stepNodes(nodeX, nodeY, stepX, stepY, nodes);
  }

  /** libvips' separable integer blur of an RGB image in place (photometric.ts, blur-mask.ts); see assembly/render.ts. */
  blurRgb(image: number, scratch: number, width: number, height: number, coeffs: number, taps: number, exp: number, scale: number): void {
    this.exports.blurRgb(image, scratch, width, height, coeffs, taps, exp, scale);
  }

  /** photometric.ts's sensor-noise table from its normals (`wrap` <= `pixels`); see assembly/render.ts. */
  noiseTable(normals: number, table: number, pixels: number, wrap: number, offset: number, sd: number): void {
    this.exports.noiseTable(normals, table, pixels, wrap, offset, sd);
  }
}

let loaded: RenderKernels | null | undefined;
/** Why the module could not be loaded, where it could not. */
let loadError: string | undefined;
let enabled = true;

/** The kernels, or undefined where the module is missing, unreadable or switched off (then the JavaScript twins run). */
export function renderKernels(): RenderKernels | undefined {
  if (!enabled) return undefined;
  if (loaded === undefined) {
    try {
      loaded = RenderKernels.load(MODULE_PATH);
    } catch (error) {
      loaded = null;
      loadError = existsSync(MODULE_PATH) ? `could not be loaded (${error instanceof Error ? error.message : String(error)})` : 'is missing';
    }
  }
  return loaded ?? undefined;
}

/** Run the JavaScript twins instead (false) or the kernels again (true): for the parity tests and bench/render-pages.ts. */
export function useRenderKernels(on: boolean): void {
  enabled = on;
}

/** A warning for the render stage where the module is missing or unreadable, else undefined. */
export function renderKernelsMissing(): string | undefined {
  if (!enabled || renderKernels()) return undefined;
  return `render: ${MODULE_PATH} ${loadError} (run \`npm run build\`): the warp and the photometric pass run in JavaScript, the same pages, a noisy one about a third slower`;
}
