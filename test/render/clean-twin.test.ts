/**
 * renderPage's `cleanTwin: false`: the clean twin is left out (its PNG is the
 * costliest step of a distorted page, and only the denoise stage reads it),
 * and nothing else changes: the image, the mask and the ground truth are the
 * same bytes as with the twin, at every noise level, including the pages
 * whose photometric chain then works in the warped page instead of a copy
 * (stains or pen marks drawn, with and without blur).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPage, type RenderConfigInput } from '../../src/render/index.js';
import { readPtbxl00001 } from './fixtures.js';

const record = readPtbxl00001();

const CASES: readonly [string, RenderConfigInput][] = [
  ['noise 0', { noise: 0, dpi: 60 }],
  ['noise 0.5', { noise: 0.5, dpi: 60 }],
  ['noise 1, png', { noise: 1, dpi: 60, imageFormat: 'png' }],
  ['stains and marks, no blur', { noise: 1, dpi: 60, distort: { stains: 3, marks: 3, blurPx: 0 } }],
  ['stains and marks, blurred', { noise: 1, dpi: 60, distort: { stains: 3, marks: 3, blurPx: 4 } }],
  ['no geometry, stains', { noise: 1, dpi: 60, distort: { rotationDeg: 0, perspective: 0, crop: 0, wrinkles: 0, creases: 0, stains: 3 } }],
];

for (const [name, config] of CASES) {
  test(`without the clean twin, the other outputs are the same bytes (${name})`, async () => {
    for (const seed of [3, 'twin-7']) {
      const full = await renderPage(record, config, { seed });
      const lean = await renderPage(record, config, { seed, cleanTwin: false });
      assert.is(lean.clean, null);
      assert.ok(Buffer.isBuffer(full.clean) && full.clean.length > 0);
      assert.is(lean.imageFormat, full.imageFormat);
      assert.ok(lean.image.equals(full.image), `${name}, seed ${seed}: image`);
      assert.ok(lean.mask.equals(full.mask), `${name}, seed ${seed}: mask`);
      assert.is(JSON.stringify(lean.groundTruth), JSON.stringify(full.groundTruth));
    }
  });
}

test('a later page with the twin is unchanged by an earlier one rendered without it (no shared buffer was written in place)', async () => {
  const config: RenderConfigInput = { noise: 1, dpi: 60, distort: { stains: 3, marks: 3 } };
  const before = await renderPage(record, config, { seed: 11 });
  await renderPage(record, config, { seed: 11, cleanTwin: false });
  const after = await renderPage(record, config, { seed: 11 });
  assert.ok(after.image.equals(before.image));
  assert.ok(after.clean.equals(before.clean));
});


test.run();
