/**
 * Bulk normals (Rng.fillNormals): the quantile function against the normal
 * CDF computed independently (erfc by its continued fraction), the moments
 * and tail shares of a million draws, and same seed, same values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, normalQuantile } from '../../src/core/rng.js';

/** erfc(x) for x >= 0 by Lentz's continued fraction (x > 2) or the Maclaurin series of erf (x <= 2); error below 1e-13 here. */
function erfc(x: number): number {
  if (x <= 2) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), evaluated from the tail.
  let f = x;
  for (let n = 200; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

const normalCdf = (z: number) => (z < 0 ? erfc(-z / Math.SQRT2) / 2 : 1 - erfc(z / Math.SQRT2) / 2);

test('normalQuantile inverts the normal CDF (the CDF within 1e-7 of p, relatively), centre and tails', () => {
  for (const p of [1e-6, 1e-3, 0.01, 0.02425, 0.0243, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97, 0.9757, 0.999, 1 - 1e-6]) {
    const back = normalCdf(normalQuantile(p));
    assert.ok(Math.abs(back - p) <= 1e-7 * Math.min(p, 1 - p), `p = ${p}: CDF(quantile) = ${back}`);
  }
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
});

test('fillNormals: mean 0, variance 1, the normal tail shares, |z| < 4.4; same seed, same values', () => {
  const n = 1_000_000;
  const out = new Float32Array(n + 1);
  createRng('normals').fillNormals(out);
  let sum = 0;
  let squares = 0;
  let beyond1 = 0;
  let beyond2 = 0;
  let largest = 0;
  for (const z of out) {
    sum += z;
    squares += z * z;
    if (Math.abs(z) > 1) beyond1++;
    if (Math.abs(z) > 2) beyond2++;
    largest = Math.max(largest, Math.abs(z));
  }
  const count = out.length;
  assert.ok(Math.abs(sum / count) < 0.005, `mean ${sum / count}`);
  assert.ok(Math.abs(squares / count - 1) < 0.01, `variance ${squares / count}`);
  assert.ok(Math.abs(beyond1 / count - 2 * normalCdf(-1)) < 0.003, `share beyond 1: ${beyond1 / count}`);
  assert.ok(Math.abs(beyond2 / count - 2 * normalCdf(-2)) < 0.002, `share beyond 2: ${beyond2 / count}`);
  assert.ok(largest < 4.4 && largest > 4, `largest ${largest}`);
  assert.ok(out[n] !== 0, 'an odd length fills its last value');
  const again = new Float32Array(n + 1);
  createRng('normals').fillNormals(again);
  assert.ok(again.every((z, i) => z === out[i]));
});

test.run();
