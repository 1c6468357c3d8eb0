/** mapLimited: order kept, at most `limit` in flight, and after a failure no new call and no reject before the calls in flight settled. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimited } from '../../src/core/map-limited.js';

test('results in input order with at most `limit` calls in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimited([30, 5, 20, 1, 10], 2, async (ms, i) => {
    most = Math.max(most, ++inFlight);
    await sleep(ms);
    inFlight--;
    return i * 10;
  });
  assert.equal(out, [0, 10, 20, 30, 40]);
  assert.is(most, 2);
});

test('a failure rejects with the first error after the calls in flight finished, and starts no new call', async () => {
  const finished: number[] = [];
  const started: number[] = [];
  const error = await mapLimited([0, 1, 2, 3, 4, 5], 3, async (i) => {
    started.push(i);
    if (i === 0) throw new Error('first');
    await sleep(40);
    if (i === 1) throw new Error('second');
    finished.push(i);
  }).then(() => undefined, (e: unknown) => e);
  assert.is((error as Error).message, 'first');
  assert.equal(started, [0, 1, 2], 'nothing started after the failure');
  assert.equal(finished, [2], 'the call in flight had finished when it rejected');
});

test.run();
