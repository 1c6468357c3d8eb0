/**
 * The stage cache. An entry is a folder <root>/<stage>/<key>/ holding what the
 * stage wrote plus entry.json (manifest, metrics logged while it ran, its
 * artifacts list, and the size and sha256 of every file it wrote). It is
 * built in a temporary sibling folder and renamed into place only when the
 * stage succeeded, so a killed run never leaves a half entry under a real
 * key; the temporary folder is removed only after the stage's run settled,
 * and temporary folders of dead processes are removed.
 *
 *   key = hash(stage name, stage version, values of its config keys,
 *              cache keys of the stages it reads (stageReads: with the
 *              inputs its readsWhen adds for this config),
 *              stage.fingerprint(config): what it reads from outside the
 *              cache, e.g. the data stage's digest of the files of data.path)
 *
 * A stage without a fingerprint has the key it had before fingerprints.
 *
 * Nothing in an entry is used unchecked: on every lookup each recorded file
 * must exist with its recorded size, and its content must hash to the
 * recorded sha256. core/file-hash.ts hashes a file once per process for one
 * (inode, size, mtime, ctime): the first use in a process reads everything,
 * later uses of an unchanged entry cost a stat per file, and a file written
 * since is hashed again. An entry that fails is moved aside to
 * `<key>.corrupt-<random>` (kept for inspection, never used) with a warning
 * naming the entry and the file, and is rebuilt. Entries written before
 * entries recorded their files cannot be checked, and are treated the same:
 * moved aside and rebuilt once.
 *
 * `run --no-cache` / `--force` build an entry again under its key: the new
 * one is built aside like any other, then the old one is renamed away and
 * the new one renamed in (two renames: a reader in between finds no entry
 * and builds it, never a mix of the two), and the old one is removed.
 *
 * entry.json also records what built the entry: the git commit and the
 * backend (`builtBy`), for provenance; lookups do not read it.
 */
import { mkdir, readFile, readdir, rename, rm, cp, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EcgError } from '../core/errors.js';
import { fileDigest, type FileDigest } from '../core/file-hash.js';
import { hashValue } from '../core/hash.js';
import type { Logger } from '../core/logger.js';
import { mapLimited } from '../core/map-limited.js';
import { runMessages as msg, trainMessages } from '../core/messages.js';
import { selectKeys } from '../config/compose.js';
import type { Config } from '../config/schema/index.js';
import type { MetricPoint } from '../tracking/run-store.js';
import { stageReads, type Stage, type StageOutput } from './stage.js';

export const ARTIFACTS_SUBDIR = '_artifacts';
const ENTRY_FILE = 'entry.json';

export interface CacheEntry {
  readonly stage: string;
  readonly version: number;
  readonly key: string;
  readonly config: Record<string, unknown>;
  readonly inputs: Record<string, string>;
  readonly manifest: unknown;
  readonly metrics: MetricPoint[];
  readonly tags: Record<string, string>;
  readonly createdAt: string;
  readonly durationS: number;
  /** Size and sha256 of every file of the entry but entry.json, by path relative to the entry; absent in entries of older versions. */
  readonly files?: Readonly<Record<string, FileDigest>>;
  /** The commit and backend that built it (absent in older entries and in entries of stages that ran before the backend loaded). */
  readonly builtBy?: Readonly<Record<string, string>>;
}

export interface ProduceOptions {
  /** An entry already under the key is replaced unless it was created at or after this ISO time. */
  readonly replaceOlderThan?: string;
}

export function stageKey(stage: Stage, config: Config, inputKeys: Readonly<Record<string, string>>): string {
  return hashValue({
    stage: stage.name,
    version: stage.version,
    config: selectKeys(config, stage.configKeys),
    inputs: Object.fromEntries(stageReads(stage, config).map((name) => [name, inputKeys[name]])),
    fingerprint: stage.fingerprint?.(config),
  });
}

export class StageCache {
  constructor(
    readonly root: string,
    private readonly logger: Logger,
  ) {}

  entryDir(stage: string, key: string): string {
    return join(this.root, stage, key);
  }

  has(stage: string, key: string): boolean {
    return existsSync(join(this.entryDir(stage, key), ENTRY_FILE));
  }

  /** The entry if complete and its files are as recorded; a damaged one is moved aside, reported, and reported missing. */
  async lookup(stage: string, key: string): Promise<{ output: StageOutput; entry: CacheEntry } | undefined> {
    const dir = this.entryDir(stage, key);
    if (!existsSync(dir)) return undefined;
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(join(dir, ENTRY_FILE), 'utf8')) as CacheEntry;
      if (entry.key !== key || entry.stage !== stage) throw new EcgError('CACHE_CORRUPT', msg.cacheEntryMismatch(entry.stage, entry.key));
    } catch (error) {
      this.logger.warn(msg.cacheEntryCorrupt(dir, (error as Error).message));
      await moveAside(dir);
      return undefined;
    }
    if (entry.files === undefined) {
      this.logger.warn(trainMessages.cacheEntryUnverifiable(dir, await moveAside(dir)));
      return undefined;
    }
    const damage = await firstDamage(dir, entry.files);
    if (damage) {
      this.logger.warn(trainMessages.cacheFileDamaged(dir, damage.file, damage.detail, await moveAside(dir)));
      return undefined;
    }
    return { output: { stage, key, dir, manifest: entry.manifest }, entry };
  }

  /**
   * Run `build` in a fresh temporary folder; on success write entry.json and
   * rename the folder into place. If another process finished the same key
   * first, its entry wins and ours is discarded (same inputs, same result).
   */
  async produce(
    stage: Stage,
    key: string,
    describe: Omit<CacheEntry, 'manifest' | 'metrics' | 'tags' | 'createdAt' | 'durationS' | 'stage' | 'version' | 'key'>,
    build: (tmpDir: string) => Promise<{ manifest: unknown; metrics: MetricPoint[]; tags: Record<string, string> }>,
    options: ProduceOptions = {},
  ): Promise<{ output: StageOutput; entry: CacheEntry }> {
    const parent = join(this.root, stage.name);
    await mkdir(parent, { recursive: true });
    const tmp = join(parent, `.tmp-${key}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await mkdir(tmp);
    const started = Date.now();
    try {
      const { manifest, metrics, tags } = await build(tmp);
      const files = await digestFiles(tmp);
      const entry: CacheEntry = {
        stage: stage.name,
        version: stage.version,
        key,
        ...describe,
        manifest,
        metrics,
        tags,
        createdAt: new Date().toISOString(),
        durationS: (Date.now() - started) / 1000,
        files,
      };
      await writeFile(join(tmp, ENTRY_FILE), `${JSON.stringify(entry, null, 2)}\n`);
      const final = this.entryDir(stage.name, key);
      if (await renameIntoPlace(tmp, final)) return { output: { stage: stage.name, key, dir: final, manifest }, entry };
      const existing = await this.lookup(stage.name, key);
      const replace = options.replaceOlderThan !== undefined && (existing === undefined || existing.entry.createdAt < options.replaceOlderThan);
      if (replace) {
        const old = `${final}.replaced-${randomBytes(3).toString('hex')}`;
        await rename(final, old).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        const placed = await renameIntoPlace(tmp, final);
        await rm(old, { recursive: true, force: true });
        if (placed) return { output: { stage: stage.name, key, dir: final, manifest }, entry };
      }
      await rm(tmp, { recursive: true, force: true });
      const winner = existing !== undefined && !replace ? existing : await this.lookup(stage.name, key);
      if (!winner) throw new EcgError('CACHE_CORRUPT', msg.cacheEntryCorrupt(final, 'lost a race and found no entry'));
      return winner;
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  }

  /** Remove temporary folders left by processes of this host that no longer run. */
  async sweepStaleTemporaries(isAlive: (pid: number) => boolean): Promise<number> {
    if (!existsSync(this.root)) return 0;
    let removed = 0;
    for (const stage of await readdir(this.root)) {
      const dir = join(this.root, stage);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const match = /^\.tmp-[0-9a-f]+-(.+)-(\d+)-[0-9a-f]+$/.exec(name);
        if (!match || match[1] !== hostname() || isAlive(Number(match[2]))) continue;
        await rm(join(dir, name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}

/** Rename a built entry to its key; false when an entry is already there. */
async function renameIntoPlace(tmp: string, final: string): Promise<boolean> {
  try {
    await rename(tmp, final);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    return false;
  }
}

/** Move a damaged entry out of the way (kept for inspection); returns where it went. */
async function moveAside(dir: string): Promise<string> {
  const aside = `${dir}.corrupt-${randomBytes(3).toString('hex')}`;
  try {
    await rename(dir, aside);
  } catch (error) {
    // ENOENT: another process moved it first.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') await rm(dir, { recursive: true, force: true });
  }
  return aside;
}

/** Size and sha256 of every file under dir (entry.json aside), by relative path in sorted order. */
async function digestFiles(dir: string): Promise<Record<string, FileDigest>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const paths = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .filter((path) => path !== join(dir, ENTRY_FILE))
    .sort();
  const digests = await mapLimited(paths, 8, fileDigest);
  return Object.fromEntries(paths.map((path, i) => [relative(dir, path), digests[i] as FileDigest]));
}

/** The first recorded file that is missing, of another size, or of other content; undefined when all are as recorded. */
async function firstDamage(dir: string, files: Readonly<Record<string, FileDigest>>): Promise<{ file: string; detail: string } | undefined> {
  const recorded = Object.entries(files);
  const sizes = await Promise.all(recorded.map(([file]) => stat(join(dir, file)).then((s) => s.size, () => undefined)));
  for (const [i, [file, expected]] of recorded.entries()) {
    const size = sizes[i];
    if (size === undefined) return { file, detail: 'is missing' };
    if (size !== expected.size) return { file, detail: `has ${size} bytes, entry.json records ${expected.size}` };
  }
  const digests = await mapLimited(recorded, 8, ([file]) => fileDigest(join(dir, file)).catch((error: unknown) => error as Error));
  for (const [i, [file, expected]] of recorded.entries()) {
    const digest = digests[i] as FileDigest | Error;
    if (digest instanceof Error) return { file, detail: `cannot be read (${digest.message})` };
    if (digest.sha256 !== expected.sha256) return { file, detail: `has ${expected.size} bytes as recorded, but its sha256 differs from the one in entry.json` };
  }
  return undefined;
}

/** Copy a cache entry's artifacts into a run's artifacts folder. */
export async function copyArtifacts(entryDir: string, artifactsDir: string): Promise<void> {
  const src = join(entryDir, ARTIFACTS_SUBDIR);
  if (!existsSync(src)) return;
  await mkdir(artifactsDir, { recursive: true });
  await cp(src, artifactsDir, { recursive: true, force: true });
}
