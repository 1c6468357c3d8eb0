#!/usr/bin/env node
/**
 * Sets up ecg-lab's native TensorFlow backends without any host but the
 * registries (npm, PyPI). Phases, per flavour (cpu always; gpu on opt-in):
 *   1. find @tensorflow/tfjs-node(-gpu) in node_modules; npm 10 drops it
 *      when its own install script (a download from a host we cannot reach)
 *      fails, so put it back from the lockfile with scripts off;
 *   2. stop here when the stamp in its deps/ says this setup is complete;
 *   3. TensorFlow's wheel from PyPI, downloaded and extracted once into the
 *      cache (ECG_LAB_CACHE, default ~/.cache/ecg-lab);
 *   4. libraries and headers laid out in the package's deps/;
 *   5. the addon built with node-gyp (or copied from the cache) and checked
 *      in a child process;
 *   6. the outcome written to .native/status.json, which ecg-lab reads to
 *      say why a native backend is missing.
 *
 * Usage: node scripts/setup-native.mjs [--gpu] [--optional] [--force]
 *   --gpu       also the GPU flavour (same as ECG_LAB_GPU=1); several GB
 *   --optional  never exit non-zero (how `npm install` runs it)
 *   --force     redo phases 3-5 even when the stamp says done
 * ECG_LAB_NATIVE=0 skips everything (ecg-lab then trains on WASM).
 * The TensorFlow version is pinned once, in package.json "config.tensorflow".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonPath, buildAddon, buildStderrGate, checkAddonLoads, layOutDeps, napiBuildVersion } from './native/addon.mjs';
import { SetupError } from './native/run.mjs';
import { ensureExtractedWheel } from './native/wheel.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tensorflowVersion = rootPackage.config.tensorflow;
const stateDir = join(root, '.native');
const cacheDir = process.env.ECG_LAB_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ecg-lab');

const FLAVOURS = {
  cpu: { backend: 'tensorflow', packageName: '@tensorflow/tfjs-node', command: 'npm run setup:native' },
  gpu: { backend: 'tensorflow-gpu', packageName: '@tensorflow/tfjs-node-gpu', command: 'npm run setup:gpu' },
};

const say = (message) => console.log(`ecg-lab native: ${message}`);

function main() {
  const args = new Set(process.argv.slice(2));
  const optional = args.has('--optional');
  const flavours = args.has('--gpu') || process.env.ECG_LAB_GPU === '1' ? ['cpu', 'gpu'] : ['cpu'];
  mkdirSync(stateDir, { recursive: true });
  if (process.env.ECG_LAB_NATIVE === '0') {
    say('skipped (ECG_LAB_NATIVE=0); ecg-lab will train on WASM');
    for (const flavour of flavours) recordStatus(flavour, failed(flavour, new SetupError('the native setup was skipped with ECG_LAB_NATIVE=0', `unset ECG_LAB_NATIVE, then run: ${FLAVOURS[flavour].command}`)));
    return 0;
  }
  let failures = 0;
  for (const flavour of flavours) {
    const status = setUpOrExplain(flavour, args.has('--force'));
    recordStatus(flavour, status);
    if (!status.ok) failures += 1;
  }
  return failures > 0 && !optional ? 1 : 0;
}

function setUpOrExplain(flavour, force) {
  const started = Date.now();
  try {
    const result = setUp(flavour, force);
    say(`${FLAVOURS[flavour].backend} backend ready: TensorFlow ${result.tensorflowVersion} (${((Date.now() - started) / 1000).toFixed(1)} s${result.noop ? ', already set up' : ''})`);
    return { ok: true, ...result };
  } catch (error) {
    const status = failed(flavour, error);
    console.error([
      `ecg-lab native: the ${status.backend} backend is NOT set up: ${status.reason}`,
      `ecg-lab native:   fix: ${status.hint}`,
      `ecg-lab native:   until then ecg-lab trains on WASM (backend=auto falls back to it).`,
    ].join('\n'));
    return status;
  }
}

function failed(flavour, error) {
  const setupError = error instanceof SetupError ? error : new SetupError(`unexpected error: ${error?.stack ?? error}`, `run: ${FLAVOURS[flavour].command}`);
  return { ok: false, backend: FLAVOURS[flavour].backend, reason: setupError.missing, hint: setupError.hint || `run: ${FLAVOURS[flavour].command}` };
}

function setUp(flavour, force) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(`the native setup supports linux-x64 only (this is ${process.platform}-${process.arch})`, 'use backend=wasm');
  }
  const { backend, packageName } = FLAVOURS[flavour];
  const pkgDir = findPackage(packageName) ?? restorePackages(packageName);
  const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const stamp = { flavour, tensorflowWheel: tensorflowVersion, package: `${packageName}@${pkgVersion}`, napi: napiBuildVersion(pkgDir) };
  const stampFile = join(pkgDir, 'deps', 'ecg-lab-native.json');
  const previous = readJson(stampFile);
  if (!force && previous && sameStamp(previous, stamp) && existsSync(addonPath(pkgDir))) {
    return { backend, tensorflowVersion: previous.tensorflowVersion, packageDir: pkgDir, noop: true };
  }
  const logFile = join(stateDir, `setup-${flavour}.log`);
  writeFileSync(logFile, `ecg-lab native setup, ${new Date().toISOString()}\n`);
  const extracted = ensureExtractedWheel({ cacheDir, flavour, tensorflowVersion, logFile, say });
  layOutDeps(pkgDir, extracted, flavour);
  const cachedAddon = join(cacheDir, 'addons', `${flavour}-tfjs-node-${pkgVersion}-tf${tensorflowVersion}-napi${stamp.napi}-linux-x64.node`);
  buildAddon({ pkgDir, cachedAddon, logFile, say });
  buildStderrGate(pkgDir, logFile);
  const loaded = checkAddonLoads(pkgDir, logFile);
  writeFileSync(stampFile, `${JSON.stringify({ ...stamp, tensorflowVersion: loaded.tensorflow }, null, 2)}\n`);
  return { backend, tensorflowVersion: loaded.tensorflow, packageDir: pkgDir, noop: false };
}

function sameStamp(previous, stamp) {
  return Object.entries(stamp).every(([key, value]) => previous[key] === value);
}

function findPackage(packageName) {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve(`${packageName}/package.json`));
  } catch {
    return undefined;
  }
}

/**
 * npm 10 runs tfjs-node's own install script (npm 11 skips it: package.json
 * "allowScripts" denies it); the script fails offline and npm then removes
 * the optional package. Reinstall the locked packages with scripts off.
 */
function restorePackages(packageName) {
  const lockfile = join(root, 'package-lock.json');
  if (!existsSync(lockfile) || root.split(sep).includes('node_modules')) {
    throw new SetupError(`${packageName} is not installed`, `install it with scripts off: npm install --ignore-scripts ${packageName}@${rootPackage.optionalDependencies?.[packageName] ?? ''}`);
  }
  say(`${packageName} is missing from node_modules (npm removes it when its own download fails); restoring it from the lockfile with scripts off`);
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const [command, ...prefix] = npm;
  const result = spawnSync(command, [...prefix, 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
  const pkgDir = findPackage(packageName);
  if (result.status !== 0 || !pkgDir) {
    throw new SetupError(`${packageName} is not installed and npm could not restore it [${`${result.stderr ?? ''}`.trim().split('\n').slice(-2).join(' | ')}]`,
      `run: npm install --no-save --ignore-scripts, then: ${FLAVOURS.cpu.command}`);
  }
  return pkgDir;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** .native/status.json: the last setup outcome per backend, for ecg-lab's fallback message. */
function recordStatus(flavour, status) {
  const file = join(stateDir, 'status.json');
  const all = readJson(file) ?? {};
  all[FLAVOURS[flavour].backend] = { ...status, at: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

process.exitCode = main();
