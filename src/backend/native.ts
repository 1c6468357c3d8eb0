/**
 * The native backends: @tensorflow/tfjs-node and @tensorflow/tfjs-node-gpu,
 * whose addon ecg-lab's setup builds against TensorFlow's C library from
 * PyPI. Both register the tfjs backend 'tensorflow' on the one tfjs-core
 * instance that `import * as tf from '@tensorflow/tfjs'` gives everywhere
 * (tfjs-node requires the same @tensorflow/tfjs package), and only one of
 * them may ever load into a process. ECG_LAB_NATIVE=0 turns both off (the
 * setup script honours the same switch).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendMessages } from '../core/messages.js';
import { registerNativeKernels } from './native-kernels/step.js';
import { nativeSetupStatus } from './native-status.js';

export type NativeBackendName = 'tensorflow' | 'tensorflow-gpu';

const PACKAGE: Readonly<Record<NativeBackendName, string>> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

export interface NativeRuntime {
  readonly tensorflowVersion: string;
  readonly gpu: boolean;
}

/** The shape of tfjs-node's backend that ecg-lab reads (its binding is not in tfjs's types). */
interface NodeKernelBackend {
  readonly binding: { readonly TF_Version: string };
  readonly isUsingGpuDevice: boolean;
}

let loadedNative: NativeBackendName | undefined;

export class NativeLoadError extends Error {}

/**
 * What `deterministic: true` asks of the TensorFlow C library, read from its
 * process's environment once, when it loads (TensorFlow 2.21, whose
 * libtensorflow_framework holds all three names):
 *   TF_DETERMINISTIC_OPS=1    ops with a deterministic kernel use it, and ops
 *                             without one fail rather than vary
 *                             (core/util/determinism.cc)
 *   TF_NUM_INTRAOP_THREADS=1  one thread per op, so reductions add in one
 *   TF_NUM_INTEROP_THREADS=1  order, and ops run one at a time
 *                             (core/common_runtime/process_util.cc; tfjs-node's
 *                             eager context leaves both pools at 0 = these)
 * One thread rather than the machine's count, so that two machines with
 * different core counts give the same numbers too. The cli sets them before
 * the backend loads (only the cli writes process.env); they cannot change
 * afterwards in the same process.
 */
export const DETERMINISTIC_ENV: Readonly<Record<string, string>> = Object.freeze({
  TF_DETERMINISTIC_OPS: '1',
  TF_NUM_INTRAOP_THREADS: '1',
  TF_NUM_INTEROP_THREADS: '1',
});

export function nativeLoaded(): NativeBackendName | undefined {
  return loadedNative;
}

/**
 * Loads a native backend and makes it tfjs's current backend. Unless
 * verbose, TensorFlow's start-up logging is silenced: TF_CPP_MIN_LOG_LEVEL=2
 * before the library loads (a value the user set is kept) for its own
 * logging, and stderr closed while it loads for the absl banners
 * ("oneDNN custom operations are on") that ignore that variable.
 */
export async function loadNative(name: NativeBackendName, verbose: boolean): Promise<NativeRuntime> {
  if (process.env['ECG_LAB_NATIVE'] === '0') throw new NativeLoadError(backendMessages.nativeDisabled());
  if (loadedNative && loadedNative !== name) throw new NativeLoadError(backendMessages.otherNativeLoaded(loadedNative));
  if (name === 'tensorflow-gpu' && !gpuDevicePresent()) throw new NativeLoadError(backendMessages.noGpuDevice());
  // Why this module, not the cli, writes process.env: the TensorFlow C++
  // library reads TF_CPP_MIN_LOG_LEVEL from its own process's environment
  // when it is loaded (no API takes it), and it is loaded just below, only
  // when a native backend is chosen; setting it in the cli would silence
  // TensorFlow for runs that never load it and split one decision in two.
  if (!verbose && process.env['TF_CPP_MIN_LOG_LEVEL'] === undefined) process.env['TF_CPP_MIN_LOG_LEVEL'] = '2';
  try {
    requireQuietly(PACKAGE[name], verbose);
  } catch (error) {
    throw new NativeLoadError(whyNotLoaded(name, error), { cause: error });
  }
  loadedNative = name;
  registerNativeKernels();
  if (!(await tf.setBackend('tensorflow'))) throw new NativeLoadError(backendMessages.nativeNotLoaded('tf.setBackend("tensorflow") failed'));
  await tf.ready();
  const backend = tf.backend() as unknown as NodeKernelBackend;
  return { tensorflowVersion: backend.binding.TF_Version, gpu: backend.isUsingGpuDevice };
}

interface StderrGate {
  close(): void;
  open(): void;
}

/** Requires the package with stderr closed, through the gate the native setup builds into its deps/ (if it did). */
function requireQuietly(packageName: string, verbose: boolean): void {
  const require = createRequire(import.meta.url);
  const gateFile = join(dirname(require.resolve(`${packageName}/package.json`)), 'deps', 'ecg-lab-stderr-gate.node');
  const gate = !verbose && existsSync(gateFile) ? (require(gateFile) as StderrGate) : undefined;
  gate?.close();
  try {
    require(packageName);
  } finally {
    gate?.open();
  }
}

/** The setup's recorded failure when there is one (it names what is missing), else the load error. */
function whyNotLoaded(name: NativeBackendName, error: unknown): string {
  const status = nativeSetupStatus(name);
  if (status && !status.ok) return backendMessages.nativeNotSetUp(status.reason ?? 'unknown', status.hint ?? '');
  const detail = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  return backendMessages.nativeNotLoaded(detail);
}

export function gpuDevicePresent(): boolean {
  return existsSync('/dev/nvidiactl') || existsSync('/dev/nvidia0');
}

/** oneDNN's kernels are TensorFlow's default on x86 Linux; TF_ENABLE_ONEDNN_OPTS=0 turns them off. */
export function oneDnnEnabled(): boolean {
  return process.env['TF_ENABLE_ONEDNN_OPTS'] !== '0' && process.arch === 'x64';
}
