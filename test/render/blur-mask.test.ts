/**
 * render/wasm/blur-mask.ts and the kernels' blurRgb (assembly/render.ts) against
 * sharp's blur itself: byte for byte on images of random pixels, flat paper
 * and thin lines, at every distinct mask from sigma 0.56 to 4 (both of
 * libvips' arms occur: [5 20 5] is its C arm, [7 20 7] its vector arm), and
 * on images narrower or shorter than the mask.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { gaussianIntegerMask, libvipsBlurMask } from '../../src/render/wasm/blur-mask.js';
import { createRng } from '../../src/core/rng.js';
import { renderKernels } from '../../src/render/wasm/render-kernels.js';

const MIN_AMPLITUDE = 0.2;

function imageOf(width: number, height: number, seed: string): Uint8Array {
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 3;
      const line = x % 9 === 0 || y % 11 === 0;
      for (let c = 0; c < 3; c++) data[k + c] = y < height / 3 ? rng.int(0, 255) : line ? 30 + 40 * c : 246 - c;
    }
  }
  return data;
}

function kernelBlur(data: Uint8Array, width: number, height: number, sigma: number): Uint8Array {
  const kernels = renderKernels();
  assert.ok(kernels, 'the kernels are built (npm run build)');
  const mask = libvipsBlurMask(sigma, MIN_AMPLITUDE);
  assert.ok(mask, `sigma ${sigma}: a mask`);
  const [imageAt, scratchAt, coeffsAt] = kernels.place([data.length, data.length, mask.coeffs.byteLength]) as [number, number, number];
  new Uint8Array(kernels.memory, imageAt, data.length).set(data);
  new Int32Array(kernels.memory, coeffsAt, mask.coeffs.length).set(mask.coeffs);
  kernels.blurRgb(imageAt, scratchAt, width, height, coeffsAt, mask.coeffs.length, mask.exp, mask.scale);
  return new Uint8Array(kernels.memory, imageAt, data.length).slice();
}

async function sharpBlur(data: Uint8Array, width: number, height: number, sigma: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).blur({ sigma, minAmplitude: MIN_AMPLITUDE }).raw().toBuffer());
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} against sharp's ${b[i]}`;
  return '';
}

test('gaussmat: taps while the amplitude holds, rint(20 g)', () => {
  assert.equal(Array.from(gaussianIntegerMask(0.5, MIN_AMPLITUDE)), [20]);
  assert.equal(Array.from(gaussianIntegerMask(0.6, MIN_AMPLITUDE)), [5, 20, 5]);
  assert.equal(Array.from(gaussianIntegerMask(0.7, MIN_AMPLITUDE)), [7, 20, 7]);
  assert.equal(Array.from(gaussianIntegerMask(1.4, MIN_AMPLITUDE)), [7, 15, 20, 15, 7]);
});

test('the arm libvips takes: [5 20 5] fails its accuracy check (C), [7 20 7] passes (vector)', () => {
  assert.equal(libvipsBlurMask(0.6, MIN_AMPLITUDE), { coeffs: Int32Array.from([5, 20, 5]), exp: 0, scale: 30 });
  const vector = libvipsBlurMask(0.7, MIN_AMPLITUDE);
  assert.is(vector?.exp, 6);
  assert.equal(Array.from(vector?.coeffs ?? []), [13, 38, 13]);
});

test('the kernels blur as sharp does, byte for byte, at every mask from sigma 0.56 to 4', async () => {
  const width = 97;
  const height = 61;
  const data = imageOf(width, height, 'blur');
  const seen = new Set<string>();
  let arms = { vector: 0, c: 0 };
  for (let sigma = 0.56; sigma < 4; sigma += 0.01) {
    const key = gaussianIntegerMask(sigma, MIN_AMPLITUDE).join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    const mask = libvipsBlurMask(sigma, MIN_AMPLITUDE);
    arms = mask?.exp ? { ...arms, vector: arms.vector + 1 } : { ...arms, c: arms.c + 1 };
    const diff = firstDifference(kernelBlur(data, width, height, sigma), await sharpBlur(data, width, height, sigma));
    assert.is(diff, '', `sigma ${sigma.toFixed(2)} (mask ${key}): ${diff}`);
  }
  assert.ok(arms.vector > 10 && arms.c > 0, `both arms were checked: ${JSON.stringify(arms)}`);
});

test('images narrower or shorter than the mask, and odd widths', async () => {
  for (const [width, height] of [[1, 1], [2, 7], [3, 2], [5, 40], [40, 3], [17, 16], [33, 9]] as const) {
    const data = imageOf(width, height, `small-${width}x${height}`);
    for (const sigma of [0.6, 0.7, 1.4, 3]) {
      const diff = firstDifference(kernelBlur(data, width, height, sigma), await sharpBlur(data, width, height, sigma));
      assert.is(diff, '', `${width}x${height}, sigma ${sigma}: ${diff}`);
    }
  }
});

test.run();
