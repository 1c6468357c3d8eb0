/**
 * The WebGPU backend, opt-in (`backend=webgpu`; auto never takes it):
 * @tensorflow/tfjs-backend-webgpu on Dawn for Node (the `webgpu` package).
 * Neither is a dependency: `npm run setup:webgpu` installs both without
 * saving them, so `npm ci` never fetches Dawn's 21 MB binary. Phases:
 *   1. import `webgpu` and install Dawn's globals (GPUBufferUsage,
 *      GPUMapMode, ...) and `navigator.gpu`: tfjs-backend-webgpu reads them,
 *      and registers its backend on import only where navigator.gpu exists;
 *   2. ask Dawn for an adapter (null on machines without a Vulkan driver);
 *   3. import tfjs-backend-webgpu, which registers 'webgpu' on the one
 *      tfjs-core instance (a peer dependency), and make it tfjs's backend.
 * Where the runtime has WebGPU of its own (`navigator.gpu`: Deno, a
 * browser), that is used instead of Dawn. Then ecg-lab's own kernels
 * replace tfjs's slow convolution and pooling gradients
 * (webgpu-kernels/; ECG_LAB_WEBGPU_KERNELS=tfjs or gradients to compare).
 * Reads back from the GPU must be asynchronous (models/read.ts): the
 * backend's `dataSync()` goes through OffscreenCanvas, which Node lacks.
 */
import * as tf from '@tensorflow/tfjs';
import { EcgError } from '../core/errors.js';
import { backendMessages, webgpuMessages as msg } from '../core/messages.js';
import { registerWebgpuKernels, webgpuKernelSet } from './webgpu-kernels/index.js';
import type { WebgpuKernelSet } from './webgpu-kernels/index.js';

const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';
const DAWN = 'webgpu';

export interface WebgpuRuntime {
  /** The adapter as Dawn describes it: vendor, architecture, device, driver. */
  readonly adapter: string;
  /** Whose convolution and pooling-gradient kernels run: ecg-lab's (the default), ecg-lab's gradients only, or tfjs-backend-webgpu's. */
  readonly kernels: WebgpuKernelSet;
}

/** The part of Dawn's GPUAdapter that ecg-lab reads (the `webgpu` package is not installed when typechecking). */
interface DawnAdapter {
  readonly info?: { readonly vendor?: string; readonly architecture?: string; readonly device?: string; readonly description?: string };
}

interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>;
}

interface DawnModule {
  create(options: string[]): DawnGpu;
  readonly globals: object;
}

let gpu: DawnGpu | undefined;

export async function loadWebgpu(): Promise<WebgpuRuntime> {
  gpu ??= runtimeGpu() ?? installDawn(await importOptional<DawnModule>(DAWN));
  const adapter = await requestAdapter(gpu);
  await importOptional(TFJS_WEBGPU);
  const kernels = webgpuKernelSet();
  registerWebgpuKernels(kernels);
  if (!(await tf.setBackend('webgpu'))) throw new EcgError('BACKEND_UNAVAILABLE', backendMessages.setBackendFailed('webgpu'));
  await tf.ready();
  return { adapter: describeAdapter(adapter), kernels };
}

/** Imports a package that setup:webgpu installs; a variable specifier keeps TypeScript from requiring its types. */
async function importOptional<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${name}'`);
    const detail = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    throw new EcgError('BACKEND_UNAVAILABLE', missing ? msg.packageMissing(name) : msg.packageNotLoaded(name, detail), { cause: error });
  }
}

/** The runtime's own WebGPU (Deno's, a browser's), if it has one. */
function runtimeGpu(): DawnGpu | undefined {
  return (globalThis as { navigator?: { gpu?: DawnGpu } }).navigator?.gpu;
}

/** Dawn's globals on globalThis and its GPU as navigator.gpu, where tfjs-backend-webgpu looks for them. */
function installDawn(dawn: DawnModule): DawnGpu {
  const created = dawn.create([]);
  Object.assign(globalThis, dawn.globals);
  const global = globalThis as { navigator?: object };
  if (global.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu: created }, configurable: true, writable: true });
  else Object.defineProperty(global.navigator, 'gpu', { value: created, configurable: true });
  return created;
}

async function requestAdapter(dawn: DawnGpu): Promise<DawnAdapter> {
  let adapter: DawnAdapter | null;
  try {
    adapter = await dawn.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    throw new EcgError('BACKEND_UNAVAILABLE', msg.noAdapter(), { cause: error });
  }
  if (adapter === null) throw new EcgError('BACKEND_UNAVAILABLE', msg.noAdapter());
  return adapter;
}

function describeAdapter(adapter: DawnAdapter): string {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unknown adapter';
}
