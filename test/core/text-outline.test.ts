/**
 * Page text is drawn from the shipped font as outlines, so a page does not
 * depend on the machine's fonts: no SVG `<text>` reaches the rasteriser, and a
 * page rendered in a process that sees no system font at all (fontconfig
 * pointed at an empty configuration) is byte-identical to one rendered here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { textPathData, textWidth } from '../../src/core/text-outline.js';
import { defaultRenderConfig, renderPage } from '../../src/render/index.js';
import { layoutPage } from '../../src/page/layout.js';
import { headerStripSvg, makeHeaderFields, staticPageSvg } from '../../src/render/paper.js';
import { createRng } from '../../src/core/rng.js';
import { here, readPtbxl00001 } from '../render/fixtures.js';

const ROOT = resolve(here(import.meta.url), '..', '..');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function pathBounds(d: string): { minX: number; maxX: number; minY: number; maxY: number } {
  const nums = (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
  const xs = nums.filter((_, i) => i % 2 === 0);
  const ys = nums.filter((_, i) => i % 2 === 1);
  return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
}

test('a string becomes outlines at its baseline, scaled by the font size', () => {
  const small = pathBounds(textPathData({ text: 'HII', x: 10, y: 50, size: 5 }));
  const large = pathBounds(textPathData({ text: 'HII', x: 10, y: 50, size: 10 }));
  // Capitals sit on the baseline and rise about 0.72 em (Arimo's cap height 1409/2048).
  assert.ok(Math.abs(small.maxY - 50) < 0.01, `baseline ${small.maxY}`);
  assert.ok(Math.abs(50 - small.minY - 5 * 0.688) < 0.05, `cap height ${50 - small.minY}`);
  assert.ok(Math.abs((large.maxX - 10) / (small.maxX - 10) - 2) < 0.01);
});

test("text-anchor end puts the string's advance width left of x", () => {
  const width = textWidth('ECG-lab cart 12L', 2.6);
  assert.ok(width > 15 && width < 25, `width ${width} mm`);
  const start = pathBounds(textPathData({ text: 'ECG-lab cart 12L', x: 100, y: 10, size: 2.6 }));
  const end = pathBounds(textPathData({ text: 'ECG-lab cart 12L', x: 100, y: 10, size: 2.6, anchor: 'end' }));
  assert.ok(Math.abs(start.minX - width - end.minX) < 0.002);
  assert.ok(end.maxX <= 100 && end.maxX > 99.5, `right edge ${end.maxX}`);
});

test('bold is another font, wider than regular', () => {
  assert.ok(textWidth('Unconfirmed report', 3, 'bold') > textWidth('Unconfirmed report', 3));
});

test('the page SVGs hold no <text> element (the rasteriser never picks a font)', () => {
  const options = { ...defaultRenderConfig(), dpi: 60 };
  const layout = layoutPage(options);
  const page = staticPageSvg(layout, options);
  const header = headerStripSvg(layout, makeHeaderFields(createRng(3))).svg;
  for (const svg of [page, header]) {
    assert.not.match(svg, /<text/);
    assert.match(svg, /<path d="M/);
  }
});

test('a page rendered where no system font exists is byte-identical', async () => {
  const page = await renderPage(readPtbxl00001(), { noise: 0.5, dpi: 60 }, { seed: 5 });
  const dir = mkdtempSync(join(tmpdir(), 'ecg-lab-fonts-'));
  const emptyFonts = join(dir, 'fonts.conf');
  writeFileSync(emptyFonts, `<?xml version="1.0"?>\n<fontconfig><cachedir>${dir}/cache</cachedir></fontconfig>\n`);
  const script = join(dir, 'render.mts');
  const url = (p: string) => pathToFileURL(join(ROOT, p)).href;
  writeFileSync(
    script,
    `import { createHash } from 'node:crypto';\n` +
      `import { renderPage } from '${url('src/render/index.ts')}';\n` +
      `import { readPtbxl00001 } from '${url('test/render/fixtures.ts')}';\n` +
      `const page = await renderPage(readPtbxl00001(), { noise: 0.5, dpi: 60 }, { seed: 5 });\n` +
      `console.log(createHash('sha256').update(page.image).digest('hex'));\n`,
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, FONTCONFIG_FILE: emptyFonts, FONTCONFIG_PATH: dir },
    encoding: 'utf8',
  });
  assert.is(child.status, 0, child.stderr);
  assert.is(child.stdout.trim(), sha(page.image));
});

test.run();
