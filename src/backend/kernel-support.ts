/**
 * What ecg-lab's kernels share. Kernels written with TensorFlow.js
 * ops instead of raw memory: a kernel
 * receives TensorInfos and must return TensorInfos whose data the backend
 * counts once for the caller. These two helpers keep that reference count
 * right, so the tensors a kernel makes inside never leak and the ones it
 * returns are never freed under the caller.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/** A Tensor over a kernel input; it holds its own reference, so disposing it leaves the input alive. */
export function inputTensor<T extends tf.Tensor>(info: TensorInfo, backend: KernelBackend): T {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as T;
}

/** Hands a tensor's data over as a kernel output and drops the Tensor object. */
export function outputInfo(tensor: tf.Tensor, backend: KernelBackend): TensorInfo {
  backend.incRef(tensor.dataId);
  const info: TensorInfo = { dataId: tensor.dataId, shape: tensor.shape.slice(), dtype: tensor.dtype };
  tensor.dispose();
  return info;
}

/** Runs `compute` on Tensor views of the inputs inside a tidy and returns its result as the kernel output. */
export function viaOps(backend: KernelBackend, inputs: readonly TensorInfo[], compute: (...tensors: tf.Tensor[]) => tf.Tensor): TensorInfo {
  const result = tf.tidy(() => {
    const tensors = inputs.map((info) => inputTensor(info, backend));
    return compute(...tensors);
  });
  return outputInfo(result, backend);
}

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: NamedAttrMap;
}

/** A kernel config for the WASM backend with the arguments typed as the backend passes them. */
export function wasmKernel(kernelName: string, kernelFunc: (args: KernelArgs) => TensorInfo): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
