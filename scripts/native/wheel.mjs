/**
 * TensorFlow's C library from PyPI: download the wheel with pip (the one
 * registry these machines reach), extract only what tfjs-node's addon needs
 * (libtensorflow_cc.so.2, libtensorflow_framework.so.2, the C headers) into
 * a cache folder, once. The GPU flavour also extracts the nvidia-*-cu12
 * wheels named by TensorFlow's `and-cuda` extra, in the layout TensorFlow's
 * RUNPATH expects ($ORIGIN/../nvidia/<pkg>/lib).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError, run, tryRun } from './run.mjs';

/**
 * Pinning the platform makes the bytes independent of the local Python.
 * pip does not widen an explicit manylinux tag to the older ones a wheel may
 * carry (the CUDA wheels are manylinux_2_25, 2_17 / 2014, 2_12 / 2010), so
 * all of them are listed; TensorFlow's own wheel is manylinux_2_27.
 */
const MANYLINUX = ['manylinux_2_27', 'manylinux_2_25', 'manylinux_2_17', 'manylinux2014', 'manylinux_2_12', 'manylinux2010'];
const WHEEL_PLATFORM = [
  ...MANYLINUX.flatMap((tag) => ['--platform', `${tag}_x86_64`]),
  '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311',
];

const WHEEL_PROJECT = { cpu: 'tensorflow-cpu', gpu: 'tensorflow' };

/** Members of the TensorFlow wheel the addon needs: the two libraries and the C API headers. */
const TF_MEMBERS = [
  'tensorflow/libtensorflow_cc.so.2',
  'tensorflow/libtensorflow_framework.so.2',
  'tensorflow/include/tensorflow/c/',
  'tensorflow/include/tensorflow/core/platform/ctstring',
  'tensorflow/include/tsl/platform/ctstring',
  'tensorflow/include/xla/tsl/c/',
];

/** Finds a Python that has pip; ECG_LAB_PYTHON overrides. */
export function findPip() {
  const candidates = process.env.ECG_LAB_PYTHON ? [process.env.ECG_LAB_PYTHON] : ['python3', 'python'];
  for (const python of candidates) {
    if (tryRun(python, ['-m', 'pip', '--version'])) return python;
  }
  throw new SetupError(
    `pip was not found (tried: ${candidates.map((p) => `${p} -m pip`).join(', ')})`,
    'install Python 3 with pip (Debian: apt-get install python3-pip), or set ECG_LAB_PYTHON to a python that has pip',
  );
}

/**
 * The extracted tree `<cache>/tensorflow-<flavour>-<version>/` with
 * `tensorflow/` (libraries, include/) and, for gpu, `nvidia/`. Returns it at
 * once when a previous run completed it.
 */
export function ensureExtractedWheel({ cacheDir, flavour, tensorflowVersion, logFile, say }) {
  const target = join(cacheDir, `tensorflow-${flavour}-${tensorflowVersion}`);
  if (existsSync(join(target, '.complete'))) return target;
  const python = findPip();
  const work = `${target}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  try {
    fetchInto(work, { python, flavour, tensorflowVersion, logFile, say });
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

/** Downloads and extracts into `work`; ensureExtractedWheel renames it into place only when this completes. */
function fetchInto(work, { python, flavour, tensorflowVersion, logFile, say }) {
  mkdirSync(join(work, 'wheels'), { recursive: true });
  const spec = `${WHEEL_PROJECT[flavour]}==${tensorflowVersion}`;
  say(`downloading ${spec} with pip (${flavour === 'gpu' ? '572 MB' : '274 MB'}, once)`);
  pipDownload(python, [spec], join(work, 'wheels'), logFile);
  const tfWheel = onlyWheel(join(work, 'wheels'), WHEEL_PROJECT[flavour].replace('-', '_'));
  say('extracting libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C headers');
  unzipMembers(python, tfWheel, TF_MEMBERS, work, logFile);
  if (flavour === 'gpu') {
    const cudaSpecs = andCudaRequirements(python, tfWheel, logFile);
    say(`downloading the CUDA wheels of the and-cuda extra (${cudaSpecs.length} wheels, several GB, once)`);
    pipDownload(python, cudaSpecs, join(work, 'wheels'), logFile);
    for (const wheel of readdirSync(join(work, 'wheels')).filter((f) => f.startsWith('nvidia_'))) {
      unzipMembers(python, join(work, 'wheels', wheel), ['nvidia/'], work, logFile);
    }
  }
  rmSync(join(work, 'wheels'), { recursive: true, force: true });
  writeFileSync(join(work, '.complete'), `${spec}\n`);
}

function pipDownload(python, specs, dest, logFile) {
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', ...WHEEL_PLATFORM, '-d', dest, ...specs];
  run(python, args, {
    logFile,
    missing: `pip could not download ${specs.join(' ')} (no index reachable, or the index does not have it)`,
    hint: 'check that pip reaches PyPI (pip config list; PIP_INDEX_URL), then run: npm run setup:native',
  });
}

function onlyWheel(dir, prefix) {
  const wheel = readdirSync(dir).find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.whl'));
  if (!wheel) throw new SetupError(`pip reported success but no ${prefix} wheel is in ${dir}`, 'run: npm run setup:native');
  return join(dir, wheel);
}

/** Extracts the members whose names start with one of `prefixes`, with Python's zipfile (pip implies Python). */
function unzipMembers(python, wheel, prefixes, dest, logFile) {
  const code = [
    'import sys, zipfile',
    'wheel, dest, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]',
    'z = zipfile.ZipFile(wheel)',
    'names = [n for n in z.namelist() if any(n.startswith(p) for p in prefixes) and not n.endswith("/")]',
    'assert names, "nothing matched in " + wheel',
    'z.extractall(dest, names)',
  ].join('\n');
  run(python, ['-c', code, wheel, dest, ...prefixes], {
    logFile,
    missing: `could not extract ${prefixes.join(', ')} from ${wheel}`,
    hint: 'check free disk space in the cache folder (ECG_LAB_CACHE), then run: npm run setup:native',
  });
}

/** The `and-cuda` extra's requirements, read from the wheel's own METADATA, so they are pinned by TensorFlow. */
function andCudaRequirements(python, wheel, logFile) {
  const code = [
    'import sys, zipfile, re',
    'z = zipfile.ZipFile(sys.argv[1])',
    'meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))',
    'for line in z.read(meta).decode().splitlines():',
    '    m = re.match(r"Requires-Dist: (nvidia-[^;]+); extra == .and-cuda.", line)',
    '    if m: print(m.group(1).strip())',
  ].join('\n');
  const out = run(python, ['-c', code, wheel], { logFile, missing: `could not read the and-cuda extra of ${wheel}`, hint: '' });
  return out.split('\n').filter(Boolean);
}
