/**
 * The stage cache. An entry is a folder <root>/<stage>/<key>/ holding what the
 * stage wrote plus entry.json (manifest, metrics logged while it ran, its
 * artifacts list). It is built in a temporary sibling folder and renamed into
 * place only when the stage succeeded, so a killed run never leaves a half
 * entry under a real key; temporary folders of dead processes are removed.
 *
 *   key = hash(stage name, stage version, values of its config keys,
 *              cache keys of the stages it reads)
 */
import { mkdir, readFile, readdir, rename, rm, cp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EcgError } from '../core/errors.js';
import { hashValue } from '../core/hash.js';
import type { Logger } from '../core/logger.js';
import { runMessages as msg } from '../core/messages.js';
import { selectKeys } from '../config/compose.js';
import type { Config } from '../config/schema/index.js';
import type { MetricPoint } from '../tracking/run-store.js';
import type { Stage, StageOutput } from './stage.js';

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
}

export function stageKey(stage: Stage, config: Config, inputKeys: Readonly<Record<string, string>>): string {
  return hashValue({
    stage: stage.name,
    version: stage.version,
    config: selectKeys(config, stage.configKeys),
    inputs: Object.fromEntries(stage.reads.map((name) => [name, inputKeys[name]])),
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

  /** The entry if complete and readable; a damaged one is moved aside and reported missing. */
  async lookup(stage: string, key: string): Promise<{ output: StageOutput; entry: CacheEntry } | undefined> {
    const dir = this.entryDir(stage, key);
    if (!existsSync(dir)) return undefined;
    try {
      const entry = JSON.parse(await readFile(join(dir, ENTRY_FILE), 'utf8')) as CacheEntry;
      if (entry.key !== key || entry.stage !== stage) throw new Error(`entry.json names ${entry.stage}/${entry.key}`);
      return { output: { stage, key, dir, manifest: entry.manifest }, entry };
    } catch (error) {
      this.logger.warn(msg.cacheEntryCorrupt(dir, (error as Error).message));
      await rename(dir, `${dir}.corrupt-${randomBytes(3).toString('hex')}`).catch(() => rm(dir, { recursive: true, force: true }));
      return undefined;
    }
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
  ): Promise<{ output: StageOutput; entry: CacheEntry }> {
    const parent = join(this.root, stage.name);
    await mkdir(parent, { recursive: true });
    const tmp = join(parent, `.tmp-${key}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await mkdir(tmp);
    const started = Date.now();
    try {
      const { manifest, metrics, tags } = await build(tmp);
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
      };
      await writeFile(join(tmp, ENTRY_FILE), `${JSON.stringify(entry, null, 2)}\n`);
      const final = this.entryDir(stage.name, key);
      try {
        await rename(tmp, final);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        await rm(tmp, { recursive: true, force: true });
        const existing = await this.lookup(stage.name, key);
        if (!existing) throw new EcgError('CACHE_CORRUPT', msg.cacheEntryCorrupt(final, 'lost a race and found no entry'));
        return existing;
      }
      return { output: { stage: stage.name, key, dir: final, manifest }, entry };
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

/** Copy a cache entry's artifacts into a run's artifacts folder. */
export async function copyArtifacts(entryDir: string, artifactsDir: string): Promise<void> {
  const src = join(entryDir, ARTIFACTS_SUBDIR);
  if (!existsSync(src)) return;
  await mkdir(artifactsDir, { recursive: true });
  await cp(src, artifactsDir, { recursive: true, force: true });
}
