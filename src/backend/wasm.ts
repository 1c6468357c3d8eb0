/**
 * The WASM backend: portable, and made able to train every ecg-lab model by
 * the gradient kernels in wasm-kernels/.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmGradientKernels } from './wasm-kernels/index.js';
import { EcgError } from '../core/errors.js';
import { backendMessages as msg } from '../core/messages.js';

export interface WasmRuntime {
  readonly simd: boolean;
  readonly threads: number;
}

export async function loadWasm(): Promise<WasmRuntime> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmGradientKernels();
  if (!(await tf.setBackend('wasm'))) throw new EcgError('BACKEND_UNAVAILABLE', msg.setBackendFailed('wasm'));
  await tf.ready();
  return { simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean, threads: wasm.getThreadsCount() };
}

export async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new EcgError('BACKEND_UNAVAILABLE', msg.setBackendFailed('cpu'));
  await tf.ready();
}
