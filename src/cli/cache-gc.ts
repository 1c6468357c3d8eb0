/**
 * What `ecg-lab gc` frees in the stage cache, <runs>/.cache/<stage>/<key>/
 * (train/cache.ts has the layout):
 *   - an entry no cell of the run store references (run.json `stages` record
 *     each stage's key) as finished, running or pending: entries only failed
 *     or killed cells used are freed too (`resume` rebuilds them);
 *   - `<key>.corrupt-*` folders, entries moved aside as damaged;
 *   - `.tmp-<key>-<host>-<pid>-*` folders of processes of this host that no
 *     longer run (those of other hosts are left: their process may live).
 * A cell that is running or pending keeps what it references, so gc beside
 * a running sweep does not pull an entry from under it.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { RunStore } from '../tracking/run-store.js';

export type GarbageKind = 'unreferenced' | 'corrupt' | 'temporary';

export interface Garbage {
  path: string;
  /** `<stage>/<name>` as it appears under the cache. */
  name: string;
  kind: GarbageKind;
  bytes: number;
}

const ENTRY = /^[0-9a-f]+$/;
const CORRUPT = /\.corrupt-[0-9a-f]+$/;
const TEMPORARY = /^\.tmp-[0-9a-f]+-(.+)-(\d+)-[0-9a-f]+$/;
const KEEPING = new Set(['finished', 'running', 'pending']);

/** `<stage>/<key>` of every entry a finished, running or pending cell references. */
export async function referencedEntries(store: RunStore): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const sweep of await store.listSweeps()) {
    for (const { id } of sweep.cells) {
      const cell = await store.readCell(sweep.experiment, sweep.id, id);
      if (!cell || !KEEPING.has(cell.status)) continue;
      for (const [stage, record] of Object.entries(cell.stages)) keep.add(`${stage}/${record.key}`);
    }
  }
  return keep;
}

export async function findGarbage(store: RunStore, isAlive: (pid: number) => boolean): Promise<Garbage[]> {
  const root = store.cacheDir();
  if (!existsSync(root)) return [];
  const keep = await referencedEntries(store);
  const out: Garbage[] = [];
  for (const stage of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const name of await readdir(join(root, stage.name))) {
      const kind = garbageKind(`${stage.name}/${name}`, name, keep, isAlive);
      if (!kind) continue;
      const path = join(root, stage.name, name);
      out.push({ path, name: `${stage.name}/${name}`, kind, bytes: await folderBytes(path) });
    }
  }
  return out;
}

function garbageKind(entry: string, name: string, keep: ReadonlySet<string>, isAlive: (pid: number) => boolean): GarbageKind | undefined {
  if (CORRUPT.test(name)) return 'corrupt';
  const tmp = TEMPORARY.exec(name);
  if (tmp) return tmp[1] === hostname() && !isAlive(Number(tmp[2])) ? 'temporary' : undefined;
  if (ENTRY.test(name) && !keep.has(entry)) return 'unreferenced';
  return undefined;
}

export async function removeGarbage(garbage: readonly Garbage[]): Promise<void> {
  for (const g of garbage) await rm(g.path, { recursive: true, force: true });
}

async function folderBytes(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
