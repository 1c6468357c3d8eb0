/**
 * Step 4 (issue 18): each lead's 0 mV row and gain against the ground truth
 * (render/scoring/geometry-truth.ts: the mean over the lead's samples of found minus
 * true 0 mV row, in mV; the gain over 10 mm/mV on the true y scale).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPageGeometry } from '../../../src/page/geometry/index.js';
import { geometryErrors } from '../../../src/render/scoring/geometry-truth.js';
import { ONLY, testPage } from './pages.js';

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

test('with calibration pulses: every lead takes its row pulse foot, within 0.05 mV; gain within 0.5 %', async () => {
  for (const [seed, pulseSide] of [[40, 'left'], [41, 'right']] as const) {
    const { channels, gt } = await testPage({ noise: 0, variety: { strength: 1, layouts: ['3x4'], gridStyles: ['red'], pulseOff: 0, pulseRight: pulseSide === 'right' ? 1 : 0 } }, seed);
    const found = findPageGeometry(channels);
    assert.is(found.layout.pulseSide, pulseSide);
    const errors = geometryErrors(gt, found);
    for (const lead of errors.leads) {
      assert.is(lead.baselineSource, 'pulse', lead.lead);
      assert.ok(Math.abs(lead.baselineMv) < 0.05, `${lead.lead}: ${lead.baselineMv} mV`);
      assert.ok(Math.abs(lead.gainRelative) < 5e-3, `${lead.lead}: gain ${lead.gainRelative}`);
    }
  }
});

test('without pulses: the trace median, within 0.1 mV for the median lead of a PTB-XL record', async () => {
  const { channels, gt } = await testPage({ noise: 0, calibrationPulse: false }, 42);
  const errors = geometryErrors(gt, findPageGeometry(channels));
  assert.ok(errors.leads.every((l) => l.baselineSource === 'trace-median'));
  const abs = errors.leads.map((l) => Math.abs(l.baselineMv));
  assert.ok(median(abs) < 0.1, `median ${median(abs)} mV`);
});

test('a rotated, shaded, noisy page: pulse baselines within 0.1 mV', async () => {
  const { channels, gt } = await testPage({ noise: 1, distort: { ...ONLY, rotationDeg: 4, shading: 0.3, sensorNoise: 10, jpeg: 0.5 } }, 43);
  const errors = geometryErrors(gt, findPageGeometry(channels));
  const pulsed = errors.leads.filter((l) => l.baselineSource === 'pulse');
  assert.ok(pulsed.length >= 9, `${pulsed.length} leads from a pulse`);
  for (const lead of pulsed) assert.ok(Math.abs(lead.baselineMv) < 0.1, `${lead.lead}: ${lead.baselineMv} mV`);
});

test.run();
