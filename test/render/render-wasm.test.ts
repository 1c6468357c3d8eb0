/**
 * The renderer's WebAssembly kernels (assembly/render.ts, dist/wasm/render.wasm)
 * against their JavaScript twins: the same bytes, on pages with flat paper,
 * grid-like lines and random pixels, through mappings and photometric plans
 * of every noise level. The module is built by `npm run build` (npm ci runs
 * it): a missing module fails here rather than slowing pages silently.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { warpImage, warpImageAndGrey } from '../../src/render/warp/warp-image.js';
import { greyOfColours } from '../../src/render/image-file.js';
import { applyPhotometric } from '../../src/render/photometric.js';
import { pageMappingOf, planDistortions } from '../../src/render/distortions.js';
import { normalizeRenderOptions } from '../../src/render/options.js';
import { createRgbImage, type RgbImage } from '../../src/render/raster.js';
import { createRng } from '../../src/core/rng.js';
import { renderKernels, renderKernelsMissing, useRenderKernels } from '../../src/render/wasm/render-kernels.js';

/** Paper with a grid, traces-like strokes and a patch of random pixels: flat taps, equal pairs and mixed taps all occur. */
function pageOf(width: number, height: number, seed: string): RgbImage {
  const rng = createRng(seed);
  const page = createRgbImage(width, height, [250, 246, 240]);
  const d = page.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 3;
      if (x % 10 === 0 || y % 10 === 0) {
        d[k] = 240;
        d[k + 1] = 150;
        d[k + 2] = 150;
      }
      if (Math.abs(y - height / 2 - 20 * Math.sin(x / 9)) < 1.5) d[k] = d[k + 1] = d[k + 2] = 20;
      if (x > width * 0.6 && y > height * 0.6) {
        d[k] = rng.int(0, 255);
        d[k + 1] = rng.int(0, 255);
        d[k + 2] = rng.int(0, 255);
      }
    }
  }
  return page;
}

function firstDifference(a: Uint8ClampedArray, b: Uint8ClampedArray): string {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} against ${b[i]}`;
  return '';
}

function twice<T>(run: () => T): [kernels: T, javascript: T] {
  useRenderKernels(true);
  const k = run();
  useRenderKernels(false);
  try {
    return [k, run()];
  } finally {
    useRenderKernels(true);
  }
}

test('the kernels are built and load (npm run build)', () => {
  assert.is(renderKernelsMissing(), undefined);
  assert.ok(renderKernels());
});

const SIZES: readonly [number, number][] = [
  [403, 311],
  [850, 1100],
  [37, 9],
];

test('warp: the kernels give the JavaScript bytes, every noise level and page size', () => {
  const distort = normalizeRenderOptions().distort;
  for (const [width, height] of SIZES) {
    const page = pageOf(width, height, `warp-${width}`);
    for (const noise of [0.2, 0.5, 1]) {
      for (const seed of ['a', 'b', 'c']) {
        const plan = planDistortions({ noise, distort, width, height, pxPerMm: 100 / 25.4 }, createRng(`${seed}-${noise}`));
        const mapping = pageMappingOf(plan, width, height);
        const [k, js] = twice(() => warpImage(page, mapping, [255, 255, 255]));
        const diff = firstDifference(k.data, js.data);
        assert.is(diff, '', `${width}x${height}, noise ${noise}, seed ${seed}: ${diff}`);
      }
    }
  }
});

test('twin grey: the lookup in the warp kernels is the grey table of every warped pixel', async () => {
  const table = await greyOfColours();
  const distort = normalizeRenderOptions().distort;
  for (const [width, height] of SIZES) {
    const page = pageOf(width, height, `grey-${width}`);
    const plan = planDistortions({ noise: 0.5, distort, width, height, pxPerMm: 100 / 25.4 }, createRng(`grey-${width}`));
    const { image, grey } = warpImageAndGrey(page, pageMappingOf(plan, width, height), [255, 255, 255], table);
    if (!grey) throw new Error('no grey from the kernels');
    assert.is(grey.length, width * height);
    for (let p = 0; p < width * height; p++) {
      const expected = table[image.data[3 * p]! | (image.data[3 * p + 1]! << 8) | (image.data[3 * p + 2]! << 16)];
      if (grey[p] !== expected) assert.unreachable(`${width}x${height} pixel ${p}: ${grey[p]} against ${expected}`);
    }
    useRenderKernels(false);
    assert.is(warpImageAndGrey(page, pageMappingOf(plan, width, height), [255, 255, 255], table).grey, undefined, 'the JavaScript warp leaves the lookup to encodeTwinPng');
    useRenderKernels(true);
  }
});

test('photometric pass: the kernels give the JavaScript bytes (with and without blur and sensor noise)', async () => {
  const distort = normalizeRenderOptions().distort;
  for (const [width, height] of SIZES) {
    const page = pageOf(width, height, `shade-${width}`);
    for (const noise of [0.3, 0.5, 1]) {
      for (const variant of [{}, { blurPx: 4 }, { blurPx: 0 }, { sensorNoise: 0, blurPx: 0 }]) {
        const plan = planDistortions({ noise, distort: { ...distort, ...variant }, width, height, pxPerMm: 100 / 25.4 }, createRng(`shade-${noise}`));
        useRenderKernels(true);
        const k = await applyPhotometric(page, plan, createRng('photo'));
        useRenderKernels(false);
        const js = await applyPhotometric(page, plan, createRng('photo'));
        useRenderKernels(true);
        const diff = firstDifference(k.data, js.data);
        assert.is(diff, '', `${width}x${height}, noise ${noise}, ${JSON.stringify(variant)}: ${diff}`);
      }
    }
  }
});

test.run();
