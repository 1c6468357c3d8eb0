/**
 * Pages per second of the renderer on one core, the ecg-image-kit comparison
 * of /work/shared/bench/README.md ("pages"): PTB-XL 00001_lr, 200 DPI letter,
 * 3x4 with a lead II rhythm strip; clean (noise 0) and noise 0.5. A page here
 * is everything the render stage writes for it in memory: the page image (PNG,
 * or the JPEG a noisy page ends in: render.imageFormat auto), the clean twin
 * PNG, the trace mask PNG and the ground truth (JSON-serialised).
 *
 * Two clocks: wall time per page, and process CPU time per page (all threads,
 * libvips included), which is what one core would need and moves much less
 * than wall time when other work shares the machine.
 *
 *   node --import tsx bench/render-pages.ts [pages]
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { LEADS, type EcgRecord } from '../src/core/ecg.js';
import { renderPage, type RenderConfigInput } from '../src/render/index.js';

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

interface Timing {
  readonly wallS: number;
  readonly cpuS: number;
}

async function measure(record: EcgRecord, config: RenderConfigInput, pages: number): Promise<Timing> {
  for (let i = 0; i < 2; i++) await renderPage(record, config, { seed: `warm-${i}` });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < pages; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const page = await renderPage(record, config, { seed: i });
    JSON.stringify(page.groundTruth);
    const used = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wallS: median(wall) / 1000, cpuS: median(cpu) / 1000 };
}

const PAGE = { dpi: 200, paper: 'letter', layout: '3x4' } as const;

async function main(): Promise<void> {
  sharp.concurrency(1);
  const pages = Number(process.argv[2] ?? 15);
  const record = readRecord();
  const rows = [
    { name: 'clean (noise 0)', timing: await measure(record, { ...PAGE, noise: 0 }, pages), kit: ECG_IMAGE_KIT_S.clean, target: 10 },
    { name: 'noise 0.5', timing: await measure(record, { ...PAGE, noise: 0.5 }, pages), kit: ECG_IMAGE_KIT_S.augmented, target: 4 },
    { name: 'noise 0.5, imageFormat png', timing: await measure(record, { ...PAGE, noise: 0.5, imageFormat: 'png' }, pages), kit: ECG_IMAGE_KIT_S.augmented, target: 4 },
  ];
  console.log(`render-pages: 00001_lr, 200 DPI letter 3x4 + II rhythm, one core (sharp.concurrency(1)), median of ${pages} pages`);
  console.log('| setting | wall ms/page | pages/s (wall) | CPU ms/page | pages/s (CPU) | target pages/s | ecg-image-kit s/page | speed-up (wall) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const { name, timing, kit, target } of rows) {
    const { wallS, cpuS } = timing;
    console.log(`| ${name} | ${(wallS * 1000).toFixed(0)} | ${(1 / wallS).toFixed(1)} | ${(cpuS * 1000).toFixed(0)} | ${(1 / cpuS).toFixed(1)} | ${target} | ${kit} | ${(kit / wallS).toFixed(1)}x |`);
  }
  const [clean, noisy] = rows.map((r) => r.timing) as [Timing, Timing];
  console.log(
    JSON.stringify({
      bench: 'render-pages',
      cleanPagesPerS: 1 / clean.wallS,
      noisyPagesPerS: 1 / noisy.wallS,
      cleanPagesPerCpuS: 1 / clean.cpuS,
      noisyPagesPerCpuS: 1 / noisy.cpuS,
      ratioClean: ECG_IMAGE_KIT_S.clean / clean.wallS,
      ratioNoisy: ECG_IMAGE_KIT_S.augmented / noisy.wallS,
    }),
  );
}

await main();
