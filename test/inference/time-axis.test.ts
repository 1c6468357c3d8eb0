/**
 * The horizontal scale `digitize --time-axis` fits each row's time axis at
 * (inference/infer-image.ts timeAxisScale): the page's px per second for
 * 'page-scale', the grid's for 'grid', measured on the image stretched to
 * the cell's page; a page without a grid falls back to the page's scale
 * with a warning naming the image.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { compose, readExperiment } from '../../src/config/compose.js';
import type { Logger } from '../../src/core/logger.js';
import { timeAxisScale } from '../../src/inference/infer-image.js';
import { pageSizeOf } from '../../src/page/layout.js';
import { renderPage } from '../../src/render/index.js';
import { readPtbxl00001 } from '../render/fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = compose({ experiment: readExperiment(join(ROOT, 'experiments', 'quickstart.yaml')), configsDir: join(ROOT, 'configs') }).config;
const page = pageSizeOf(config.render);
const size = { width: page.widthPx, height: page.heightPx };
const pagePxPerS = config.render.speedMmPerS * page.pxPerMm;
const record = readPtbxl00001();
const dir = mkdtempSync(join(tmpdir(), 'ecg-time-axis-'));

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {}, debug: () => {} } as unknown as Logger;
  return { logger, warnings };
}

test('page-scale is the page at render.dpi; grid measures the rendered grid within 1 %, also on a page scanned at twice the size', async () => {
  const rendered = await renderPage(record, { ...config.render, noise: 0, variety: { ...config.render.variety, strength: 0 } }, { seed: 5 });
  const path = join(dir, 'page.png');
  writeFileSync(path, rendered.image);
  const big = join(dir, 'page-2x.png');
  await sharp(rendered.image).resize(size.width * 2, size.height * 2).toFile(big);
  const { logger, warnings } = recordingLogger();
  assert.equal(await timeAxisScale(config, path, size, 'page-scale', logger), { pxPerS: pagePxPerS, source: 'page' });
  for (const image of [path, big]) {
    const grid = await timeAxisScale(config, image, size, 'grid', logger);
    assert.is(grid.source, 'grid');
    assert.ok(Math.abs(grid.pxPerS / pagePxPerS - 1) < 0.01, `${image}: ${grid.pxPerS} px/s against ${pagePxPerS}`);
  }
  assert.equal(warnings, []);
});

test('a page without a grid: the page scale, and a warning naming the image', async () => {
  const rendered = await renderPage(record, { ...config.render, noise: 0, gridColour: 'none', variety: { ...config.render.variety, strength: 0 } }, { seed: 5 });
  const path = join(dir, 'no-grid.png');
  writeFileSync(path, rendered.image);
  const { logger, warnings } = recordingLogger();
  assert.equal(await timeAxisScale(config, path, size, 'grid', logger), { pxPerS: pagePxPerS, source: 'page' });
  assert.is(warnings.length, 1);
  assert.match(warnings[0] as string, 'no-grid.png');
});

test('an unreadable image is IMAGE_INVALID naming it', async () => {
  const path = join(dir, 'broken.png');
  writeFileSync(path, Buffer.from('not a png'));
  const { logger } = recordingLogger();
  try {
    await timeAxisScale(config, path, size, 'grid', logger);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'IMAGE_INVALID');
    assert.match((error as Error).message, 'broken.png');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
