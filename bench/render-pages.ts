/**
 * Pages per second of the renderer on one core, the ecg-image-kit comparison
 * of /work/shared/bench/README.md ("pages"): PTB-XL 00001_lr, 200 DPI letter,
 * 3x4 with a lead II rhythm strip; clean (noise 0) and noise 0.5. A page here
 * is everything the render stage writes for it in memory: the page PNG, the
 * clean twin PNG, the trace mask PNG and the ground truth (JSON-serialised).
 *
 *   node --import tsx bench/render-pages.ts [pages]
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { LEADS, type EcgRecord } from '../src/core/ecg.js';
import { renderPage } from '../src/render/index.js';

const ECG_IMAGE_KIT_S = { clean: 1.1, augmented: 3.5 };
const RECORD = '/work/shared/data/ptb-xl/records100/00000/00001_lr.dat';

function readRecord(): EcgRecord {
  const bytes = readFileSync(RECORD);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / 2 / LEADS.length;
  const signals = LEADS.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) for (let l = 0; l < LEADS.length; l++) signals[l]![i] = view.getInt16((i * LEADS.length + l) * 2, true) / 1000;
  return { name: '00001_lr', fsHz: 100, signals, labels: [] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(record: EcgRecord, noise: number, pages: number): Promise<number> {
  for (let i = 0; i < 2; i++) await renderPage(record, { noise, dpi: 200, paper: 'letter', layout: '3x4' }, { seed: `warm-${i}` });
  const times: number[] = [];
  for (let i = 0; i < pages; i++) {
    const t = performance.now();
    const page = await renderPage(record, { noise, dpi: 200, paper: 'letter', layout: '3x4' }, { seed: i });
    JSON.stringify(page.groundTruth);
    times.push(performance.now() - t);
  }
  return median(times) / 1000;
}

async function main(): Promise<void> {
  sharp.concurrency(1);
  const pages = Number(process.argv[2] ?? 15);
  const record = readRecord();
  const clean = await measure(record, 0, pages);
  const noisy = await measure(record, 0.5, pages);
  const rows = [
    ['clean (noise 0)', clean, ECG_IMAGE_KIT_S.clean, 10],
    ['noise 0.5', noisy, ECG_IMAGE_KIT_S.augmented, 4],
  ] as const;
  console.log(`render-pages: 00001_lr, 200 DPI letter 3x4 + II rhythm, one core (sharp.concurrency(1)), median of ${pages} pages`);
  console.log('| setting | ms per page | pages/s | target pages/s | ecg-image-kit s/page | speed-up |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, s, kit, target] of rows) {
    console.log(`| ${name} | ${(s * 1000).toFixed(0)} | ${(1 / s).toFixed(1)} | ${target} | ${kit} | ${(kit / s).toFixed(1)}x |`);
  }
  console.log(JSON.stringify({ bench: 'render-pages', cleanPagesPerS: 1 / clean, noisyPagesPerS: 1 / noisy, ratioClean: ECG_IMAGE_KIT_S.clean / clean, ratioNoisy: ECG_IMAGE_KIT_S.augmented / noisy }));
}

await main();
