/**
 * The dependency direction of DESIGN.md / STYLE.md, checked on every import:
 *   cli -> (train, inference) -> (models, render, data, metrics, tracking, report) -> page -> (backend, config) -> core
 * (docs/architecture.md draws it) plus: page, data, render and metrics know
 * nothing of TensorFlow; models import page for its types; only cli touches
 * the console and exit codes. And the "Done when" of issue 16: one home per
 * idea (the box types, the nominal layout, crop cutting, the Challenge
 * record writer, rows to leads), no basename naming two different things,
 * no folder over 20 files or 2,500 lines, no inference under train/; and
 * no synchronous tensor read (backend=webgpu cannot do them in Node or Deno).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Folder -> folders of src/ it may import from (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  config: ['core'],
  backend: ['core', 'config'],
  metrics: ['core'],
  page: ['core', 'config'],
  data: ['core', 'config'],
  render: ['core', 'config', 'data', 'page'],
  models: ['core', 'config', 'backend', 'page'],
  tracking: ['core', 'config'],
  report: ['core', 'config', 'metrics', 'tracking'],
  train: ['core', 'config', 'backend', 'page', 'data', 'render', 'models', 'metrics', 'tracking', 'report'],
  inference: ['core', 'config', 'backend', 'page', 'data', 'render', 'models', 'metrics', 'tracking'],
  cli: ['core', 'config', 'backend', 'page', 'data', 'render', 'models', 'metrics', 'tracking', 'report', 'train', 'inference'],
};
const NO_TENSORFLOW = ['core', 'config', 'page', 'data', 'render', 'metrics', 'tracking', 'report'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specs.push((match[1] ?? match[2]) as string);
  }
  return specs;
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0] as string;

test('every src/ folder is one of the design layers', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  for (const f of folders) assert.ok(f in ALLOWED, `src/${f} is not in the layout of DESIGN.md`);
});

test('imports point inward only', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = folderOf(file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) {
        if (NO_TENSORFLOW.includes(from) && spec.startsWith('@tensorflow/')) violations.push(`${relative(SRC, file)} imports ${spec}`);
        continue;
      }
      const target = relative(SRC, resolve(dirname(file), spec)).split('/')[0] as string;
      if (target !== from && !(ALLOWED[from] ?? []).includes(target)) violations.push(`${relative(SRC, file)} imports src/${target} (${spec})`);
    }
  }
  assert.equal(violations, []);
});

test('models import page/ for its types only (the geometry is computed outside the models)', () => {
  const violations: string[] = [];
  for (const file of files(join(SRC, 'models'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+['"](\.\.\/page\/[^'"]+)['"]/gm)) {
      if (!match[2]) violations.push(`${relative(SRC, file)} imports values from ${match[3]}`);
    }
  }
  assert.equal(violations, []);
});

test('only src/cli writes to the console or sets exit codes', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    if (folderOf(file) === 'cli') continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of [/\bconsole\.\w+\(/, /process\.exit\b/, /process\.exitCode\b/, /process\.std(out|err)\b/, /process\.argv\b/]) {
      if (pattern.test(text)) violations.push(`${relative(SRC, file)} uses ${pattern.source}`);
    }
  }
  assert.equal(violations, []);
});

/** src/ files as paths relative to src/, with their text. */
const SOURCES = files(SRC).map((file) => ({ path: relative(SRC, file), text: readFileSync(file, 'utf8') }));

/** The files of src/ that define `pattern` (a regular expression over one file's text). */
const definedIn = (pattern: RegExp) => SOURCES.filter((f) => pattern.test(f.text)).map((f) => f.path);

/** A type alias or interface definition (not an import) of a name matching `name`. */
const typeDefinition = (name: string) => new RegExp(`^\\s*(?:export\\s+)?(?:type\\s+(${name})\\b[^=;]*=|interface\\s+(${name})\\b)`, 'gm');

test('one home per idea: the box types, the nominal layout, crop cutting, the Challenge record writer', () => {
  assert.equal(definedIn(typeDefinition('PixelBox')), ['page/box.ts'], 'PixelBox');
  assert.equal(definedIn(typeDefinition('NormalBox')), ['page/box.ts'], 'NormalBox');
  assert.equal(definedIn(typeDefinition('Box')), [], 'a type named plain Box');
  assert.equal(definedIn(/\[\s*x0: number, y0: number, x1: number, y1: number\s*\]/), ['page/box.ts'], 'a box as a labelled tuple');
  const boxTypesOutsidePage = SOURCES.flatMap((f) => [...f.text.matchAll(typeDefinition('\\w*Box'))].map((m) => `${f.path}: ${m[1] ?? m[2]}`));
  assert.equal(boxTypesOutsidePage.filter((d) => !d.startsWith('page/')), [], 'box types live in page/');
  assert.equal(definedIn(/\bfunction\s+nominalLeadBoxes\b/), ['page/layout.ts'], 'nominalLeadBoxes');
  assert.equal(definedIn(/\bfunction\s+layoutPage\b/), ['page/layout.ts'], 'layoutPage');
  assert.equal(definedIn(/\bfunction\s+cutCrop\w*/), ['models/leads/crop-cut.ts'], 'crop cutting (cutCrop*)');
  assert.equal(definedIn(/\bimage\.cropAndResize\(/), ['models/leads/crop-cut.ts'], 'tf.image.cropAndResize');
  // The Challenge layout: a WFDB record whose header comments name its image (`# Image: <record>-0.png`).
  assert.equal(definedIn(/\bfunction\s+writeChallenge\w*/), ['render/challenge.ts'], 'the Challenge record writer');
  assert.equal(definedIn(/`Image: \$\{/), ['render/challenge.ts'], "the header's Image: comment");
  assert.equal(definedIn(/\bwriteWfdbRecord\(/).filter((f) => !f.startsWith('data/')), ['render/challenge.ts'], 'WFDB written outside data/');
  assert.equal(definedIn(/\bfunction\s+rowsToLeads\b/), ['models/leads/crop-leads.ts'], 'rows to leads');
});

/**
 * Folders whose files are named after an idea that lives elsewhere: the
 * messages of an area, the config group of a folder, a CLI command, the
 * MLflow side of tracking, a TensorFlow.js kernel on one backend (the
 * same kernel on WASM and on WebGPU); and stage files (a stage trains the
 * model of its name). A basename may repeat across these; anywhere else it
 * names one file.
 */
const NAMED_AFTER_ELSEWHERE = ['core/messages/', 'config/schema/', 'cli/commands/', 'tracking/mlflow/', 'backend/wasm-kernels/', 'backend/webgpu-kernels/'];
const isStageFile = (f: { path: string; text: string }) => f.path.startsWith('train/stages/') && /:\s*Stage(<[^>]*>)?\s*=\s*\{/.test(f.text);

test('no two files of src/ share a name for different things (resample.ts, example-page.ts)', () => {
  const byName = new Map<string, string[]>();
  for (const f of SOURCES) {
    if (f.path.endsWith('/index.ts') || NAMED_AFTER_ELSEWHERE.some((dir) => f.path.startsWith(dir)) || isStageFile(f)) continue;
    const name = f.path.split('/').pop() as string;
    byName.set(name, [...(byName.get(name) ?? []), f.path]);
  }
  assert.equal([...byName.values()].filter((paths) => paths.length > 1), []);
});

test('no folder of src/ holds more than 20 files or 2,500 lines', () => {
  const byFolder = new Map<string, { files: number; lines: number }>();
  for (const f of SOURCES) {
    const folder = dirname(f.path);
    const entry = byFolder.get(folder) ?? { files: 0, lines: 0 };
    byFolder.set(folder, { files: entry.files + 1, lines: entry.lines + f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0) });
  }
  const describe = ([folder, size]: [string, { files: number; lines: number }]) => `src/${folder}: ${size.files} files, ${size.lines} lines`;
  console.log([...byFolder].map(describe).join('\n'));
  assert.equal([...byFolder].filter(([, size]) => size.files > 20 || size.lines > 2500).map(describe), []);
});

test('train/ holds no inference: no file named for it, nothing of inference/ defined again', () => {
  const train = SOURCES.filter((f) => f.path.startsWith('train/'));
  assert.equal(train.filter((f) => /(^|\/)infer[^/]*\.ts$/.test(f.path)).map((f) => f.path), []);
  const inferenceExports = SOURCES.filter((f) => f.path.startsWith('inference/')).flatMap((f) => [...f.text.matchAll(/export (?:async )?function (\w+)/g)].map((m) => m[1] as string));
  assert.ok(inferenceExports.includes('inferImage') && inferenceExports.includes('loadTrainedCell'), inferenceExports.join(', '));
  const again = train.flatMap((f) => inferenceExports.filter((name) => new RegExp(`\\bfunction\\s+${name}\\b`).test(f.text)).map((name) => `${f.path}: ${name}`));
  assert.equal(again, []);
});

test('no synchronous tensor reads in src/: tfjs-backend-webgpu reads them through OffscreenCanvas, which Node and Deno lack (models/read.ts)', () => {
  // backend/wasm-kernels' backend.readSync is not one: it reads the WASM backend's own memory, and those kernels run there only.
  const offenders = SOURCES.filter((f) => /\.(dataSync|arraySync)\(/.test(f.text)).map((f) => f.path);
  assert.equal(offenders, [], 'read tensors with await readValues / readScalar (models/read.ts) so that backend=webgpu works');
});

test('no Math.random in src/: randomness comes from core/rng', () => {
  const offenders = files(SRC).filter((f) => /Math\.random\(/.test(readFileSync(f, 'utf8')));
  assert.equal(offenders.map((f) => relative(SRC, f)), []);
});

test.run();
