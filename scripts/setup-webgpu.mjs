#!/usr/bin/env node
/**
 * Sets up the opt-in WebGPU backend (backend=webgpu, docs/gpu.md):
 *   1. installs @tensorflow/tfjs-backend-webgpu and Dawn for Node (`webgpu`)
 *      into node_modules with `npm install --no-save`: package.json and the
 *      lockfile stay as they are, so `npm ci` never fetches Dawn (21 MB per
 *      platform) and a later `npm ci` removes both again;
 *   2. asks Dawn for an adapter in a child process and says what it found.
 *
 * Usage: node scripts/setup-webgpu.mjs [--probe]
 *   --probe   skip the install, only ask for an adapter
 * Exits 0 when an adapter was found, 1 when the install failed, 2 when the
 * packages are installed but this machine has no WebGPU adapter.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['@tensorflow/tfjs-backend-webgpu@4.22.0', 'webgpu@0.6.2'];

const say = (message) => console.log(`ecg-lab webgpu: ${message}`);

/** Run in a child so that Dawn's instance, and a driver that hangs, cannot hold this process. */
const PROBE = `
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info ?? {};
console.log(JSON.stringify(adapter ? { adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter', type: info.type ?? null } : { adapter: null }));
process.exit(0);
`;

function install() {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const [command, ...prefix] = npm;
  say(`installing ${PACKAGES.join(' ')} (npm install --no-save: package.json and package-lock.json unchanged)`);
  const result = spawnSync(command, [...prefix, 'install', '--no-save', '--no-audit', '--no-fund', ...PACKAGES], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status === 0) return true;
  console.error(`ecg-lab webgpu: npm could not install ${PACKAGES.join(' ')}:\n${`${result.stderr}`.trim().split('\n').slice(-5).join('\n')}`);
  return false;
}

function probe() {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const last = `${result.stdout ?? ''}`.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !last.startsWith('{')) {
    return { adapter: null, error: `${result.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ') || `the probe exited with ${result.status ?? result.signal}` };
  }
  return JSON.parse(last);
}

function main() {
  if (!process.argv.includes('--probe') && !install()) return 1;
  const found = probe();
  if (found.adapter) {
    say(`WebGPU adapter: ${found.adapter}${found.type ? ` (${found.type})` : ''}`);
    say('ready: run with backend=webgpu (docs/gpu.md)');
    return 0;
  }
  say(found.error ? `Dawn did not answer: ${found.error}` : 'no WebGPU adapter: Dawn needs a Vulkan GPU driver (NVIDIA/AMD/Intel); CPU-only machines have none (Mesa\'s lavapipe lacks shaderUniform*ArrayDynamicIndexing)');
  say('the packages are installed; backend=webgpu will fail on this machine until it has a GPU with a Vulkan driver (vulkaninfo --summary lists them)');
  return 2;
}

process.exitCode = main();
