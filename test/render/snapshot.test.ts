/**
 * Image snapshots with a tolerance (Observable Plot style): a page is compared
 * with test/render/snapshots/<name>.png; when more than 0.5% of its pixels
 * differ by more than 24 grey levels, `<name>-changed.png` is written beside
 * it (the new rendering, for eyes and for replacing the snapshot) and the test
 * fails. A missing snapshot is written and the test passes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderPage } from '../../src/render/index.js';
import { renderMessages } from '../../src/core/messages.js';
import { here, readPtbxl00001 } from './fixtures.js';

const DIR = join(here(import.meta.url), 'snapshots');
const LEVELS = 24;
const FRACTION = 0.005;

async function matchesSnapshot(name: string, png: Buffer): Promise<void> {
  const path = join(DIR, `${name}.png`);
  const changed = join(DIR, `${name}-changed.png`);
  if (!existsSync(path)) {
    await writeFile(path, png);
    return;
  }
  const [a, b] = await Promise.all([path, png].map((p) => sharp(p).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  let differing = 0;
  const total = a!.info.width * a!.info.height;
  const sameSize = a!.info.width === b!.info.width && a!.info.height === b!.info.height;
  if (sameSize) {
    for (let i = 0; i < a!.data.length; i += 3) {
      const d = Math.max(...[0, 1, 2].map((c) => Math.abs((a!.data[i + c] as number) - (b!.data[i + c] as number))));
      if (d > LEVELS) differing++;
    }
  }
  if (!sameSize || differing > FRACTION * total) {
    await writeFile(changed, png);
    assert.unreachable(renderMessages.snapshotChanged(name, sameSize ? differing : total, total, changed));
  }
  await rm(changed, { force: true });
}

const record = readPtbxl00001();

test('page at noise 0 (3x4, 60 DPI)', async () => {
  const page = await renderPage(record, { noise: 0, dpi: 60 }, { seed: 5 });
  await matchesSnapshot('page-noise0-60dpi', page.image);
});

test('page at noise 0.5 (3x4, 60 DPI)', async () => {
  const page = await renderPage(record, { noise: 0.5, dpi: 60 }, { seed: 5 });
  await matchesSnapshot('page-noise0.5-60dpi', page.image);
});

test('mask at noise 1 (60 DPI)', async () => {
  const page = await renderPage(record, { noise: 1, dpi: 60 }, { seed: 5 });
  await matchesSnapshot('mask-noise1-60dpi', page.mask);
});

test.run();
