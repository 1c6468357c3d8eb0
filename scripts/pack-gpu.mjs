#!/usr/bin/env node
/**
 * Packs what a GPU machine without Node needs to run ecg-lab on WebGPU into
 * one archive (docs/gpu.md): the Node binary running this script (stripped),
 * ecg-lab built from HEAD, the bench and the WebGPU kernel test bundled
 * (esbuild, packages external), configs/, experiments/, the PyTorch
 * reference script, and the runtime node_modules: the closure of package.json's
 * dependencies plus tfjs-backend-webgpu, webgpu and uvu, each cut to what
 * Node loads (tfjs: the node bundle; Dawn: linux-x64 only). Phases:
 *   1. stage: git archive HEAD -> tsc and esbuild -> node_modules -> node;
 *   2. check the staged copy runs: --help, a dry run, a page rendered by
 *      sharp, Dawn and tfjs-backend-webgpu loaded, the test's skip line
 *      (no adapter here) or its results (an adapter);
 *   3. tar | xz -9 into gpu-pack/ecg-lab-gpu.tar.xz, refused over 64 MiB.
 *
 * Usage: node scripts/pack-gpu.mjs [--out gpu-pack/ecg-lab-gpu.tar.xz]
 * On the GPU machine: tar -xJf ecg-lab-gpu.tar.xz && ecg-lab/run.sh test|bench|<ecg-lab command>
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT = 64 * 1024 * 1024;
const WEBGPU_PACKAGES = { '@tensorflow/tfjs-backend-webgpu': '4.22.0', webgpu: '0.6.2' };
/** Beyond package.json's dependencies: the kernel test's runner. */
const EXTRA_ROOTS = ['uvu'];
/** Files Node never loads from a runtime package. */
const NEVER = [/\.map$/, /\.d\.[cm]?ts$/, /\.tsbuildinfo$/, /^(README|CHANGELOG|HISTORY)(\.\w+)?$/i, /\.md$/];

const say = (message) => console.log(`pack-gpu: ${message}`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${`${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-12).join('\n')}`);
  return result.stdout;
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** HEAD's sources, compiled: dist/ as `npm run build` makes it, bench and test as single files. */
function buildFromHead(app, work) {
  const src = join(work, 'src');
  mkdirSync(src);
  const archive = spawnSync('git', ['archive', 'HEAD'], { cwd: root, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive HEAD failed: ${archive.stderr}`);
  run('tar', ['-x', '-C', src], { input: archive.stdout });
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: src });
  const esbuild = join(root, 'node_modules/.bin/esbuild');
  for (const [entry, out] of [['bench/train-step.ts', 'bench/train-step.js'], ['test/backend/webgpu.test.ts', 'test/backend/webgpu.test.js']]) {
    run(esbuild, [entry, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', '--log-level=error', `--outfile=${join(app, out)}`], { cwd: src });
  }
  for (const folder of ['configs', 'experiments']) cpSync(join(src, folder), join(app, folder), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8'));
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: pkg.type, dependencies: pkg.dependencies }, null, 2)}\n`);
  return { pkg, commit: run('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).trim() };
}

/** tfjs-backend-webgpu and webgpu from npm's cache or registry (npm pack), never installed into the project. */
function fetchWebgpuPackages(work) {
  const dir = join(work, 'tarballs');
  mkdirSync(dir);
  const found = {};
  for (const [name, version] of Object.entries(WEBGPU_PACKAGES)) {
    const file = run('npm', ['pack', '--silent', '--pack-destination', dir, `${name}@${version}`], { cwd: dir }).trim().split('\n').pop();
    const into = join(work, 'unpacked', name);
    mkdirSync(into, { recursive: true });
    run('tar', ['-xzf', join(dir, file), '-C', into, '--strip-components=1']);
    found[name] = into;
  }
  return found;
}

function packageJson(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** Where Node would resolve `name` from a package at `from` (nested node_modules first). */
function resolvePackage(name, from) {
  for (let dir = from; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

/** The packages Node can reach from the roots: dependencies, and the optional ones this platform installed (sharp's @img/*). */
function runtimeClosure(roots) {
  const seen = new Map();
  const queue = roots.map((name) => resolvePackage(name, root) ?? (() => { throw new Error(`${name} is not in node_modules (run npm ci)`); })());
  while (queue.length > 0) {
    const dir = queue.pop();
    if (seen.has(dir)) continue;
    const pkg = packageJson(dir);
    seen.set(dir, pkg.name);
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) {
      const found = resolvePackage(dep, dir);
      if (found) queue.push(found);
    }
  }
  return seen;
}

/** Copies a package without what Node never loads; the tfjs packages keep only their node bundle (and WASM's binaries). */
function copyPackage(from, to, name) {
  const pkg = packageJson(from);
  const keepOnly = name.startsWith('@tensorflow/') ? new Set(['package.json', pkg.main, ...readdirSync(join(from, 'dist')).filter((f) => f.endsWith('.wasm')).map((f) => `dist/${f}`)].map((f) => f.replace(/^\.\//, ''))) : undefined;
  cpSync(from, to, {
    recursive: true,
    filter: (source) => {
      const rel = relative(from, source);
      if (rel === '') return true;
      if (rel.split('/')[0] === 'node_modules') return false;
      if (name === 'webgpu' && rel.startsWith('dist/') && rel !== 'dist' && !rel.startsWith('dist/linux-x64')) return false;
      if (name === 'webgpu' && rel.startsWith('build')) return false;
      if (statSync(source).isDirectory()) return !keepOnly || [...keepOnly].some((f) => f.startsWith(`${rel}/`));
      if (keepOnly) return keepOnly.has(rel);
      return !NEVER.some((pattern) => pattern.test(rel.split('/').pop()));
    },
  });
}

function stageNodeModules(app, pkg, webgpu) {
  const closure = runtimeClosure([...Object.keys(pkg.dependencies), ...EXTRA_ROOTS]);
  for (const [dir, name] of closure) copyPackage(dir, join(app, relative(root, dir)), name);
  for (const [name, dir] of Object.entries(webgpu)) copyPackage(dir, join(app, 'node_modules', name), name);
  return closure.size + Object.keys(webgpu).length;
}

function stageNode(app) {
  cpSync(process.execPath, join(app, 'node'));
  const stripped = spawnSync('strip', [join(app, 'node')]);
  if (stripped.status !== 0) say('strip not found: the Node binary goes in with its debug info');
}

const RUN_SCRIPT = `#!/bin/sh
# ecg-lab packed for a GPU machine without Node (scripts/pack-gpu.mjs, docs/gpu.md).
#   ./run.sh test            ecg-lab's WebGPU kernels against cpu (skipped without an adapter;
#                            ECG_LAB_WEBGPU_KERNELS=tfjs tests tfjs-backend-webgpu's own)
#   ./run.sh bench [...]     bench/train-step.ts: webgpu with ecg-lab's and with tfjs's kernels at
#                            batch 16 and 64, and PyTorch on CUDA at the same batches when torch has it
#   ./run.sh probe           which WebGPU adapter Dawn finds
#   ./run.sh <command> ...   the ecg-lab command (run, generate, digitize, ...)
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
case "\${1:-}" in
  test) shift; exec ./node test/backend/webgpu.test.js "$@" ;;
  bench) shift; exec ./node bench/train-step.js --backends webgpu,webgpu-gradients,webgpu-tfjs --gpu-batches 16,64 "$@" ;;
  probe) exec ./node --input-type=module -e "import { create, globals } from 'webgpu'; Object.assign(globalThis, globals); const a = await create([]).requestAdapter({ powerPreference: 'high-performance' }); console.log(a ? 'adapter: ' + JSON.stringify(a.info) : 'no WebGPU adapter'); process.exit(0);" ;;
  *) exec ./node dist/cli/main.js "$@" ;;
esac
`;

/** The staged copy, run as the GPU machine will run it, from another folder. */
function checkStaged(base, app) {
  const node = join(app, 'node');
  const check = (label, args, options = {}) => {
    const out = run(node, args, { cwd: app, ...options });
    say(`check ok: ${label}`);
    return out;
  };
  check('ecg-lab --help', ['dist/cli/main.js', '--help']);
  const runs = mkdtempSync(join(tmpdir(), 'ecg-lab-pack-runs-'));
  check('run experiments/quickstart.yaml backend=cpu --dry-run', ['dist/cli/main.js', 'run', 'experiments/quickstart.yaml', 'backend=cpu', '--dry-run', '--runs', runs]);
  check('generate images (sharp, libvips, fonts)', ['dist/cli/main.js', 'generate', 'images', '--n', '2', '--out', join(runs, 'pages')]);
  check('Dawn and tfjs-backend-webgpu load', ['--input-type=module', '-e', "await import('webgpu'); await import('@tensorflow/tfjs-backend-webgpu');"]);
  const test = check('test/backend/webgpu.test.js', ['test/backend/webgpu.test.js']);
  say(`  ${test.split('\n').find((l) => /skipped:|Passed:/.test(l))?.trim()}`);
  rmSync(runs, { recursive: true, force: true });
  return base;
}

/** Sizes of what the archive holds, uncompressed, largest first. */
function sizes(base) {
  const du = run('du', ['-b', '-d', '3', base]).trim().split('\n').map((line) => line.split('\t')).map(([bytes, path]) => [Number(bytes), relative(base, path)]);
  const mib = (b) => `${(b / 1024 / 1024).toFixed(1).padStart(6)} MiB`;
  const total = du.find(([, p]) => p === '')?.[0] ?? 0;
  const files = readdirSync(join(base, 'ecg-lab')).map((f) => join(base, 'ecg-lab', f)).filter((f) => statSync(f).isFile()).map((f) => [statSync(f).size, relative(base, f)]);
  const leaves = [...files, ...du].filter(([, p]) => p !== '' && !du.some(([, q]) => q !== p && q.startsWith(`${p}/`) && ['ecg-lab', 'ecg-lab/node_modules', 'ecg-lab/node_modules/@tensorflow', 'ecg-lab/node_modules/@img'].includes(p)));
  return [`uncompressed ${mib(total)}, by size:`, ...leaves.sort((a, b) => b[0] - a[0]).slice(0, 24).map(([b, p]) => `  ${mib(b)}  ${p}`)].join('\n');
}

function main() {
  const out = join(root, arg('out', 'gpu-pack/ecg-lab-gpu.tar.xz'));
  const work = mkdtempSync(join(tmpdir(), 'ecg-lab-pack-'));
  try {
    const base = join(work, 'archive');
    const app = join(base, 'ecg-lab');
    mkdirSync(app, { recursive: true });
    const { pkg, commit } = buildFromHead(app, work);
    say(`built ecg-lab ${commit} (dist/, bench and test bundles)`);
    const packages = stageNodeModules(app, pkg, fetchWebgpuPackages(work));
    say(`${packages} runtime packages`);
    stageNode(app);
    writeFileSync(join(app, 'run.sh'), RUN_SCRIPT);
    chmodSync(join(app, 'run.sh'), 0o755);
    const torch = join(root, '..', 'shared', 'bench', 'torch_train_step.py');
    if (existsSync(torch)) cpSync(torch, join(base, 'shared', 'bench', 'torch_train_step.py'));
    checkStaged(base, app);
    mkdirSync(dirname(out), { recursive: true });
    run('sh', ['-c', `tar -C "${base}" -cf - ecg-lab shared 2>/dev/null | xz -9 -T0 > "${out}"`]);
    const size = statSync(out).size;
    console.log(sizes(base));
    if (size > LIMIT) {
      console.error(`pack-gpu: ${relative(root, out)} is ${(size / 1024 / 1024).toFixed(1)} MiB (${size} bytes), over the ${LIMIT / 1024 / 1024} MiB limit`);
      return 1;
    }
    say(`${relative(root, out)}: ${(size / 1024 / 1024).toFixed(1)} MiB (${size} bytes; limit ${LIMIT / 1024 / 1024} MiB), ecg-lab ${commit}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
