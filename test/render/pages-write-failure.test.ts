/**
 * A render that fails while writing (here a page whose ground-truth path is a
 * folder, so the atomic rename onto it fails; a full disk fails the same way)
 * rejects only once every write it started has settled: the stage cache
 * removes its temporary folder on that rejection, and a write still running
 * would land in a folder being deleted (issue 15 item 7).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPage, renderPagesToDir, writeRenderedPage } from '../../src/render/index.js';
import { syntheticRecord } from './fixtures.js';

/** Every entry of `dir` with its size and modification time: a write after this shows as a difference. */
async function listing(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(
    names.map(async (name) => {
      const s = await stat(join(dir, name));
      return `${name} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`;
    }),
  );
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-render-fail-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Make `<dir>/<stem>.json` a non-empty folder: renaming a file onto it fails. */
const blockGroundTruth = (dir: string, stem: string) => mkdir(join(dir, `${stem}.json`, 'occupied'), { recursive: true });

test('writeRenderedPage: when one file fails, the other three are written and no temporary file is left when it rejects', async () => {
  await withDir(async (dir) => {
    const page = await renderPage(syntheticRecord('b'), { noise: 0.5, dpi: 200 }, { seed: 1 });
    await blockGroundTruth(dir, 'b');
    const error = await writeRenderedPage(dir, 'b', page).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error, 'the failed write is thrown');
    const names = await readdir(dir);
    for (const name of ['b.jpg', 'b-clean.png', 'b-mask.png']) assert.ok(names.includes(name), `${name} was written before the rejection`);
    assert.equal(names.filter((n) => n.includes('.tmp-')), [], 'no write in flight');
  });
});

test('renderPagesToDir: after a page fails no page starts, and the pages in flight finish writing before it rejects', async () => {
  await withDir(async (dir) => {
    await blockGroundTruth(dir, 'b');
    const stems = 'bacdefghijkl'.split('');
    const jobs = stems.map((name) => ({ split: 'train' as const, record: syntheticRecord(name) }));
    const error = await renderPagesToDir(dir, jobs, { noise: 0.3, dpi: 60 }, { seed: 1, concurrency: 2 }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error, 'the render rejects');
    const atRejection = await listing(dir);
    // Long enough for a page that was still rendering or writing to show up.
    await settle(1500);
    assert.equal(await listing(dir), atRejection, 'nothing was written after the rejection');
    assert.equal(atRejection.filter((n) => n.includes('.tmp-')), [], 'no write in flight');
    const names = await readdir(dir);
    const written = stems.filter((stem) => stem !== 'b' && names.includes(`${stem}.json`));
    assert.ok(written.includes('a'), 'the page in flight beside the failing one finished');
    for (const stem of written) {
      for (const file of [`${stem}.jpg`, `${stem}-clean.png`, `${stem}-mask.png`]) assert.ok(names.includes(file), `${file}: every page on disk is complete`);
    }
    // The other worker sees the failure after a page or two; without stopping it would render all twelve.
    assert.ok(written.length < stems.length - 1, `no page starts after the failure (written: ${written.join(', ')})`);
    assert.not.ok(names.includes('manifest.json'), 'no manifest for a failed render');
  });
});

test.run();
