/**
 * Choosing and loading the TensorFlow.js backend a config names:
 * `auto | tensorflow-gpu | tensorflow | wasm | cpu | webgpu`. `auto` takes
 * the first that loads in AUTO_ORDER (fastest first; tensorflow-gpu only
 * where a GPU device exists; never webgpu, which is opt-in) and reports why
 * it passed over the faster ones. A backend
 * asked for by name that cannot load is a BACKEND_UNAVAILABLE error naming
 * the command that installs it.
 */
import * as tf from '@tensorflow/tfjs';
import { EcgError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { backendMessages, webgpuMessages } from '../core/messages.js';
import { cpuFeatures, cpuThreads } from './cpu-features.js';
import type { BackendInfo, FallbackReason } from './info.js';
import { describeBackend } from './info.js';
import { AUTO_ORDER, BACKEND_NAMES, INSTALL_COMMAND } from './names.js';
import type { BackendName, LoadedBackendName } from './names.js';
import { gpuDevicePresent, loadNative, oneDnnEnabled } from './native.js';
import { loadCpu, loadWasm } from './wasm.js';
import { loadWebgpu } from './webgpu.js';

export interface SelectBackendOptions {
  /** Let TensorFlow print its start-up logging (device, oneDNN and CPU-feature banners). */
  readonly verbose?: boolean;
}

type Loaded = Omit<BackendInfo, 'requested' | 'fallback'>;

/** Loads the backend, makes it tfjs's current one, logs describeBackend() and returns its info. */
export async function selectBackend(name: BackendName, logger: Logger, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new EcgError('BACKEND_UNAVAILABLE', backendMessages.backendUnknown(name, BACKEND_NAMES));
  }
  const info = name === 'auto' ? await loadFirst(logger, options) : { ...(await loadNamed(name, options)), requested: name, fallback: [] };
  logger.info(describeBackend(info));
  return info;
}

async function loadNamed(name: LoadedBackendName, options: SelectBackendOptions): Promise<Loaded> {
  try {
    return await load(name, options);
  } catch (error) {
    const noAdapter = error instanceof EcgError && error.message === webgpuMessages.noAdapter();
    throw new EcgError('BACKEND_UNAVAILABLE', backendMessages.backendUnavailable(name, errorMessage(error), noAdapter ? undefined : INSTALL_COMMAND[name]), { cause: error });
  }
}

async function loadFirst(logger: Logger, options: SelectBackendOptions): Promise<BackendInfo> {
  const fallback: FallbackReason[] = [];
  for (const name of AUTO_ORDER) {
    if (name === 'tensorflow-gpu' && !gpuDevicePresent()) continue;
    try {
      const loaded = await load(name, options);
      for (const skipped of fallback) logger.warn(backendMessages.fellBack(name, skipped.backend, skipped.reason));
      return { ...loaded, requested: 'auto', fallback };
    } catch (error) {
      fallback.push({ backend: name, reason: errorMessage(error) });
    }
  }
  throw new EcgError('BACKEND_UNAVAILABLE', backendMessages.nothingLoads(fallback.map((f) => `${f.backend}: ${f.reason}`).join('; ')));
}

async function load(name: LoadedBackendName, options: SelectBackendOptions): Promise<Loaded> {
  const common = { tfjsVersion: tf.version_core, cpuFeatures: cpuFeatures(), threads: cpuThreads() };
  if (name === 'tensorflow' || name === 'tensorflow-gpu') {
    const native = await loadNative(name, options.verbose ?? false);
    return { ...common, name, tensorflowVersion: native.tensorflowVersion, device: native.gpu ? 'gpu' : 'cpu', oneDnn: native.gpu ? null : oneDnnEnabled(), wasmSimd: null, gpuAdapter: null };
  }
  if (name === 'wasm') {
    const wasm = await loadWasm();
    return { ...common, name, tensorflowVersion: null, device: 'cpu', oneDnn: null, threads: wasm.threads, wasmSimd: wasm.simd, gpuAdapter: null };
  }
  if (name === 'webgpu') {
    const webgpu = await loadWebgpu();
    return { ...common, name, tensorflowVersion: null, device: 'gpu', oneDnn: null, threads: 1, wasmSimd: null, gpuAdapter: `${webgpu.adapter}, ${webgpu.kernels} kernels` };
  }
  await loadCpu();
  return { ...common, name, tensorflowVersion: null, device: 'cpu', oneDnn: null, threads: 1, wasmSimd: null, gpuAdapter: null };
}
