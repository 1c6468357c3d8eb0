/**
 * render.variety (render/variety/draw.ts): pages whose look is drawn from
 * their seed. The ground truth must follow every drawn choice exactly, and
 * strength 0 must leave today's pages byte for byte (the hashes below were
 * taken on main at 8e30861, before the variety group existed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { renderPage, type PageGroundTruth, type RenderConfigInput } from '../../src/render/index.js';
import { isEcgError } from '../../src/core/errors.js';
import { LAYOUTS } from '../../src/config/schema/render.js';
import { LAYOUT_GRIDS } from '../../src/page/roi-boxes.js';
import { readPtbxl00001 } from './fixtures.js';
import { darkestNear as darkestNearShade, darkFraction as darkFractionShade, pixels, type Pixels } from './page-pixels.js';

const record = readPtbxl00001();
const darkestNear = (img: Pixels, x: number, y: number) => darkestNearShade(img, x, y, 'red');
const darkFraction = (img: Pixels, gt: PageGroundTruth, threshold: number) => darkFractionShade(img, gt, threshold, 'red');
const VARIED: RenderConfigInput = { noise: 0, dpi: 150, variety: { strength: 1 } };
const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

type Box = readonly [number, number, number, number];
const overlapArea = (a: Box, b: Box) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));

test('variety 0 is the page of today, byte for byte (image, clean twin, mask, ground truth)', async () => {
  // [config, seed, image, clean, mask, ground truth without render.variety], measured on main before this group existed;
  // the noisy page's clean twin since it is a stored PNG (encodeTwinPng: the same pixels, other bytes); its image and twin since
  // the warp interpolates source positions down the node grid too (geometry.ts warpImage: 0.1 % of bytes one level apart); its
  // image since sensor noise comes from one table of bulk normals (photometric.ts prepareShading: another draw, the same law).
  const today: [RenderConfigInput, number, string, string, string, string][] = [
    [{ noise: 0, dpi: 60 }, 5, 'ebde577e5d708c78', 'ebde577e5d708c78', 'ab5a3f227fb142a0', '4ad075b9c235b734'],
    [{ noise: 0.5, dpi: 60 }, 7, 'e1b18c60e0e732bd', '58b10e8160865f34', '8bc8704bee58f3a4', '572b242072d8e74c'],
    [{ noise: 0, dpi: 100, layout: '6x2', header: false }, 3, 'b8f9eb7751c9740e', 'b8f9eb7751c9740e', '58e4ad9535d05283', '65480d4699558208'],
  ];
  for (const [config, seed, image, clean, mask, gtHash] of today) {
    // The other variety keys do nothing at strength 0.
    for (const variety of [undefined, { strength: 0, layouts: ['12x1' as const], panelShiftMm: 60 }]) {
      const page = await renderPage(record, { ...config, variety }, { seed });
      const { variety: drawn, ...gt } = page.groundTruth;
      assert.is(drawn, undefined, 'nothing drawn at strength 0');
      const { variety: _group, ...render } = gt.render;
      assert.equal([sha(page.image), sha(page.clean), sha(page.mask), sha(JSON.stringify({ ...gt, render }))], [image, clean, mask, gtHash], JSON.stringify(config));
    }
  }
});

test('variety 1: same seed, same bytes; another seed, another look', async () => {
  const config: RenderConfigInput = { ...VARIED, noise: 0.5, dpi: 80 };
  const [a, b, c] = await Promise.all([renderPage(record, config, { seed: 11 }), renderPage(record, config, { seed: 11 }), renderPage(record, config, { seed: 12 })]);
  assert.ok(a.image.equals(b.image) && a.clean.equals(b.clean) && a.mask.equals(b.mask));
  assert.equal(a.groundTruth, b.groundTruth);
  assert.not.equal(a.groundTruth.variety, c.groundTruth.variety);
});

test('variety 1 draws every layout, paper, grid style, header and pulse choice over a few seeds', async () => {
  const seen = new Map<string, Set<unknown>>();
  const note = (key: string, value: unknown) => seen.set(key, (seen.get(key) ?? new Set()).add(value));
  for (let seed = 0; seed < 40; seed++) {
    const { groundTruth: gt } = await renderPage(record, { ...VARIED, dpi: 50 }, { seed });
    const v = gt.variety!;
    note('layout', v.layout);
    note('paper', v.paper);
    note('grid', v.gridStyle);
    note('header', v.header);
    note('pulse', v.calibrationPulse ? `${v.placement.pulseSide}${v.placement.pulseAbuts ? ' abutting' : ''}` : 'none');
    assert.is(gt.render.layout, v.layout, 'render records the effective layout');
    assert.is(gt.dpi, v.dpi);
    assert.is(gt.header === null, !v.header);
    assert.is(gt.calibration.length > 0, v.calibrationPulse);
  }
  assert.equal([...seen.get('layout')!].sort(), [...LAYOUTS].sort());
  assert.equal([...seen.get('paper')!].sort(), ['a4', 'letter']);
  assert.equal([...seen.get('grid')!].sort(), ['grey', 'kit', 'none', 'pink', 'red']);
  assert.equal([...seen.get('header')!].sort(), [false, true]);
  assert.equal([...seen.get('pulse')!].sort(), ['left', 'left abutting', 'none', 'right']);
});

test('variety 1: every ground-truth sample is dark in the image and the mask, and the scales are those of the drawn DPI', async () => {
  for (const seed of SEEDS) {
    const page = await renderPage(record, VARIED, { seed });
    const gt = page.groundTruth;
    const v = gt.variety!;
    const img = await pixels(page.image);
    assert.equal([img.width, img.height], [gt.width, gt.height]);
    assert.ok(Math.abs(gt.pxPerMm - v.dpi / 25.4) < 1e-5, `seed ${seed}: px/mm`);
    assert.ok(Math.abs(gt.pxPerMv - 10 * gt.pxPerMm) < 1e-4, `seed ${seed}: px/mV`);
    // A trace thinner than a pixel (0.15 mm at 138 DPI is 0.8 px) may leave a rare sample with under half a pixel of ink; a ground truth off by a pixel would miss most.
    const fraction = darkFraction(img, gt, 150);
    assert.ok(fraction >= 0.999, `seed ${seed} (${JSON.stringify(v)}): ${fraction} of the samples dark`);
    const mask = await pixels(page.mask);
    // The mask is anti-aliased coverage: a trace thinner than a pixel marks the pixels beside a sample, if not its own.
    const inverted = { ...mask, data: Buffer.from(mask.data.map((c) => 255 - c)) };
    const missed = gt.leads.flatMap((l) => l.x.filter((x, i) => l.mv[i] !== null && darkestNear(inverted, x, l.y[i] as number) === 255));
    assert.equal(missed, [], `seed ${seed}: mask covers every sample`);
    for (const lead of gt.leads) {
      // Undistorted: x advances px/s per second from the panel's start, y is baseline - mV x px/mV.
      for (let i = 1; i < lead.x.length; i++) assert.ok(Math.abs((lead.x[i] as number) - (lead.x[i - 1] as number) - gt.pxPerS / record.fsHz) < 0.02);
      const k = lead.mv.findIndex((m) => m !== null);
      assert.ok(Math.abs((lead.y[k] as number) - (lead.nominalBaselineY - (lead.mv[k] as number) * gt.pxPerMv)) < 0.01);
    }
    for (const cal of gt.calibration) {
      for (const [x, y] of cal.corners) assert.ok(darkestNear(img, x, y) < 150, `seed ${seed}: calibration corner (${x}, ${y}) not drawn`);
    }
  }
});

/** Ink-weighted mean position of the pixels in `positions` (weight: how far below 150 the red channel is; grid lines weigh nothing). */
function inkCentroid(img: Awaited<ReturnType<typeof pixels>>, positions: readonly (readonly [number, number])[], along: 0 | 1): number {
  let sum = 0;
  let weight = 0;
  for (const p of positions) {
    if (p[0] < 0 || p[1] < 0 || p[0] >= img.width || p[1] >= img.height) continue;
    const w = Math.max(0, 150 - (img.data[(p[1] * img.width + p[0]) * img.channels] as number));
    sum += w * (p[along] as number);
    weight += w;
  }
  return weight === 0 ? Number.NaN : sum / weight;
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] as number;

test('variety 1: the ink sits where the ground truth says, to a fraction of a pixel (flat stretches of trace, calibration pulse edges)', async () => {
  for (const seed of SEEDS.slice(0, 8)) {
    const page = await renderPage(record, VARIED, { seed });
    const gt = page.groundTruth;
    const img = await pixels(page.image);
    const errors: number[] = [];
    for (const lead of gt.leads) {
      // Flat stretches (within 0.3 px over 5 samples), away from the panel's ends (separator bars).
      for (let i = 4; i < lead.y.length - 4; i++) {
        const y = lead.y[i] as number;
        if (lead.mv.slice(i - 2, i + 3).some((m) => m === null) || lead.y.slice(i - 2, i + 3).some((v) => Math.abs((v as number) - y) > 0.3)) continue;
        const x = Math.round(lead.x[i] as number);
        const column = Array.from({ length: 9 }, (_, k) => [x, Math.round(y) - 4 + k] as const);
        const found = inkCentroid(img, column, 1);
        if (Number.isFinite(found)) errors.push(found - y);
      }
    }
    // Unbiased to a tenth of a pixel; each sample within a third of one (thin anti-aliased lines quantise the centroid).
    const bias = errors.reduce((sum, e) => sum + e, 0) / errors.length;
    const median = quantile(errors.map(Math.abs), 0.5);
    assert.ok(errors.length > 100 && Math.abs(bias) < 0.1 && median < 0.3, `seed ${seed}: ${errors.length} flat samples, ink - ground truth: mean ${bias.toFixed(3)} px, median |.| ${median.toFixed(3)} px`);
    for (const cal of gt.calibration) {
      // corners: foot of the rise, top left, top right, foot of the fall. A line under a pixel wide may put all its ink in one pixel: half a pixel.
      const [[riseX, footY], [, topY], [fallX]] = cal.corners as unknown as [[number, number], [number, number], [number, number]];
      const midY = Math.round((footY + topY) / 2);
      const row = Array.from({ length: 9 }, (_, k) => [Math.round(riseX) - 4 + k, midY] as const);
      const midX = Math.round((riseX + fallX) / 2);
      const column = Array.from({ length: 9 }, (_, k) => [midX, Math.round(topY) - 4 + k] as const);
      assert.ok(Math.abs(inkCentroid(img, row, 0) - riseX) <= 0.5, `seed ${seed}: pulse rise at ${inkCentroid(img, row, 0)} vs ${riseX}`);
      assert.ok(Math.abs(inkCentroid(img, column, 1) - topY) <= 0.5, `seed ${seed}: pulse top at ${inkCentroid(img, column, 1)} vs ${topY}`);
    }
  }
});

test('variety 1: lead boxes contain their traces, at noise 0 and at noise 1', async () => {
  for (const noise of [0, 1]) {
    for (const seed of SEEDS.slice(0, 6)) {
      const { groundTruth: gt } = await renderPage(record, { ...VARIED, noise, dpi: 80 }, { seed });
      for (const lead of gt.leads) {
        const [x0, y0, x1, y1] = lead.box;
        lead.x.forEach((x, i) => {
          if (lead.mv[i] === null) return;
          const y = lead.y[i] as number;
          assert.ok(x >= x0 && x <= x1 && y >= y0 && y <= y1, `seed ${seed} noise ${noise}: ${lead.lead} sample ${i} (${x}, ${y}) outside box ${lead.box}`);
        });
      }
    }
  }
});

test('every layout, wherever variety puts it: panels inside the page, touching but not overlapping, pulses beside the traces', async () => {
  for (const layout of LAYOUTS) {
    for (const seed of SEEDS.slice(0, 6)) {
      const { groundTruth: gt } = await renderPage(record, { noise: 0, dpi: 50, variety: { strength: 1, layouts: [layout], panelShiftMm: 60 } }, { seed });
      const boxes = gt.leads.map((l) => l.nominalBox);
      for (const [x0, y0, x1, y1] of boxes) assert.ok(x0 >= -0.5 && y0 >= -0.5 && x1 <= gt.width - 0.5 && y1 <= gt.height - 0.5, `${layout} seed ${seed}: box outside the page`);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) assert.ok(overlapArea(boxes[i]!, boxes[j]!) < 1e-6, `${layout} seed ${seed}: ${gt.leads[i]!.lead} and ${gt.leads[j]!.lead} overlap`);
      }
      const traceLeft = Math.min(...boxes.map((b) => b[0]));
      const traceRight = Math.max(...boxes.map((b) => b[2]));
      for (const cal of gt.calibration) {
        const xs = cal.corners.map((c) => c[0]);
        const onRight = gt.variety!.placement.pulseSide === 'right';
        // A left pulse ends 1 mm (its foot) before the traces start, or falls straight into them (ecg-image-kit's way).
        const gapMm = (traceLeft - Math.max(...xs)) / gt.pxPerMm;
        if (onRight) assert.ok(Math.min(...xs) > traceRight, `${layout} seed ${seed}: pulse not beside the traces`);
        else assert.ok(Math.abs(gapMm - (gt.variety!.placement.pulseAbuts ? 0 : 1)) < 0.02, `${layout} seed ${seed}: pulse ${gapMm} mm before the traces`);
        assert.ok(Math.min(...xs) > 0 && Math.max(...xs) < gt.width, `${layout} seed ${seed}: pulse outside the page`);
      }
      if (layout === '3x4+3') {
        assert.equal(gt.leads.filter((l) => l.rhythm).map((l) => [l.lead, l.sampleStart, l.sampleEnd]), [['II', 0, 1000], ['V1', 0, 1000], ['V5', 0, 1000]]);
        assert.is(gt.leads.length, 15);
      }
    }
  }
});

test('the ROI stage\'s grid of each layout (page/roi-boxes.ts LAYOUT_GRIDS) is the rows and columns its pages have', async () => {
  for (const layout of LAYOUTS) {
    const { groundTruth: gt } = await renderPage(record, { noise: 0, dpi: 50, layout }, { seed: 0 });
    const perRow: number[] = [];
    for (const lead of gt.leads) perRow[lead.row] = (perRow[lead.row] ?? 0) + 1;
    assert.equal(perRow, [...LAYOUT_GRIDS[layout].columnsPerRow], layout);
  }
});

async function refused(variety: Record<string, unknown>, expected: string): Promise<void> {
  try {
    await renderPage(record, { variety } as RenderConfigInput, { seed: 0 });
  } catch (error) {
    assert.ok(isEcgError(error, 'RENDER_INVALID'), String(error));
    assert.ok((error as Error).message.includes(expected), `message '${(error as Error).message}' lacks '${expected}'`);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(variety)}`);
}

test('bad variety options are refused with the key, the value and what is allowed', async () => {
  await refused({ strength: 2 }, 'render.variety.strength = 2 is out of range: a number in [0, 1]');
  await refused({ layouts: ['5x5'] }, 'render.variety.layouts = ["5x5"] is not allowed: give a non-empty list of values from 3x4, 3x4+3, 6x2, 12x1');
  await refused({ layouts: [] }, 'render.variety.layouts = []');
  await refused({ traceColours: ['black', 'sparkly'] }, 'render.variety.traceColours');
  await refused({ traceWidthMinMm: 0.5, traceWidthMaxMm: 0.2 }, 'render.variety.traceWidthMinMm = 0.5 is above render.variety.traceWidthMaxMm = 0.2');
  await refused({ wobble: 1 }, 'render.variety.wobble is not a render option');
});

test.run();
