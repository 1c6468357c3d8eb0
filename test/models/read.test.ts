/**
 * models/read.ts: the values read asynchronously are the tensor's, and the
 * tensor read is disposed (the stages rely on it for their tensor counts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { readScalar, readValues } from '../../src/models/read.js';
import { useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

test('readValues gives the values of a tidy result and disposes it', async () => {
  const before = tf.memory().numTensors;
  const t = tf.tidy(() => tf.mul(tf.tensor2d([1, -2, 3.5, 0], [2, 2]), 2));
  const values = await readValues(t);
  assert.equal(Array.from(values), [2, -4, 7, 0]);
  assert.ok(t.isDisposed);
  assert.is(tf.memory().numTensors, before);
});

test('readScalar gives a mean loss and disposes it', async () => {
  const before = tf.memory().numTensors;
  assert.is(await readScalar(tf.tidy(() => tf.mean(tf.tensor1d([1, 2, 3, 6])))), 3);
  assert.is(tf.memory().numTensors, before);
});

test.run();
