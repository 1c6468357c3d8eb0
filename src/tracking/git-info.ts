import { execFileSync } from 'node:child_process';

/** Git commit and dirty flag of the working tree at `cwd`; empty values outside a repository. */
export function gitTags(cwd: string): Record<string, string> {
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const commit = git('rev-parse', 'HEAD');
  if (commit === undefined) return { 'git.commit': 'none', 'git.dirty': 'unknown' };
  const status = git('status', '--porcelain', '--untracked-files=no');
  return { 'git.commit': commit, 'git.dirty': status === undefined ? 'unknown' : String(status.length > 0) };
}
