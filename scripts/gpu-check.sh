#!/bin/sh
# Issue 22's checks on a GPU machine without Node, in one call (docs/gpu.md):
# unpack gpu-pack/ecg-lab-gpu.tar.xz (npm run pack:gpu), then
#   1. the machine: GPU, Vulkan ICDs, PyTorch with CUDA, the adapter Dawn finds;
#   2. the WebGPU kernel tests with ecg-lab's kernels and with tfjs-backend-webgpu's;
#   3. bench/train-step.ts: webgpu (ecg-lab's kernels, its gradients only, tfjs's) and PyTorch on CUDA
#      at batch 16 and 64,
#      and the kernel profile of one batch-64 step;
#   4. one quickstart cell (render.noise 0, hierarchy on) end to end on backend=webgpu,
#      its run store copied out to compare with the same cell on the native CPU backend
#      (bench/compare-backends.ts).
# Everything it prints goes to $OUT/<step>.txt as well (default ./gpu-check-out); the cell's run
# store (without its cache) to $OUT/cell-runs.tgz.
# STEPS picks steps (default: "machine test bench profile cell"); CELL_OVERRIDES are added to the
# cell's command line (e.g. shorter training: train.digitizer.epochs=2 ...).
# Usage (device run, from the repository root, carry gpu-pack and .gl):  sh scripts/gpu-check.sh
set -u
began=$(date +%s)
OUT="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$OUT"
step() { name="$1"; limit="$2"; shift 2; echo "== $name (limit ${limit}s): $*"; start=$(date +%s)
  timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1; rc=$?
  tail -n "${TAIL:-25}" "$OUT/$name.txt"; echo "== $name: exit $rc after $(( $(date +%s) - start ))s"; }

# Dawn opens the Vulkan loader (libvulkan.so.1), which finds the driver through an ICD file. A bare
# GPU container may have neither where the loader looks: .gl/ may carry the loader as Debian packages,
# and NVIDIA's ICD file may sit in the driver's own folder.
if ! ldconfig -p | grep -q libvulkan.so.1 && [ -d .gl ]; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if ! ls /usr/share/vulkan/icd.d/nvidia* >/dev/null 2>&1 && ! ls /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1 && [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES="$nvidia_icd"
fi
steps="${STEPS:-machine test bench profile cell}"
want() { case " $steps " in *" $1 "*) return 0 ;; esac; return 1; }
# Unpacked into a folder of its own: the archive holds ecg-lab/ and shared/ (the PyTorch script).
unpacked=$(mktemp -d)
tar -xJf gpu-pack/ecg-lab-gpu.tar.xz -C "$unpacked" || exit 1
cd "$unpacked/ecg-lab" || exit 1
want machine && step machine 60 sh -c 'nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; ldconfig -p | grep libvulkan; echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1; python3 -c "import torch; print(\"torch\", torch.__version__, \"cuda\", torch.cuda.is_available())"; ./run.sh probe'
want test && step test-ecg-lab 100 ./run.sh test
want test && step test-tfjs 100 env ECG_LAB_WEBGPU_KERNELS=tfjs ./run.sh test
want bench && TAIL=12 step bench 180 ./run.sh bench --steps 10
want profile && TAIL=20 step profile 60 ./run.sh bench --backends webgpu --gpu-batches 64 --steps 3 --profile
want cell || exit 0
# The cell gets what is left of the device call (DEADLINE seconds from the start, default 560).
left=$(( ${DEADLINE:-560} - ($(date +%s) - began) ))
[ "$left" -gt 30 ] || { echo "== cell: skipped, ${left}s left"; exit 0; }
# shellcheck disable=SC2086 # CELL_OVERRIDES is a list of words
TAIL=30 step cell "$left" env ECG_LAB_RUNS="$unpacked/runs" ./run.sh run experiments/quickstart.yaml backend=webgpu render.noise=0 model.hierarchy=true ${CELL_OVERRIDES:-}
tar -czf "$OUT/cell-runs.tgz" -C "$unpacked/runs" --exclude=.cache .
