/**
 * Peak V8 heap (sampled every 200 ms) and peak resident memory of one tiny
 * cell of an experiment, run in-process with the test suite's tiny settings
 * (test/train/helpers.ts TINY_ARGS) and any overrides after the paths; it
 * prints which stages ran (the others came from the cache). With the cache
 * filled first, it measures one stage: bench/RESULTS.md "The hierarchical
 * stage streamed" ran it under /usr/bin/time -v for the peak RSS.
 *
 *   node --import tsx bench/stage-memory.ts <tree> <experiment.yaml> <runs> [key=value ...]
 *
 * <tree> is the checkout whose code runs (so two commits can be compared).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [tree, path, runs, ...extra] = process.argv.slice(2);
if (!tree || !path || !runs) {
  console.error('usage: node --import tsx bench/stage-memory.ts <tree> <experiment.yaml> <runs> [key=value ...]');
  process.exit(2);
}
const helpers = await import(pathToFileURL(resolve(tree, 'test/train/helpers.ts')).href);
await helpers.loadBackend();
let peakHeap = 0;
let peakRss = 0;
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}, 200);
const result = await helpers.runExperiment(path, runs, [...helpers.TINY_ARGS, ...extra]);
clearInterval(timer);
const cell = result.cells[0] as { error?: string; stages: Record<string, { cached: boolean }> };
const ran = Object.entries(cell.stages).filter(([, s]) => !s.cached).map(([name]) => name);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
console.log(JSON.stringify({ status: result.sweep.status, error: cell.error, ran, peakHeapMb: mb(peakHeap), peakRssMb: mb(peakRss) }));
