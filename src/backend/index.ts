/** ecg-lab's TensorFlow.js backends: selection, run tags, and the WASM kernels that make it train. */
export { AUTO_ORDER, BACKEND_NAMES, INSTALL_COMMAND } from './names.js';
export type { BackendName, LoadedBackendName } from './names.js';
export { selectBackend } from './select.js';
export type { SelectBackendOptions } from './select.js';
export { backendTags, describeBackend } from './info.js';
export type { BackendInfo, FallbackReason } from './info.js';
export { nativeSetupStatus } from './native-status.js';
export { registerWasmGradientKernels, WASM_GRADIENT_KERNELS, WASM_KERNEL_FIXES } from './wasm-kernels/index.js';
