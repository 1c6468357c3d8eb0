#!/bin/sh
# ecg-lab's WebGPU kernels checked without a GPU: the kernel tests (or any
# ecg-lab script given) under Deno, whose WebGPU (wgpu) accepts Mesa's
# software Vulkan driver, lavapipe, which Dawn refuses. Slow (the CPU runs
# the shaders) but exact enough for the gradient tests: shaders that fail
# to compile, wrong indices and missed borders show up here as on a GPU.
# Dawn (Node, the GPU machines) validates WGSL with Tint, Deno with naga:
# a shader both accept compiles on either, so run it on a GPU too.
#   npm run setup:webgpu && apt-get install mesa-vulkan-drivers
#   npm run test:webgpu-on-cpu [-- test/backend/webgpu.test.ts]
set -eu
if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  echo "webgpu-on-cpu: no lavapipe (Mesa's software Vulkan driver): apt-get install mesa-vulkan-drivers" >&2
  exit 2
fi
if [ ! -d node_modules/@tensorflow/tfjs-backend-webgpu ]; then
  echo "webgpu-on-cpu: tfjs-backend-webgpu is not installed: npm run setup:webgpu" >&2
  exit 2
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
exec npx --yes deno@2.9.6 run -A --unstable-webgpu --sloppy-imports --node-modules-dir=manual "${1:-test/backend/webgpu.test.ts}"
