/**
 * The horizontal scale `digitize --time-axis` fits each row's time axis at
 * (inference/infer-image.ts timeAxisScale): the page's px per second for
 * 'page-scale', the grid's for 'grid', measured on the image stretched to
 * the cell's page; a page without a grid falls back to the page's scale
 * with a warning naming the image. And 'image' (imageTimeAxis): each
 * panel's time span found in the image, against the page's ground truth,
 * from placements 2 px off as a ROI model's may be; a page without trace
 * rows keeps the boxes' refit, with a warning; a page without a grid takes
 * its scale from the boxes' edges, not from the cell's paper.
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
import { imageRowsAndTimeAxis, imageTimeAxis, timeAxisScale } from '../../src/inference/infer-image.js';
import { boxesPxPerS, nominalPlacements, refitTimeAxis, type LeadPlacement } from '../../src/page/lead-placement.js';
import { pageSizeOf } from '../../src/page/layout.js';
import { rotationRectification } from '../../src/page/perspective.js';
import { renderPage } from '../../src/render/index.js';
import { readPtbxl00001 } from '../render/fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = compose({ experiment: readExperiment(join(ROOT, 'experiments', 'quickstart.yaml')), configsDir: join(ROOT, 'configs') }).config;
const page = pageSizeOf(config.render);
const size = { width: page.widthPx, height: page.heightPx };
/** The pages here are upright: no rectification. */
const UPRIGHT = rotationRectification(0, size.width, size.height);
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

/** Placements as a ROI model might give them: the nominal ones, every box moved `dx` px right. */
function shifted(dx: number): LeadPlacement[] {
  return nominalPlacements(config.render, size).map((p) => ({ ...p, box: { ...p.box, x1: p.box.x1 + dx / (size.width - 1), x2: p.box.x2 + dx / (size.width - 1) } }));
}

test('image: every panel starts within 0.25 px of its first drawn sample and ends within 0.5 px of its last sample plus one (ROI boxes 2 px off)', async () => {
  const rendered = await renderPage(record, { ...config.render, noise: 0, variety: { ...config.render.variety, strength: 0 } }, { seed: 5 });
  const path = join(dir, 'image-axis.png');
  writeFileSync(path, rendered.image);
  const { logger, warnings } = recordingLogger();
  const { placements: placed } = await imageTimeAxis(config, path, size, shifted(2), UPRIGHT, logger);
  assert.equal(warnings, []);
  for (const p of placed) {
    const lead = rendered.groundTruth.leads.find((l) => l.leadIndex === p.leadIndex && l.row === p.row && l.col === p.col);
    if (!lead) throw new Error(`no ground truth for lead ${p.leadIndex} row ${p.row}`);
    const first = lead.x[0] as number;
    const step = ((lead.x[lead.x.length - 1] as number) - first) / (lead.x.length - 1);
    assert.ok(Math.abs(p.box.x1 * (size.width - 1) - first) < 0.25, `lead ${p.leadIndex} row ${p.row}: starts at ${p.box.x1 * (size.width - 1)}, first sample at ${first}`);
    assert.ok(Math.abs(p.box.x2 * (size.width - 1) - (first + step * lead.x.length)) < 0.5, `lead ${p.leadIndex} row ${p.row}: ends at ${p.box.x2 * (size.width - 1)}`);
  }
});

test('image on a page without trace rows: the boxes refitted at the scale of their own edges, and warnings naming the image', async () => {
  const path = join(dir, 'blank.png');
  await sharp({ create: { width: size.width, height: size.height, channels: 3, background: '#ffffff' } }).png().toFile(path);
  const { logger, warnings } = recordingLogger();
  const placements = shifted(2);
  const fitted = boxesPxPerS(placements, size)!;
  assert.ok(Math.abs(fitted / pagePxPerS - 1) < 1e-3, `the nominal boxes' scale ${fitted} is the page's ${pagePxPerS}`);
  assert.equal((await imageTimeAxis(config, path, size, placements, UPRIGHT, logger)).placements, refitTimeAxis(placements, size, fitted));
  assert.is(warnings.length, 2, warnings.join('\n'));
  for (const w of warnings) assert.match(w, 'blank.png');
  assert.match(warnings[0] as string, "ROI boxes' panel edges");
});

test('image on a page without a grid drawn at 22.5 mm/s, read by a 25 mm/s cell: the boxes\' scale, not the page\'s; every panel within 1 px of its samples', async () => {
  const faster = { ...config.render, noise: 0, gridColour: 'none' as const, speedMmPerS: 22.5, variety: { ...config.render.variety, strength: 0 } };
  const rendered = await renderPage(record, faster, { seed: 5 });
  const path = join(dir, 'no-grid-fast.png');
  writeFileSync(path, rendered.image);
  const { logger, warnings } = recordingLogger();
  // The ROI model's boxes on this page: the layout at its own speed, 2 px off.
  const boxes = nominalPlacements(faster, size).map((p) => ({ ...p, box: { ...p.box, x1: p.box.x1 + 2 / (size.width - 1), x2: p.box.x2 + 2 / (size.width - 1) } }));
  const { placements: placed } = await imageTimeAxis(config, path, size, boxes, UPRIGHT, logger);
  assert.ok(warnings.some((w) => w.includes("ROI boxes' panel edges")), warnings.join('\n'));
  for (const p of placed) {
    const lead = rendered.groundTruth.leads.find((l) => l.leadIndex === p.leadIndex && l.row === p.row && l.col === p.col);
    if (!lead) throw new Error(`no ground truth for lead ${p.leadIndex} row ${p.row}`);
    const first = lead.x[0] as number;
    const last = lead.x[lead.x.length - 1] as number;
    const step = (last - first) / (lead.x.length - 1);
    assert.ok(Math.abs(p.box.x1 * (size.width - 1) - first) < 1, `lead ${p.leadIndex} row ${p.row}: starts at ${p.box.x1 * (size.width - 1)}, first sample at ${first}`);
    assert.ok(Math.abs(p.box.x2 * (size.width - 1) - (first + step * lead.x.length)) < 1, `lead ${p.leadIndex} row ${p.row}: ends at ${p.box.x2 * (size.width - 1)}, against ${first + step * lead.x.length}`);
  }
});

test('image rows from nominal boxes: a moved panel block, every 0 mV line within 0.05 mV (the pulse foot, as lead-baseline.test.ts) and every start within 0.25 px; a page of another layout is null with a warning', async () => {
  const variety = { ...config.render.variety, strength: 1, layouts: [config.render.layout], papers: [config.render.paper], dpiJitter: 0, gridStyles: ['red' as const], pulseOff: 0 };
  const rendered = await renderPage(record, { ...config.render, noise: 0, variety }, { seed: 11 });
  const path = join(dir, 'moved-block.png');
  writeFileSync(path, rendered.image);
  const nominal = nominalPlacements(config.render, size);
  const { logger, warnings } = recordingLogger();
  const placed = await imageRowsAndTimeAxis(config, path, size, nominal, UPRIGHT, logger);
  assert.equal(warnings, []);
  if (!placed) throw new Error('the rows were not found');
  let moved = 0;
  for (const p of placed.placements) {
    const lead = rendered.groundTruth.leads.find((l) => l.leadIndex === p.leadIndex && l.row === p.row && l.col === p.col);
    const before = nominal.find((n) => n.leadIndex === p.leadIndex && n.row === p.row && n.col === p.col);
    if (!lead || !before) throw new Error(`no ground truth for lead ${p.leadIndex} row ${p.row}`);
    moved = Math.max(moved, Math.abs(before.baselineY - lead.nominalBaselineY));
    assert.ok(Math.abs(p.baselineY - lead.nominalBaselineY) < 0.05 * rendered.groundTruth.pxPerMv, `lead ${p.leadIndex} row ${p.row}: 0 mV at ${p.baselineY}, true ${lead.nominalBaselineY}`);
    assert.ok(Math.abs(p.box.x1 * (size.width - 1) - (lead.x[0] as number)) < 0.25, `lead ${p.leadIndex} row ${p.row}: starts at ${p.box.x1 * (size.width - 1)}, first sample at ${lead.x[0]}`);
  }
  assert.ok(moved > 5, `the page's block moved only ${moved} px from the nominal boxes`);

  const other = await renderPage(record, { ...config.render, noise: 0, layout: '12x1', variety: { ...config.render.variety, strength: 0 } }, { seed: 12 });
  const otherPath = join(dir, 'twelve-rows.png');
  writeFileSync(otherPath, other.image);
  const mismatch = recordingLogger();
  assert.is(await imageRowsAndTimeAxis(config, otherPath, size, nominal, UPRIGHT, mismatch.logger), null);
  assert.is(mismatch.warnings.length, 1);
  assert.match(mismatch.warnings[0] as string, 'twelve-rows.png');
});

test('pulse guards: a pulse that falls into its trace hides the first 0.5 mm of each row\'s first lead; a pulse with a foot hides nothing', async () => {
  const abutting = { ...config.render.variety, strength: 1, layouts: [config.render.layout], papers: [config.render.paper], dpiJitter: 0, panelShiftMm: 0, gridStyles: ['red' as const], pulseOff: 0, pulseRight: 0, pulseAbuts: 1 };
  const rendered = await renderPage(record, { ...config.render, noise: 0, variety: abutting }, { seed: 21 });
  assert.ok(rendered.groundTruth.variety, 'a varied page');
  const path = join(dir, 'pulse-abuts.png');
  writeFileSync(path, rendered.image);
  const { logger } = recordingLogger();
  const placements = shifted(1);
  const { guards } = await imageTimeAxis(config, path, size, placements, UPRIGHT, logger);
  const rows = new Set(placements.map((p) => p.row));
  assert.is(guards.length, rows.size, JSON.stringify(guards));
  const guardS = 0.5 / config.render.speedMmPerS;
  for (const guard of guards) {
    const first = placements.filter((p) => p.leadIndex === guard.leadIndex).reduce((a, b) => (b.startS < a.startS ? b : a));
    assert.is(guard.fromS, first.startS);
    assert.ok(Math.abs(guard.untilS - guard.fromS - guardS) < 0.25 * guardS, `lead ${guard.leadIndex}: ${guard.fromS} to ${guard.untilS} s, about ${guardS} s expected`);
  }

  const footed = await renderPage(record, { ...config.render, noise: 0, variety: { ...config.render.variety, strength: 0 } }, { seed: 5 });
  const footedPath = join(dir, 'pulse-foot.png');
  writeFileSync(footedPath, footed.image);
  assert.equal((await imageTimeAxis(config, footedPath, size, shifted(1), UPRIGHT, logger)).guards, []);
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
