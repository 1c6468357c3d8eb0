/**
 * tfjs-node's addon against TensorFlow's C library from the PyPI wheel:
 * lay the libraries and headers out where its binding.gyp looks
 * (<package>/deps/lib, <package>/deps/include), build tfjs_binding.node with
 * node-gyp into the folder node-pre-gyp's `find` loads it from, and check it
 * in a child process. The built addon is cached beside the extracted wheel,
 * so a fresh `npm ci` copies it instead of compiling again.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SetupError, run, tryRun } from './run.mjs';

const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

/** The N-API version node-pre-gyp's `find` picks: the highest the package lists that this Node supports. */
export function napiBuildVersion(pkgDir) {
  const listed = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).binary.napi_versions;
  const ours = Number(process.versions.napi);
  return Math.max(...listed.filter((v) => v <= ours));
}

export function addonPath(pkgDir) {
  return join(pkgDir, 'lib', `napi-v${napiBuildVersion(pkgDir)}`, 'tfjs_binding.node');
}

/**
 * deps/lib holds the two libraries (hard links into the cache where the file
 * system allows, copies elsewhere) under their sonames, plus the link names
 * the linker (-ltensorflow, -ltensorflow_framework) and tfjs-node's own
 * install script (libtensorflow.so.2.9.1: "already downloaded") look for.
 * The GPU flavour adds deps/nvidia, which TensorFlow's RUNPATH
 * ($ORIGIN/../nvidia/<pkg>/lib) reaches from deps/lib.
 */
export function layOutDeps(pkgDir, extracted, flavour) {
  const deps = join(pkgDir, 'deps');
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(join(deps, 'lib'), { recursive: true });
  for (const lib of LIBRARIES) linkOrCopy(join(extracted, 'tensorflow', lib), join(deps, 'lib', lib));
  symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', 'libtensorflow.so'));
  symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so'));
  symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', 'libtensorflow.so.2.9.1'));
  symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so.2.9.1'));
  cpSync(join(extracted, 'tensorflow', 'include'), join(deps, 'include'), { recursive: true });
  if (flavour === 'gpu') symlinkSync(join(extracted, 'nvidia'), join(deps, 'nvidia'));
}

function linkOrCopy(from, to) {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Builds tfjs_binding.node, or copies it from the addon cache when the same build was done before. */
export function buildAddon({ pkgDir, cachedAddon, logFile, say }) {
  const target = addonPath(pkgDir);
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(cachedAddon)) {
    copyFileSync(cachedAddon, target);
    return;
  }
  checkToolchain();
  const nodedir = findNodeHeaders();
  say(`building tfjs_binding.node with node-gyp (Node headers from ${nodedir})`);
  run(process.execPath, [findNodeGyp(), 'rebuild', `--nodedir=${nodedir}`, `--napi_build_version=${napiBuildVersion(pkgDir)}`,
    '--module_name=tfjs_binding', `--module_path=${dirname(target)}`], {
    cwd: pkgDir,
    env: { ...process.env, npm_config_nodedir: nodedir },
    logFile,
    missing: 'node-gyp could not build tfjs_binding.node',
    hint: `read ${logFile}; a C++ compiler, make and python3 are needed`,
  });
  rmSync(join(pkgDir, 'build'), { recursive: true, force: true });
  mkdirSync(dirname(cachedAddon), { recursive: true });
  copyFileSync(target, cachedAddon);
}

/**
 * deps/ecg-lab-stderr-gate.node (from stderr-gate.c beside this file): lets
 * ecg-lab close stderr while TensorFlow loads, whose absl start-up banners
 * ignore TF_CPP_MIN_LOG_LEVEL. Optional: without a C compiler ecg-lab only
 * prints the banners.
 */
export function buildStderrGate(pkgDir, logFile) {
  const nodedir = findNodeHeaders();
  const source = join(dirname(new URL(import.meta.url).pathname), 'stderr-gate.c');
  const compiler = ['cc', 'gcc', 'c++'].find((c) => tryRun(c, ['--version']));
  if (!compiler) return false;
  run(compiler, ['-shared', '-fPIC', '-O2', '-DNODE_GYP_MODULE_NAME=stderr_gate', `-I${join(nodedir, 'include', 'node')}`,
    source, '-o', join(pkgDir, 'deps', 'ecg-lab-stderr-gate.node')], { logFile, missing: 'could not compile the stderr gate', hint: `read ${logFile}` });
  return true;
}

function checkToolchain() {
  const missing = [];
  if (!tryRun('c++', ['--version']) && !tryRun('g++', ['--version'])) missing.push('a C++ compiler (c++ or g++)');
  if (!tryRun('make', ['--version'])) missing.push('make');
  if (!tryRun('python3', ['--version'])) missing.push('python3 (node-gyp runs gyp with it)');
  if (missing.length > 0) {
    throw new SetupError(`${missing.join(', ')} not found, needed to build tfjs-node's addon`,
      'install them (Debian: apt-get install build-essential python3), then run: npm run setup:native');
  }
}

/** Node's C headers, local only: node-gyp would otherwise download them from nodejs.org. */
function findNodeHeaders() {
  const candidates = [process.env.npm_config_nodedir, '/usr', join(dirname(process.execPath), '..')].filter(Boolean);
  const found = candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'node_api.h')));
  if (!found) {
    throw new SetupError(`Node's C headers (include/node/node_api.h) were not found in ${candidates.join(', ')}`,
      'install them (Debian: apt-get install libnode-dev, or use the nodejs.org tarball), or set npm_config_nodedir, then run: npm run setup:native');
  }
  return found;
}

/** npm bundles node-gyp; the npm running this script (npm_execpath) first, then the one beside node. */
function findNodeGyp() {
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new SetupError(`node-gyp was not found (looked in ${candidates.join(', ')})`, 'install npm with its bundled node-gyp, then run: npm run setup:native');
  return found;
}

/**
 * Loads the package in a child Node (TensorFlow must not enter this
 * process) and runs a matMul; returns TensorFlow's version string.
 */
export function checkAddonLoads(pkgDir, logFile) {
  const code = [
    `const tf = require(${JSON.stringify(pkgDir)});`,
    'const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();',
    'if (y[0] !== 3) throw new Error("matMul gave " + y[0]);',
    'process.stdout.write(JSON.stringify({ tensorflow: tf.backend().binding.TF_Version, gpu: tf.backend().isUsingGpuDevice }));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (logFile) writeFileSync(logFile, `\n$ check addon\n${result.stdout}${result.stderr}`, { flag: 'a' });
  if (result.status !== 0) {
    const tail = `${result.stderr}`.trim().split('\n').slice(-3).join(' | ');
    throw new SetupError(`the built addon does not load or compute [${tail}]`, `read ${logFile}`);
  }
  return JSON.parse(result.stdout);
}
