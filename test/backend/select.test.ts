/**
 * Backend selection without the native addon (ECG_LAB_NATIVE=0 stands in
 * for a machine where the native setup failed): the errors, auto's
 * fallback to WASM and what it says, and the run tags.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { capturingLogger } from '../../src/core/logger.js';
import { isEcgError } from '../../src/core/errors.js';
import { backendTags, describeBackend, nativeSetupStatus, selectBackend } from '../../src/backend/index.js';
import type { BackendInfo, BackendName } from '../../src/backend/index.js';
import { cpuFeatures } from '../../src/backend/cpu-features.js';

process.env['ECG_LAB_NATIVE'] = '0';
tf.env().set('PROD', true);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

test('an unknown backend name is refused with the allowed names', async () => {
  const error = await rejection(selectBackend('metal' as BackendName, capturingLogger()));
  assert.ok(isEcgError(error, 'BACKEND_UNAVAILABLE'));
  assert.match((error as Error).message, /auto, tensorflow-gpu, tensorflow, wasm, cpu, webgpu/);
});

test('tensorflow asked for by name and unavailable: BACKEND_UNAVAILABLE naming its install command', async () => {
  const error = await rejection(selectBackend('tensorflow', capturingLogger()));
  assert.ok(isEcgError(error, 'BACKEND_UNAVAILABLE'));
  assert.match((error as Error).message, /ECG_LAB_NATIVE=0/);
  assert.match((error as Error).message, /npm run setup:native/);
});

test('tensorflow-gpu without a GPU device: BACKEND_UNAVAILABLE naming npm run setup:gpu', async () => {
  if (existsSync('/dev/nvidiactl')) return console.log('  skipped: this machine has a GPU device');
  delete process.env['ECG_LAB_NATIVE'];
  const error = await rejection(selectBackend('tensorflow-gpu', capturingLogger()));
  process.env['ECG_LAB_NATIVE'] = '0';
  assert.ok(isEcgError(error, 'BACKEND_UNAVAILABLE'));
  assert.match((error as Error).message, /no NVIDIA GPU device/);
  assert.match((error as Error).message, /npm run setup:gpu/);
});

test('auto falls back to wasm, says why on its first line, and tags the run', async () => {
  const logger = capturingLogger();
  const info = await selectBackend('auto', logger);
  assert.is(info.name, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
  assert.is(info.fallback[0]?.backend, 'tensorflow');
  assert.match(logger.lines.find((l) => l.level === 'info')?.message ?? '', /^backend: wasm \(auto\).*not tensorflow: native TensorFlow is turned off/);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /using wasm, because tensorflow is unavailable/.test(l.message)));
  const tags = backendTags(info);
  assert.is(tags['ecg-lab.backend'], 'wasm');
  assert.is(tags['ecg-lab.backend.requested'], 'auto');
  assert.is(tags['ecg-lab.backend.tfjs'], '4.22.0');
  assert.match(tags['ecg-lab.backend.fallback'] ?? '', /^tensorflow: /);
  assert.is(describeBackend(info), logger.lines.find((l) => l.level === 'info')?.message);
});

test('cpu loads by name and trains nothing faster than it says', async () => {
  const info = await selectBackend('cpu', capturingLogger());
  assert.is(info.name, 'cpu');
  assert.is(info.tensorflowVersion, null);
  assert.equal(info.fallback, []);
});

test('webgpu by name: loads on a GPU adapter, else BACKEND_UNAVAILABLE saying why (package or adapter), with npm run setup:webgpu where installing would help, and the cause', async () => {
  const outcome: BackendInfo | Error = await selectBackend('webgpu', capturingLogger()).catch((error: unknown) => error as Error);
  if (!(outcome instanceof Error)) {
    assert.is(outcome.name, 'webgpu');
    assert.is(outcome.device, 'gpu');
    assert.ok(outcome.gpuAdapter);
    assert.is(backendTags(outcome)['ecg-lab.backend.gpu_adapter'], outcome.gpuAdapter);
    return;
  }
  assert.ok(isEcgError(outcome, 'BACKEND_UNAVAILABLE'));
  assert.match(outcome.message, /^backend 'webgpu' cannot be loaded: (the package (webgpu|@tensorflow\/tfjs-backend-webgpu) is not installed|no WebGPU adapter: Dawn needs a Vulkan GPU driver)/);
  // Installing helps only where a package is missing; without an adapter the message says what does (a Vulkan GPU driver).
  if (/not installed/.test(outcome.message)) assert.match(outcome.message, /npm run setup:webgpu/);
  else assert.not.match(outcome.message, /npm run setup:webgpu/);
  assert.ok(isEcgError(outcome.cause, 'BACKEND_UNAVAILABLE'));
  if (/not installed/.test(outcome.message)) assert.is(((outcome.cause as Error).cause as { code?: string }).code, 'ERR_MODULE_NOT_FOUND');
});

test('cpuFeatures reads the flags line of /proc/cpuinfo', () => {
  assert.equal(cpuFeatures('processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f\n'), ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f']);
  assert.equal(cpuFeatures(''), []);
});

test('nativeSetupStatus reads what the setup recorded, undefined without a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-lab-status-'));
  const file = join(dir, 'status.json');
  assert.is(nativeSetupStatus('tensorflow', file), undefined);
  writeFileSync(file, JSON.stringify({ tensorflow: { ok: false, reason: 'pip was not found', hint: 'install pip' } }));
  assert.equal(nativeSetupStatus('tensorflow', file), { ok: false, reason: 'pip was not found', hint: 'install pip' });
});

test.run();
