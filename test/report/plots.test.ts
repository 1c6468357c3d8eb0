/** Every plot renders to a non-empty PNG of the SVG's size x scale; example pages draw traces over the image. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { allPlots, examplePages, loadLocalRuns, overlayPng, parseTraces, renderPng, renderSvg } from '../../src/report/index.js';
import { isEcgError } from '../../src/core/errors.js';
import { buildFixtureStore, cellId } from './fixture-store.js';

const root = await mkdtemp(join(tmpdir(), 'ecg-plots-'));
await buildFixtureStore(root, { failed: [cellId(true, true, 0.5, 1)], missing: [cellId(false, true, 0.5, 0)], example: true });
const set = await loadLocalRuns(root, ['paper-ablation']);

test('the report draws every kind of plot', async () => {
  const names = (await allPlots(set)).map((p) => p.name);
  assert.equal(names, ['f1-macro-vs-noise', 'snr-mean-vs-noise', 'snr-per-lead', 'f1-per-class', 'learning-curves-classifier2d', 'learning-curves-digitizer', 'learning-curves-hierarchical']);
});

test('plots become non-empty PNGs of the right size', async () => {
  for (const plot of await allPlots(set)) {
    const svg = await renderSvg(plot.spec);
    const { png, width, height } = await renderPng(plot.spec, 2);
    const meta = await sharp(png).metadata();
    assert.is(meta.format, 'png');
    assert.is(meta.width, width, plot.name);
    assert.is(meta.height, height, plot.name);
    assert.is(width, Math.round(svg.width * 2));
    assert.ok(svg.width > 100 && svg.height > 100, `${plot.name}: ${svg.width}x${svg.height}`);
    const stats = await sharp(png).stats();
    assert.ok(stats.channels.some((c) => c.stdev > 5), `${plot.name} is blank`);
  }
});

test('the vs-noise plot has one line per setting and the noise levels on x', async () => {
  const plot = (await allPlots(set)).find((p) => p.name === 'f1-macro-vs-noise');
  const values = (plot?.spec as { data: { values: { setting: string; noise: number }[] } }).data.values;
  assert.equal([...new Set(values.map((v) => v.setting))].length, 4);
  assert.equal([...new Set(values.map((v) => v.noise))].sort(), [0, 0.5]);
});

test('example page: traces drawn over the image, same size, red ink where the trace is', async () => {
  const pages = await examplePages(set.cells);
  assert.equal(pages.map((p) => `${p.cell}/${p.stage}`), [`${cellId(false, false, 0, 0)}/digitizer`]);
  const file = join(set.cells[0]?.artifactsDir as string, 'digitizer', 'example.json');
  const png = await overlayPng(file);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.equal([info.width, info.height], [400, 200]);
  const traces = parseTraces(await (await import('node:fs/promises')).readFile(file, 'utf8'), file);
  const [x, y] = traces.leads[0]?.points[10] as [number, number];
  let redness = 0;
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const at = ((Math.round(y) + dy) * info.width + Math.round(x) + dx) * info.channels;
      redness = Math.max(redness, (data[at] as number) - (data[at + 1] as number));
    }
  assert.ok(redness > 100, `no red ink at the trace (${x}, ${y}): ${redness}`);
});

test('a cell without example files is skipped; a malformed traces file is REPORT_INVALID', async () => {
  assert.equal((await examplePages(set.cells.slice(1))).length, 0);
  const bad = join(root, 'bad.json');
  await writeFile(bad, JSON.stringify({ version: 2, image: 'x.png', leads: [] }));
  try {
    await overlayPng(bad);
    assert.unreachable();
  } catch (error) {
    assert.ok(isEcgError(error, 'REPORT_INVALID'), String(error));
  }
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test.run();
