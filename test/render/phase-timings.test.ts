/**
 * The phase sink of renderPage (src/render/phase-timings.ts): measuring a
 * page, with the phases overlapping or one after another, leaves its bytes as
 * they are, and a noisy page reports the wall and CPU time of every
 * distortion and encoding it ran (bench/render-pages.ts prints them).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPage, type RenderConfigInput } from '../../src/render/index.js';
import { phaseTimings, type RenderPhase } from '../../src/render/phase-timings.js';
import { readPtbxl00001 } from './fixtures.js';

const record = readPtbxl00001();
/** Every distortion drawn (stains and marks forced on), blurred (sigma 0.6-1.2 px at 60 DPI: above the 0.557 px below which libvips' blur is a copy and is skipped), JPEG at the end. */
const NOISY: RenderConfigInput = { noise: 1, dpi: 60, distort: { stains: 3, marks: 3, blurPx: 4 } };
const NOISY_PHASES: readonly RenderPhase[] = [
  'print',
  'plan',
  'displacementField',
  'warp',
  'groundTruthPoints',
  'mask',
  'stains',
  'marks',
  'blur',
  'shadeColourNoise',
  'encodeImage',
  'encodeClean',
  'encodeMask',
];

test('a measured page is the same bytes as an unmeasured one, the phases overlapping or in turn', async () => {
  const plain = await renderPage(record, NOISY, { seed: 4 });
  for (const timings of [phaseTimings(), phaseTimings({ serial: true })]) {
    const measured = await renderPage(record, NOISY, { seed: 4, timings });
    assert.ok(measured.image.equals(plain.image), `serial ${timings.serial}: image`);
    assert.ok(measured.clean.equals(plain.clean), `serial ${timings.serial}: clean twin`);
    assert.ok(measured.mask.equals(plain.mask), `serial ${timings.serial}: mask`);
    assert.is(JSON.stringify(measured.groundTruth), JSON.stringify(plain.groundTruth));
  }
});

test('a noisy page reports wall and CPU time for every phase it ran, and a clean page for none of the distortions', async () => {
  const noisy = phaseTimings({ serial: true });
  await renderPage(record, NOISY, { seed: 4, timings: noisy });
  for (const phase of NOISY_PHASES) {
    for (const [clock, ms] of [['wall', noisy.wallMs[phase]], ['cpu', noisy.cpuMs[phase]]] as const) {
      assert.ok(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0, `${phase} ${clock}: ${ms}`);
    }
  }
  const clean = phaseTimings({ serial: true });
  await renderPage(record, { noise: 0, dpi: 60 }, { seed: 4, timings: clean });
  assert.equal(Object.keys(clean.wallMs).sort(), ['encodeImage', 'encodeMask', 'groundTruthPoints', 'plan', 'displacementField', 'print'].sort());
});

test('without the clean twin, its encoding is not reported', async () => {
  const timings = phaseTimings({ serial: true });
  await renderPage(record, NOISY, { seed: 4, timings, cleanTwin: false });
  assert.is(timings.wallMs.encodeClean, undefined);
  assert.ok((timings.wallMs.warp ?? -1) >= 0);
});

test.run();
