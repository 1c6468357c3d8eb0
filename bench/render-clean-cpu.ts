/**
 * CPU time of a clean 200 DPI page, rendered in-process after five warm-up
 * pages (bench/render-pages.ts counts its first pages' JIT warm-up in):
 * 40 synthetic records. With a path it measures that tree's renderer, so
 * two checkouts can be compared alternating on one machine (bench/RESULTS.md,
 * issue 16):
 *
 *   node --import tsx bench/render-clean-cpu.ts [tree]     # default: this checkout
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const tree = resolve(process.argv[2] ?? '.');
const { renderPage } = await import(pathToFileURL(join(tree, 'src/render/index.ts')).href);
const { loadRecords } = await import(pathToFileURL(join(tree, 'src/data/load-records.ts')).href);
const { silentLogger } = await import(pathToFileURL(join(tree, 'src/core/logger.ts')).href);

function join(...parts: string[]): string {
  return resolve(...parts);
}

const data = {
  source: 'synthetic',
  path: '',
  records: 40,
  ptbxlPlusPath: '',
  fsHz: 100,
  durationS: 10,
  split: { method: 'seeded', val: 0.15, test: 0.2 },
  synthetic: { priors: {}, baselineWanderMv: 0.05, mainsHumMv: 0.01, muscleNoiseMv: 0.01, mainsHz: 50 },
};
const { records } = await loadRecords(data, 0, { logger: silentLogger });
for (const record of records.slice(0, 5)) await renderPage(record, { noise: 0, dpi: 200 }, { seed: record.name });
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (const record of records) await renderPage(record, { noise: 0, dpi: 200 }, { seed: record.name });
const cpu = process.cpuUsage(cpu0);
const perPage = (ms: number) => (ms / records.length).toFixed(1);
console.log(`${tree}: clean 200 DPI page ${perPage((cpu.user + cpu.system) / 1000)} CPU ms, ${perPage(performance.now() - wall0)} wall ms (${records.length} pages)`);
