/**
 * The dependency direction of DESIGN.md / STYLE.md, checked on every import:
 *   cli -> (train, inference) -> (models, render, data, metrics, tracking, report) -> page -> (backend, config) -> core
 * (docs/architecture.md draws it) plus: page, data, render and metrics know
 * nothing of TensorFlow; models import page for its types; only cli touches
 * the console and exit codes.
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

test('no Math.random in src/: randomness comes from core/rng', () => {
  const offenders = files(SRC).filter((f) => /Math\.random\(/.test(readFileSync(f, 'utf8')));
  assert.equal(offenders.map((f) => relative(SRC, f)), []);
});

test.run();
