/**
 * What the data stage's cache key knows of the data: a digest of every file
 * the configured source reads (tables, headers, signal files), as
 *
 *   fingerprint = sha256 over, per file in reading order:
 *                 its name relative to data.path, its size, its sha256
 *
 * so editing a label in a header, replacing a signal file, adding or deleting
 * a record (within data.records) gives a new key and the stage runs again.
 * Synthetic data has none: the config alone determines it.
 *
 * Why content hashes and not mtime + size: a label edit (NORM -> STTC) keeps
 * the size, and `cp -p`, `rsync -t`, unpacking an archive or a git checkout
 * set mtimes that say nothing of the content. Hashing is cheap next to
 * loading: the key of the 1,998 PTB-XL records of ../shared/data (4,000
 * files, 49 MB) takes 0.6 s the first time in a process; core/file-hash.ts
 * hashes a file once per process and wfdb.ts parses a header once while it
 * is unchanged, so every later key (one per cell) costs a listing and a stat
 * per file, 0.05-0.12 s. A folder or table that cannot be read gives a fingerprint naming
 * the problem; the loader then reports it with its own message.
 */
import { relative } from 'node:path';
import type { DataConfig } from '../config/schema/data.js';
import { errorMessage } from '../core/errors.js';
import { fileDigestSync } from '../core/file-hash.js';
import { sha256, stableStringify } from '../core/hash.js';
import { ptbxlFiles } from './ptbxl.js';
import { wfdbFolderFiles } from './wfdb-folder.js';

/** sha256 hex of the files the source reads; undefined for synthetic data. */
export function dataFingerprint(data: DataConfig): string | undefined {
  if (data.source === 'synthetic') return undefined;
  return sha256(stableStringify(describeFiles(data)));
}

type FileLine = readonly [name: string, size: number, sha256: string] | readonly [name: string, error: string];

function describeFiles(data: DataConfig): { files: FileLine[] } | { unreadable: string } {
  if (data.path === '') return { unreadable: 'data.path is empty' };
  let files: string[];
  try {
    files = data.source === 'ptbxl' ? ptbxlFiles({ path: data.path, plusPath: data.ptbxlPlusPath, fsHz: data.fsHz, limit: data.records }) : wfdbFolderFiles({ path: data.path, limit: data.records });
  } catch (error) {
    return { unreadable: errorMessage(error) };
  }
  return { files: files.map((file) => describeFile(file, relative(data.path, file))) };
}

function describeFile(file: string, name: string): FileLine {
  try {
    const { size, sha256: hash } = fileDigestSync(file);
    return [name, size, hash];
  } catch (error) {
    return [name, (error as NodeJS.ErrnoException).code ?? errorMessage(error)];
  }
}
