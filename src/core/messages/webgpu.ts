/** Why the opt-in WebGPU backend (backend/webgpu.ts) did not load. */
export const packageMissing = (name: string) => `the package ${name} is not installed`;

export const packageNotLoaded = (name: string, detail: string) => `the package ${name} did not load (${detail})`;

export const noAdapter = () =>
  "no WebGPU adapter: Dawn needs a Vulkan GPU driver (NVIDIA/AMD/Intel); CPU-only machines have none (Mesa's lavapipe lacks shaderUniform*ArrayDynamicIndexing; `npm run test:webgpu-on-cpu` checks ecg-lab's WebGPU kernels there, under Deno)";
