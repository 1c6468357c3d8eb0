import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPage, type PageGroundTruth, type RenderConfigInput } from '../../src/render/index.js';
import { isEcgError } from '../../src/core/errors.js';
import { readPtbxl00001 } from './fixtures.js';
import sharp from 'sharp';
import { darkestNear, darkFraction, pixels } from './page-pixels.js';

const record = readPtbxl00001();

const ONLY_ROTATION: RenderConfigInput['distort'] = {
  rotationDeg: 5, perspective: 0, crop: 0, wrinkles: 0, creases: 0, blurPx: 0, sensorNoise: 0, jpeg: 0,
  brightness: 0, contrast: 0, colourTemperature: 0, shading: 0, stains: 0, marks: 0,
};

test('noise 0: every ground-truth sample position is dark in the image, the clean twin and the mask', async () => {
  const page = await renderPage(record, { noise: 0 }, { seed: 1 });
  const gt = page.groundTruth;
  assert.is(gt.leads.length, 13);
  assert.is(darkFraction(await pixels(page.image), gt, 80), 1);
  assert.is(darkFraction(await pixels(page.clean), gt, 80), 1);
  const mask = await pixels(page.mask);
  assert.is((await sharp(page.mask).metadata()).channels, 1, 'the mask is a greyscale PNG');
  const maskHits = gt.leads.flatMap((l) => l.x.map((x, i) => mask.data[(Math.round(l.y[i] as number) * mask.width + Math.round(x)) * mask.channels] as number));
  assert.ok(maskHits.every((v) => v > 128), 'mask covers every sample position');
});

test('3x4 layout: columns in time order, rhythm strip full length, samples and millivolts from the record', async () => {
  const { groundTruth: gt } = await renderPage(record, { noise: 0, header: false }, { seed: 1 });
  const byLead = (name: string, rhythm = false) => gt.leads.find((l) => l.lead === name && l.rhythm === rhythm)!;
  assert.equal([byLead('I').sampleStart, byLead('I').sampleEnd], [0, 250]);
  assert.equal([byLead('aVF').sampleStart, byLead('aVF').sampleEnd], [250, 500]);
  assert.equal([byLead('V3').sampleStart, byLead('V3').sampleEnd], [500, 750]);
  assert.equal([byLead('V6').sampleStart, byLead('V6').sampleEnd], [750, 1000]);
  assert.equal([byLead('II', true).sampleStart, byLead('II', true).sampleEnd], [0, 1000]);
  const v2 = byLead('V2');
  const s = v2.sampleStart + 40;
  assert.ok(Math.abs((v2.mv[40] as number) - (record.signals[7]![s] as number)) < 1e-4);
  // Undistorted: y = baseline - mv * pxPerMv, x advances pxPerS per second.
  assert.ok(Math.abs((v2.y[40] as number) - (v2.nominalBaselineY - (v2.mv[40] as number) * gt.pxPerMv)) < 0.01);
  assert.ok(Math.abs((v2.x[41] as number) - (v2.x[40] as number) - gt.pxPerS / record.fsHz) < 0.02);
});

test('every lead box contains its trace positions, at noise 0 and at noise 1', async () => {
  for (const noise of [0, 1]) {
    const { groundTruth: gt } = await renderPage(record, { noise, dpi: 100 }, { seed: 7 });
    for (const lead of gt.leads) {
      const [x0, y0, x1, y1] = lead.box;
      lead.x.forEach((x, i) => {
        if (lead.mv[i] === null) return;
        const y = lead.y[i] as number;
        assert.ok(x >= x0 && x <= x1 && y >= y0 && y <= y1, `${lead.lead} sample ${i} (${x}, ${y}) outside box ${lead.box} at noise ${noise}`);
      });
    }
  }
});

test('rotating the page moves the ground truth with it (calibration corner and a sample, checked by hand)', async () => {
  const flat = await renderPage(record, { noise: 0 }, { seed: 3 });
  const turned = await renderPage(record, { noise: 1, distort: ONLY_ROTATION }, { seed: 3 });
  const t = turned.groundTruth.transform;
  assert.ok(Math.abs(t.rotationDeg) >= 2.5 && Math.abs(t.rotationDeg) <= 5);
  const cx = (flat.groundTruth.width - 1) / 2;
  const cy = (flat.groundTruth.height - 1) / 2;
  const a = (t.rotationDeg * Math.PI) / 180;
  const rotate = ([x, y]: readonly [number, number]) =>
    [cx + Math.cos(a) * (x - cx) - Math.sin(a) * (y - cy), cy + Math.sin(a) * (x - cx) + Math.cos(a) * (y - cy)] as const;

  const corner = flat.groundTruth.calibration[0]!.corners[1]!;
  const [ex, ey] = rotate(corner);
  const moved = turned.groundTruth.calibration[0]!.corners[1]!;
  assert.ok(Math.hypot(moved[0] - ex, moved[1] - ey) < 0.02, `pulse corner at ${moved}, expected ${[ex, ey]}`);
  assert.ok(Math.hypot(moved[0] - corner[0], moved[1] - corner[1]) > 20, 'the corner really moved');

  const lead = flat.groundTruth.leads[4]!;
  const [sx, sy] = rotate([lead.x[100]!, lead.y[100]!]);
  const after = turned.groundTruth.leads[4]!;
  assert.ok(Math.hypot(after.x[100]! - sx, after.y[100]! - sy) < 0.02);

  const clean = await pixels(turned.clean);
  assert.ok(darkestNear(clean, moved[0], moved[1]) < 80, 'the image is dark at the moved pulse corner');
  assert.ok(darkFraction(clean, turned.groundTruth, 100) > 0.995);
});

test('wrinkles, creases and perspective: the clean twin is dark along the ground truth', async () => {
  const page = await renderPage(record, { noise: 1, distort: { ...ONLY_ROTATION, perspective: 0.035, wrinkles: 1, creases: 3, crop: 0.04 } }, { seed: 11 });
  assert.ok(page.groundTruth.transform.waves.length > 0);
  const clean = await pixels(page.clean);
  const visible = { ...page.groundTruth, leads: page.groundTruth.leads.map((l) => ({ ...l, mv: l.mv.map((v, i) => (l.x[i]! > 1 && l.y[i]! > 1 && l.x[i]! < clean.width - 2 && l.y[i]! < clean.height - 2 ? v : null)) })) };
  assert.ok(darkFraction(clean, visible, 100) > 0.995);
});

test('same seed gives byte-identical images (JPEG page, PNG twin and mask); another seed does not', async () => {
  const a = await renderPage(record, { noise: 0.5, dpi: 100 }, { seed: 42 });
  const b = await renderPage(record, { noise: 0.5, dpi: 100 }, { seed: 42 });
  const c = await renderPage(record, { noise: 0.5, dpi: 100 }, { seed: 43 });
  assert.ok(a.image.equals(b.image));
  assert.ok(a.clean.equals(b.clean));
  assert.ok(a.mask.equals(b.mask));
  assert.equal(JSON.stringify(a.groundTruth), JSON.stringify(b.groundTruth));
  assert.not.ok(a.image.equals(c.image));
});

test('imageFormat: auto keeps the JPEG a noisy page ends in, png stores the same pixels; noise 0 is PNG either way', async () => {
  const auto = await renderPage(record, { noise: 0.5, dpi: 60 }, { seed: 3 });
  const png = await renderPage(record, { noise: 0.5, dpi: 60, imageFormat: 'png' }, { seed: 3 });
  assert.is(auto.imageFormat, 'jpeg');
  assert.is((await sharp(auto.image).metadata()).format, 'jpeg');
  assert.is(png.imageFormat, 'png');
  assert.is((await sharp(png.image).metadata()).format, 'png');
  assert.ok((await pixels(auto.image)).data.equals((await pixels(png.image)).data), 'decoded pixels are identical');
  assert.ok(auto.clean.equals(png.clean));
  assert.equal(auto.groundTruth.leads, png.groundTruth.leads);
  const clean = await renderPage(record, { noise: 0, dpi: 60 }, { seed: 3 });
  assert.is(clean.imageFormat, 'png');
  const noJpeg = await renderPage(record, { noise: 0.5, dpi: 60, distort: { jpeg: 0 } }, { seed: 3 });
  assert.is(noJpeg.imageFormat, 'png');
});

async function refused(config: Record<string, unknown>, expected: string): Promise<void> {
  try {
    await renderPage(record, config as RenderConfigInput, { seed: 0 });
  } catch (error) {
    assert.ok(isEcgError(error, 'RENDER_INVALID'), String(error));
    assert.ok((error as Error).message.includes(expected), `message '${(error as Error).message}' lacks '${expected}'`);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(config)}`);
}

test('bad options are refused with the key, the value and what is allowed', async () => {
  await refused({ dpi: 0 }, 'render.dpi = 0 is out of range: a number in [50, 600]');
  await refused({ layout: '5x5' }, 'render.layout = "5x5" is not allowed; allowed: 3x4, 3x4+3, 6x2, 12x1');
  await refused({ noise: 1.5 }, 'render.noise = 1.5 is out of range: a number in [0, 1]');
  await refused({ traceColour: 'sparkly' }, 'render.traceColour = "sparkly" is not a colour');
  await refused({ distort: { creases: 2.5 } }, 'render.distort.creases = 2.5');
  await refused({ gridColor: 'red' }, 'render.gridColor is not a render option');
  await refused({ imageFormat: 'tiff' }, 'render.imageFormat = "tiff" is not allowed; allowed: auto, png');
});

test('6x2 and 12x1 layouts show every lead once, in order', async () => {
  for (const [layout, spans] of [['6x2', [0, 500]], ['12x1', [0, 1000]]] as const) {
    const { groundTruth: gt } = await renderPage(record, { layout, dpi: 100 }, { seed: 0 });
    assert.is(gt.leads.length, 12);
    assert.equal(gt.leads[0]!.sampleStart, spans[0]);
    assert.equal(gt.leads[0]!.sampleEnd, spans[1]);
    assert.equal(gt.leads.map((l) => l.lead).join(','), 'I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6');
  }
});

test.run();
