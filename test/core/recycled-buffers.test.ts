/**
 * Recycled buffers: a buffer handed back is the one a later take of its size
 * gets, zeroed when asked; views onto part of a buffer are never recycled; and
 * a page rendered on buffers another page left behind is the same bytes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recycleBuffers, takeBuffer, takeZeroedBytes } from '../../src/core/recycled-buffers.js';
import { renderPage } from '../../src/render/index.js';
import { readPtbxl00001 } from '../render/fixtures.js';

test('a handed-back buffer is taken again for its size only, and zeroed by takeZeroedBytes', () => {
  const first = new Uint8Array(takeBuffer(1237));
  first.fill(7);
  recycleBuffers([first, first]);
  assert.is.not(takeBuffer(1238), first.buffer, 'another size gets a new buffer');
  const again = takeZeroedBytes(1237);
  assert.is(again.buffer, first.buffer);
  assert.ok(again.every((v) => v === 0));
  assert.is.not(takeBuffer(1237), first.buffer, 'handed back twice, kept once');
});

test('views onto part of a buffer are not recycled', () => {
  const whole = new ArrayBuffer(2048);
  recycleBuffers([new Uint8Array(whole, 16), new Uint8Array(whole, 0, 1024), Buffer.from('small pooled node buffer')]);
  assert.is.not(takeBuffer(2048), whole);
});

test('a page rendered on the buffers other pages left behind is the same bytes', async () => {
  const record = readPtbxl00001();
  const config = { noise: 0.5, dpi: 60 };
  const first = await renderPage(record, config, { seed: 3 });
  for (const [noise, seed] of [[1, 4], [0, 5], [0.7, 6]] as const) await renderPage(record, { noise, dpi: 60 }, { seed });
  const again = await renderPage(record, config, { seed: 3 });
  for (const key of ['image', 'clean', 'mask'] as const) assert.ok(first[key].equals(again[key]), key);
  assert.equal(first.groundTruth, again.groundTruth);
});

test.run();
