/**
 * Nothing in a cache entry is used unchecked: entry.json records the size and
 * sha256 of every file; a file changed in place (same size) or cut short is
 * found on the next use, the entry is moved aside with a warning naming it
 * and the file, and the stage builds it again. A stage that fails while its
 * writers still run leaves no temporary folder behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { capturingLogger, type CapturingLogger } from '../../src/core/logger.js';
import { mapLimited } from '../../src/core/map-limited.js';
import { StageCache, type CacheEntry } from '../../src/train/cache.js';
import type { Stage } from '../../src/train/stage.js';
import { planSweep } from '../../src/train/plan.js';
import { createSweep, runCells } from '../../src/train/runner.js';
import type { CellRun } from '../../src/tracking/run-store.js';
import { ROOT } from '../helpers/cli.js';
import { cacheEntry, runnerOptions, tinyExperiment } from './helpers.js';

const tinyStage: Stage = {
  name: 'tiny',
  version: 1,
  description: 'writes two files',
  reads: [],
  configKeys: [],
  writes: 'a.bin, sub/b.txt',
  run: async () => ({}),
};

const A_BYTES = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 251);
let builds = 0;

/** Build (or rebuild) the entry of `key` through the cache, as the runner does. */
function produce(cache: StageCache, key: string) {
  return cache.produce(tinyStage, key, { config: {}, inputs: {} }, async (dir) => {
    builds++;
    await writeFile(join(dir, 'a.bin'), A_BYTES);
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.txt'), 'hello');
    return { manifest: { builds }, metrics: [], tags: {} };
  });
}

function fixture(): { root: string; cache: StageCache; logger: CapturingLogger } {
  const root = mkdtempSync(join(tmpdir(), 'cache-integrity-'));
  const logger = capturingLogger();
  return { root, cache: new StageCache(root, logger), logger };
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

test('entry.json records the size and sha256 of every file the stage wrote', async () => {
  const { cache } = fixture();
  const { output } = await produce(cache, 'k1');
  const entry = JSON.parse(readFileSync(join(output.dir, 'entry.json'), 'utf8')) as CacheEntry;
  assert.equal(entry.files, {
    'a.bin': { size: 4096, sha256: sha256(A_BYTES) },
    'sub/b.txt': { size: 5, sha256: sha256('hello') },
  });
  assert.ok(await cache.lookup('tiny', 'k1'), 'an intact entry is used');
});

for (const [what, damage] of [
  ['one byte changed, same size', (path: string) => {
    const bytes = readFileSync(path);
    bytes[1000] = (bytes[1000] as number) ^ 0xff;
    writeFileSync(path, bytes);
  }],
  ['cut short', (path: string) => truncateSync(path, 100)],
  ['deleted', (path: string) => rmSync(path)],
] as const) {
  test(`a file ${what}: the next use finds it, moves the entry aside with a warning naming entry and file, and it is rebuilt`, async () => {
    const { root, cache, logger } = fixture();
    const { output } = await produce(cache, 'k2');
    assert.ok(await cache.lookup('tiny', 'k2'), 'used once, so verified in this process');
    damage(join(output.dir, 'a.bin'));

    assert.is(await cache.lookup('tiny', 'k2'), undefined, 'the damaged entry is not used');
    const warning = logger.lines.find((l) => l.level === 'warn')?.message ?? '';
    assert.match(warning, output.dir);
    assert.match(warning, 'a.bin');
    const aside = readdirSync(join(root, 'tiny')).filter((n) => n.startsWith('k2.corrupt-'));
    assert.is(aside.length, 1, 'moved aside, kept for inspection');
    assert.not.ok(existsSync(output.dir), 'nothing left under the key');

    const before = builds;
    await produce(cache, 'k2');
    assert.is(builds, before + 1, 'built again');
    const again = await cache.lookup('tiny', 'k2');
    assert.ok(again, 'the rebuilt entry is used');
    assert.equal([...readFileSync(join(again.output.dir, 'a.bin'))], [...A_BYTES]);
  });
}

test('an entry written before files were recorded is moved aside and rebuilt, not trusted', async () => {
  const { root, cache, logger } = fixture();
  const { output } = await produce(cache, 'k3');
  const path = join(output.dir, 'entry.json');
  const { files: _files, ...legacy } = JSON.parse(readFileSync(path, 'utf8')) as CacheEntry;
  writeFileSync(path, JSON.stringify(legacy));
  assert.is(await cache.lookup('tiny', 'k3'), undefined);
  assert.match(logger.lines.find((l) => l.level === 'warn')?.message ?? '', output.dir);
  assert.is(readdirSync(join(root, 'tiny')).filter((n) => n.startsWith('k3.corrupt-')).length, 1);
});

test('through the runner: a same-size change in signals.f32 re-runs the data stage, which restores the digest', async () => {
  const { path, runs } = tinyExperiment('data-only', 'stages: [data]\n');
  const logger = capturingLogger();
  const run = async (): Promise<CellRun> => {
    const options = { ...runnerOptions(runs), logger };
    const created = await createSweep(planSweep(path, ['data.records=12'], join(ROOT, 'configs')), options);
    const sweep = await runCells(created, created.cells.map((c) => c.id), options);
    const cell = (await options.store.readCell(sweep.experiment, sweep.id, sweep.cells[0]!.id)) as CellRun;
    assert.is(cell.status, 'finished', cell.error);
    return cell;
  };
  const first = await run();
  const key = first.stages['data']?.key ?? '';
  const signals = join(cacheEntry(runs, 'data', key), 'signals.f32');
  const bytes = readFileSync(signals);
  bytes.writeFloatLE(bytes.readFloatLE(400) + 1, 400);
  writeFileSync(signals, bytes);

  const second = await run();
  assert.is(second.stages['data']?.key, key);
  assert.is(second.stages['data']?.cached, false, 'not served from the damaged entry');
  assert.is(second.tags['data.digest'], first.tags['data.digest'], 'rebuilt: the digest of the real data again');
  assert.ok(logger.lines.some((l) => l.level === 'warn' && l.message.includes('signals.f32')), 'warned, naming the file');
  const third = await run();
  assert.is(third.stages['data']?.cached, true, 'the rebuilt entry is used');
});

test('a stage that fails while its writers still run leaves no temporary folder', async () => {
  const { root, cache } = fixture();
  const failing = cache.produce(tinyStage, 'k4', { config: {}, inputs: {} }, async (dir) => {
    // Page workers: the first fails at once (a full disk), the others are still drawing and then write.
    await mapLimited([0, 1, 2, 3], 4, async (i) => {
      if (i === 0) throw new Error('ENOSPC: no space left on device');
      await sleep(50);
      await mkdir(join(dir, 'pages'), { recursive: true });
      await writeFile(join(dir, 'pages', `${i}.png`), 'page');
    });
    return { manifest: {}, metrics: [], tags: {} };
  });
  const error = await failing.then(() => undefined, (e: unknown) => e);
  assert.match(String(error), 'ENOSPC');
  await sleep(150);
  assert.equal(readdirSync(join(root, 'tiny')).filter((n) => n.startsWith('.tmp-')), [], 'no orphaned temporary folder');
});

test.run();
