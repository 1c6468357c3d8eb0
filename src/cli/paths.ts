/** Where configs/ and runs/ are for a command. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own root (dist/cli/../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * configs/ beside the experiment's folder (experiments/../configs), else in the
 * working directory, else the package's own.
 */
export function configsDirFor(experimentPath: string, cwd: string): string {
  const candidates = [join(dirname(resolve(cwd, experimentPath)), '..', 'configs'), join(cwd, 'configs'), join(PACKAGE_ROOT, 'configs')];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[2] as string);
}

/**
 * An experiment as the user named it: a path to a file as given; a bare name
 * (`quickstart`) that is no file in the working directory is
 * experiments/<name>.yaml there, else the package's own.
 */
export function experimentFile(ref: string, cwd: string): string {
  if (existsSync(resolve(cwd, ref)) || ref.includes('/') || ref.includes('\\') || /\.ya?ml$/.test(ref)) return ref;
  const candidates = [join('experiments', `${ref}.yaml`), join(PACKAGE_ROOT, 'experiments', `${ref}.yaml`)];
  return candidates.find((path) => existsSync(resolve(cwd, path))) ?? ref;
}

/** --runs, else ECG_LAB_RUNS, else ./runs. */
export function runsDirFor(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, option ?? env['ECG_LAB_RUNS'] ?? 'runs');
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
