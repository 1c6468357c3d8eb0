/**
 * Training-step throughput of the benchmark CNN of ../shared/bench/README.md
 * (batch 16 of 1 x 128 x 256 images, conv 16/32/64 with max pooling, global
 * average pooling, dense 11, sigmoid cross-entropy, Adam 1e-3) on every
 * backend that loads, each in its own process (two TensorFlow runtimes
 * cannot share one), and PyTorch's figure from the reference script in the
 * same run when `import torch` works, with the ratio: CPU backends against
 * PyTorch on the CPU, GPU backends (tensorflow-gpu, webgpu) against PyTorch
 * on CUDA when `torch.cuda.is_available()` (the same script with CUDA as
 * torch's default device). A backend that does not load (webgpu without an
 * adapter, tensorflow-gpu without a GPU) gets one row saying why.
 *
 *   node --import tsx bench/train-step.ts [--steps 10] [--backends tensorflow,wasm,cpu,webgpu,webgpu-tfjs,webgpu-gradients] [--gpu-batches 16,64] [--profile]
 *
 * `webgpu` runs with ecg-lab's WebGPU kernels (src/backend/webgpu-kernels),
 * `webgpu-tfjs` with tfjs-backend-webgpu's own (ECG_LAB_WEBGPU_KERNELS=tfjs),
 * `webgpu-gradients` with ecg-lab's gradients and tfjs's forward convolutions.
 * GPU rows (and PyTorch on CUDA) run at every batch of --gpu-batches, and
 * each is divided by PyTorch at the same batch.
 *
 * Figure: images/s of a full step (forward, backward, update, the loss
 * read back with `data()`: webgpu cannot read synchronously in Node), after
 * two warm-up steps, median over the steps. The pure-JavaScript cpu backend
 * takes minutes per batch of 16, so it runs batch 2 for one step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { silentLogger } from '../src/core/logger.js';
import { selectBackend } from '../src/backend/index.js';
import type { LoadedBackendName } from '../src/backend/index.js';

const TORCH_SCRIPT = fileURLToPath(new URL('../../shared/bench/torch_train_step.py', import.meta.url));
type BenchBackend = LoadedBackendName | 'webgpu-tfjs' | 'webgpu-gradients';

const PLAN: Readonly<Record<BenchBackend, { batch: number; warmup: number; steps?: number }>> = {
  'tensorflow-gpu': { batch: 16, warmup: 2 },
  tensorflow: { batch: 16, warmup: 2 },
  wasm: { batch: 16, warmup: 2, steps: 5 },
  cpu: { batch: 2, warmup: 0, steps: 1 },
  webgpu: { batch: 16, warmup: 2 },
  'webgpu-tfjs': { batch: 16, warmup: 2 },
  'webgpu-gradients': { batch: 16, warmup: 2 },
};

/** The backend a bench row loads, and the environment its process gets. */
function loads(backend: BenchBackend): { name: LoadedBackendName; env: NodeJS.ProcessEnv } {
  if (backend === 'webgpu-tfjs') return { name: 'webgpu', env: { ...process.env, ECG_LAB_WEBGPU_KERNELS: 'tfjs' } };
  if (backend === 'webgpu-gradients') return { name: 'webgpu', env: { ...process.env, ECG_LAB_WEBGPU_KERNELS: 'gradients' } };
  return { name: backend, env: process.env };
}

interface Figure {
  backend: string;
  device: 'gpu' | 'cpu';
  batch: number;
  steps: number;
  msPerStep: number;
  imgPerS: number;
  detail: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.lastIndexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function benchmarkModel(): tf.LayersModel {
  const conv = (filters: number) => tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [128, 256, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(32),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(64),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 11 }),
    ],
  });
}

/** One backend, in this process: median ms per step. */
async function measure(backend: BenchBackend, steps: number, profile: boolean, batch: number | undefined): Promise<Figure> {
  const info = await selectBackend(loads(backend).name, silentLogger);
  const plan = { ...PLAN[backend], ...(batch === undefined ? {} : { batch }) };
  const model = benchmarkModel();
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([plan.batch, 128, 256, 1]);
  const y = tf.cast(tf.greater(tf.randomUniform([plan.batch, 11]), 0.5), 'float32');
  const step = async () => {
    const loss = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < plan.warmup; i++) await step();
  if (profile) await printProfile(step);
  const times: number[] = [];
  for (let i = 0; i < (plan.steps ?? steps); i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  const detail = [info.tensorflowVersion && `TF ${info.tensorflowVersion}`, info.gpuAdapter, info.oneDnn !== null && `oneDNN ${info.oneDnn ? 'on' : 'off'}`, `${info.threads} threads`].filter(Boolean).join(', ');
  return { backend, device: info.device, batch: plan.batch, steps: times.length, msPerStep: ms, imgPerS: (plan.batch * 1000) / ms, detail };
}

/** The kernels of one step, slowest first (tf.profile). */
async function printProfile(step: () => Promise<void>): Promise<void> {
  const profile = await tf.profile(step);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let untimed = 0;
  for (const k of profile.kernels) {
    // A backend without timer queries reports { error } instead of a time.
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : NaN;
    if (Number.isNaN(ms)) untimed++;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    byKernel.set(k.name, { ms: entry.ms + (Number.isNaN(ms) ? 0 : ms), calls: entry.calls + 1 });
  }
  const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
  console.log(`profile of one step (${total.toFixed(0)} ms in kernels, ${profile.kernels.length} kernel calls${untimed > 0 ? `, ${untimed} without a time` : ''}):`);
  for (const [name, { ms, calls }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms || b[1].calls - a[1].calls).slice(0, 14)) {
    console.log(`  ${name.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ${String(calls).padStart(4)} calls`);
  }
}

function runChild(backend: BenchBackend, steps: number, profile: boolean, batch: number | undefined): Figure | string {
  // process.execArgv: `--import tsx` when run from source, nothing when bundled (scripts/pack-gpu.sh).
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', backend, '--steps', String(steps),
    ...(profile ? ['--profile'] : []), ...(batch === undefined ? [] : ['--batch', String(batch)])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: loads(backend).env });
  const out = result.stdout.trim().split('\n');
  const last = out.pop() ?? '';
  if (out.length > 0) console.log(out.join('\n'));
  if (result.status !== 0) return result.stderr.split('\n').find((l) => /^\w*Error: /.test(l)) ?? result.stderr.trim().split('\n').pop() ?? 'failed';
  return JSON.parse(last) as Figure;
}

/** Runs the reference script as it is, or with CUDA as torch's default device (model, batch and optimiser state on the GPU). */
const TORCH_ON_CUDA = "import runpy, sys, torch; torch.set_default_device('cuda'); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')";

function torchFigure(device: 'cpu' | 'cuda', batch = 16): Figure | string {
  if (spawnSync('python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return 'python3 cannot import torch (pip install torch==2.13.0)';
  if (!existsSync(TORCH_SCRIPT)) return `${TORCH_SCRIPT} not found`;
  if (device === 'cuda' && spawnSync('python3', ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' }).stdout.trim() !== 'True') {
    return 'torch.cuda.is_available() is False (no CUDA GPU, or a CPU build of torch)';
  }
  const script = [TORCH_SCRIPT, '--batch', String(batch), '--steps', '10'];
  const result = spawnSync('python3', device === 'cuda' ? ['-c', TORCH_ON_CUDA, ...script] : script, { encoding: 'utf8' });
  if (result.status !== 0) return result.stderr.trim().split('\n').pop() ?? 'failed';
  const r = JSON.parse(result.stdout.trim().split('\n').pop()!) as { ms_per_step: number; img_per_s: number; version: string; threads: number };
  const detail = device === 'cuda' ? `torch ${r.version}, CUDA` : `torch ${r.version}, ${r.threads} threads`;
  return { backend: device === 'cuda' ? 'pytorch-cuda' : 'pytorch', device: device === 'cuda' ? 'gpu' : 'cpu', batch, steps: 10, msPerStep: r.ms_per_step, imgPerS: r.img_per_s, detail };
}

function torchRow(name: string, torch: Figure | string): string {
  return typeof torch === 'string' ? `| ${name} | - | - | - | ${torch} |` : `| ${name} | ${torch.msPerStep.toFixed(1)} (batch ${torch.batch}, 10 steps) | ${torch.imgPerS.toFixed(2)} | 1.00x | ${torch.detail} |`;
}

const GPU_BACKENDS: ReadonlySet<BenchBackend> = new Set(['tensorflow-gpu', 'webgpu', 'webgpu-tfjs', 'webgpu-gradients']);

async function main(): Promise<void> {
  const steps = Number(arg('steps') ?? 10);
  const profile = process.argv.includes('--profile');
  const child = arg('child') as BenchBackend | undefined;
  const childBatch = arg('batch');
  if (child) {
    console.log(JSON.stringify(await measure(child, steps, profile, childBatch === undefined ? undefined : Number(childBatch))));
    return;
  }
  const backends = (arg('backends') ?? 'tensorflow-gpu,tensorflow,wasm,cpu,webgpu').split(',') as BenchBackend[];
  const gpuBatches = (arg('gpu-batches') ?? '16').split(',').map(Number);
  const torchCpu = torchFigure('cpu');
  const torchGpu = new Map(gpuBatches.map((b) => [b, torchFigure('cuda', b)]));
  const rows: string[] = [];
  for (const backend of backends) {
    for (const batch of GPU_BACKENDS.has(backend) ? gpuBatches : [undefined]) {
      const figure = runChild(backend, steps, profile, batch);
      if (typeof figure === 'string') {
        rows.push(`| ${backend} | - | - | - | did not load: ${figure.replace(/\|/g, '/')} |`);
        break;
      }
      const reference = figure.device === 'gpu' ? torchGpu.get(figure.batch) ?? 'no PyTorch run at this batch' : torchCpu;
      const ratio = typeof reference === 'string' ? '-' : `${(figure.imgPerS / reference.imgPerS).toFixed(figure.imgPerS < reference.imgPerS / 100 ? 4 : 3)}x vs ${reference.backend} (batch ${reference.batch})`;
      rows.push(`| ${backend} | ${figure.msPerStep.toFixed(1)} (batch ${figure.batch}, ${figure.steps} steps) | ${figure.imgPerS.toFixed(2)} | ${ratio} | ${figure.detail} |`);
    }
  }
  rows.push(torchRow('pytorch', torchCpu), ...[...torchGpu.values()].map((t) => torchRow('pytorch-cuda', t)));
  console.log(['| backend | ms per step | images/s | vs PyTorch | note |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
}

await main();
