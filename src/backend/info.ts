/** What a run records about the backend it trained on: tags, and the first line it prints. */
import type { BackendName, LoadedBackendName } from './names.js';

export interface FallbackReason {
  readonly backend: LoadedBackendName;
  readonly reason: string;
}

export interface BackendInfo {
  /** The backend that runs. */
  readonly name: LoadedBackendName;
  /** What the config asked for. */
  readonly requested: BackendName;
  /** TensorFlow.js's version (tfjs-core). */
  readonly tfjsVersion: string;
  /** libtensorflow's version on the native backends, else null. */
  readonly tensorflowVersion: string | null;
  readonly device: 'gpu' | 'cpu';
  /** CPU SIMD features (avx2, fma, avx512f, ...) the kernels can dispatch on. */
  readonly cpuFeatures: readonly string[];
  /** TensorFlow's oneDNN kernels on (native CPU backends), else null. */
  readonly oneDnn: boolean | null;
  /** Cores the backend may use (WASM: its thread pool). */
  readonly threads: number;
  /** WASM only: whether its SIMD build runs. */
  readonly wasmSimd: boolean | null;
  /** WebGPU only: the adapter Dawn chose (vendor, architecture, device). */
  readonly gpuAdapter: string | null;
  /** Why faster backends were passed over (auto only); empty when the first choice loaded. */
  readonly fallback: readonly FallbackReason[];
}

/** Run tags, namespaced like every ecg-lab tag. */
export function backendTags(info: BackendInfo): Record<string, string> {
  const tags: Record<string, string> = {
    'ecg-lab.backend': info.name,
    'ecg-lab.backend.requested': info.requested,
    'ecg-lab.backend.device': info.device,
    'ecg-lab.backend.tfjs': info.tfjsVersion,
    'ecg-lab.backend.cpu_features': info.cpuFeatures.join(',') || 'unknown',
    'ecg-lab.backend.threads': String(info.threads),
  };
  if (info.tensorflowVersion) tags['ecg-lab.backend.tensorflow'] = info.tensorflowVersion;
  if (info.oneDnn !== null) tags['ecg-lab.backend.onednn'] = info.oneDnn ? 'on' : 'off';
  if (info.wasmSimd !== null) tags['ecg-lab.backend.wasm_simd'] = info.wasmSimd ? 'on' : 'off';
  if (info.gpuAdapter !== null) tags['ecg-lab.backend.gpu_adapter'] = info.gpuAdapter;
  if (info.fallback.length > 0) tags['ecg-lab.backend.fallback'] = info.fallback.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  return tags;
}

/** One line, printed first in a run: which backend, on what, and why not a faster one. */
export function describeBackend(info: BackendInfo): string {
  const parts = [
    info.tensorflowVersion ? `TensorFlow ${info.tensorflowVersion}` : `TensorFlow.js ${info.tfjsVersion}`,
    info.device.toUpperCase(),
    ...(info.gpuAdapter === null ? [] : [info.gpuAdapter]),
    ...(info.oneDnn === null ? [] : [`oneDNN ${info.oneDnn ? 'on' : 'off'}`]),
    ...(info.wasmSimd === null ? [] : [`SIMD ${info.wasmSimd ? 'on' : 'off'}`]),
    `${info.threads} thread${info.threads === 1 ? '' : 's'}`,
    ...(info.cpuFeatures.length > 0 ? [info.cpuFeatures.join(' ')] : []),
  ];
  const why = info.fallback.find((f) => f.backend === 'tensorflow') ?? info.fallback[0];
  const fallback = why ? `; not ${why.backend}: ${why.reason}` : '';
  return `backend: ${info.name}${info.requested === 'auto' ? ' (auto)' : ''} [${parts.join(', ')}]${fallback}`;
}
