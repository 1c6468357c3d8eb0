/**
 * Size and sha256 of a file, hashed at most once per process for one state
 * of the file. The state is (device, inode, size, mtime, ctime) in
 * nanoseconds: a write, truncation, replacement or `touch` changes it, so a
 * changed file is hashed again, and an unchanged one costs one stat. A
 * rename keeps the state (same inode), so a cache entry's files hashed in
 * its temporary folder are not hashed again once renamed into place.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

const hashed = new Map<string, string>();

function stateOf(path: string, s: BigIntStats): string {
  // Some file systems report inode 0; the path then stands in for it.
  const id = s.ino === 0n ? `path:${path}` : `${s.dev}:${s.ino}`;
  return `${id}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** The file's size and content hash; throws the fs error (ENOENT, EACCES) as it is. */
export async function fileDigest(path: string): Promise<FileDigest> {
  const s = await stat(path, { bigint: true });
  const state = stateOf(path, s);
  const size = Number(s.size);
  const known = hashed.get(state);
  if (known !== undefined) return { size, sha256: known };
  const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
  hashed.set(state, sha256);
  return { size, sha256 };
}

/** fileDigest without awaiting: for cache keys, which are computed synchronously. */
export function fileDigestSync(path: string): FileDigest {
  const s = statSync(path, { bigint: true });
  const state = stateOf(path, s);
  const size = Number(s.size);
  const known = hashed.get(state);
  if (known !== undefined) return { size, sha256: known };
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  hashed.set(state, sha256);
  return { size, sha256 };
}
