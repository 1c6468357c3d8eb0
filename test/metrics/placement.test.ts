import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isEcgError } from '../../src/core/errors.js';
import { keepPlotted, placeSegment } from '../../src/metrics/placement.js';
import { resampleLinear } from '../../src/metrics/linear-resample.js';
import { leadSnr } from '../../src/metrics/snr.js';

test('a 2.5 s segment from second 2.5 lands on samples 250..499 of a 10 s lead at 100 Hz', () => {
  const segment = new Float32Array(250).map((_, i) => i);
  const full = placeSegment(segment, 2.5, 100, 1000);
  assert.is(full.length, 1000);
  assert.ok(Number.isNaN(full[249] as number));
  assert.is(full[250], 0);
  assert.is(full[499], 249);
  assert.ok(Number.isNaN(full[500] as number));
  // Past the end: dropped.
  const tail = placeSegment(segment, 9, 100, 1000);
  assert.is(tail[999], 99);
});

test('unplotted reference samples are NaN and left out of the SNR', () => {
  const reference = new Float32Array(1000).map((_, n) => Math.sin(n / 7));
  const plotted = keepPlotted(reference, { startS: 2.5, durationS: 2.5, fsHz: 100 });
  assert.ok(Number.isNaN(plotted[249] as number));
  assert.is(plotted[250], reference[250]);
  assert.ok(Number.isNaN(plotted[500] as number));
  // An output that covers only the plotted part loses nothing: alpha = 1, same SNR as on the part alone.
  const e = 1e-3;
  const output = placeSegment(reference.slice(250, 500).map((v, i) => v + (i % 2 ? e : -e)), 2.5, 100, 1000);
  const part = leadSnr(reference.slice(250, 500), output.slice(250, 500), 100);
  assert.ok(Math.abs(leadSnr(plotted, output, 100) - part) < 1e-9);
  assert.ok(part > 40);
});

test('linear resampling: 100 Hz ramp to 500 Hz, last sample held over the final interval', () => {
  const ramp = new Float32Array([0, 1, 2, 3]);
  const up = resampleLinear(ramp, 100, 500);
  assert.is(up.length, 20);
  assert.ok(Math.abs((up[1] as number) - 0.2) < 1e-6);
  assert.ok(Math.abs((up[7] as number) - 1.4) < 1e-6);
  assert.is(up[15], 3);
  assert.is(up[19], 3);
  const down = resampleLinear(new Float32Array(1000).map((_, i) => i), 500, 100);
  assert.equal([...down.slice(0, 3)], [0, 5, 10]);
  assert.is(down.length, 200);
  assert.ok(Number.isNaN(resampleLinear(ramp, 100, 500, 25)[24] as number));
  assert.ok(Number.isNaN(resampleLinear(new Float32Array([0, NaN]), 1, 2)[1] as number));
  assert.throws(() => resampleLinear(ramp, 0, 500), (e: unknown) => isEcgError(e, 'METRIC_INVALID'));
});

test.run();
