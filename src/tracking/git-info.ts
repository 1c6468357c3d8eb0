/**
 * What git says about the working tree a run starts from: the commit, the
 * dirty flag, and, when dirty, the patch (`git diff HEAD`) that with the
 * commit gives back the code that ran. The `git` binary is the one on PATH
 * unless the caller names another (tests put a fake one there).
 */
import { execFileSync } from 'node:child_process';

export interface GitOptions {
  /** The git executable (default `git`). */
  readonly git?: string;
}

function gitRunner(cwd: string, options: GitOptions): (...args: string[]) => string | undefined {
  return (...args) => {
    try {
      return execFileSync(options.git ?? 'git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
    } catch {
      return undefined;
    }
  };
}

/** Git commit and dirty flag of the working tree at `cwd`; empty values outside a repository. */
export function gitTags(cwd: string, options: GitOptions = {}): Record<string, string> {
  const git = gitRunner(cwd, options);
  const commit = git('rev-parse', 'HEAD')?.trim();
  if (commit === undefined) return { 'git.commit': 'none', 'git.dirty': 'unknown' };
  const status = git('status', '--porcelain', '--untracked-files=no');
  return { 'git.commit': commit, 'git.dirty': status === undefined ? 'unknown' : String(status.trim().length > 0) };
}

/** `git diff HEAD` of the tracked files when the tree at `cwd` differs from HEAD; undefined when clean or outside a repository. */
export function gitPatch(cwd: string, options: GitOptions = {}): string | undefined {
  const patch = gitRunner(cwd, options)('diff', 'HEAD', '--binary');
  return patch !== undefined && patch.length > 0 ? patch : undefined;
}
