/**
 * The backends a config may name (`backend:`), fastest first after `auto`,
 * then `webgpu`: opt-in only (installed by its own setup, never taken by
 * auto) until ecg-lab has convolution kernels of its own for it (docs/gpu.md).
 */
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

/** A backend that actually runs: every name but `auto`. */
export type LoadedBackendName = Exclude<BackendName, 'auto'>;

/** What `auto` tries, in order. */
export const AUTO_ORDER: readonly LoadedBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The command that installs each backend, for error messages. */
export const INSTALL_COMMAND: Readonly<Record<LoadedBackendName, string>> = Object.freeze({
  'tensorflow-gpu': 'npm run setup:gpu',
  tensorflow: 'npm run setup:native',
  wasm: 'npm ci (the @tensorflow/tfjs-backend-wasm dependency)',
  cpu: 'npm ci (the @tensorflow/tfjs dependency)',
  webgpu: 'npm run setup:webgpu',
});
