/**
 * Where the digitization stages' memory goes as pages are added, without
 * training (issue 21): reads the layouts of the first N pages of a render
 * folder (readPageRefs) and cuts their crop sets with clean twins
 * (buildCropSets, the quickstart's crop geometry, nominal boxes), then
 * prints resident memory now and at its peak (VmHWM), and V8's heap after a
 * full GC (used of committed: committed pages stay resident after a GC). Run it at two sizes, with and without a fixed glibc mmap
 * threshold, to tell data the stages hold (heap) from allocator retention
 * (RSS above heap + external):
 *
 *   node --expose-gc --import tsx bench/crop-memory.ts <render folder> <pages>
 *   MALLOC_MMAP_THRESHOLD_=1048576 node --expose-gc --import tsx bench/crop-memory.ts <render folder> <pages>
 *   node --expose-gc --import tsx bench/crop-memory.ts <render folder> <pages> --no-sharp-cache
 *   node --expose-gc --import tsx bench/crop-memory.ts <render folder> <pages> --every 100   (memory every 100 pages, no GC)
 *
 * `--backend cpu|wasm|tensorflow|...` picks the TensorFlow.js backend (default
 * auto, as the CLI: tensorflow where it is installed).
 *
 * A render folder is any `render` stage cache entry (runs/.cache/render/<key>/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { selectBackend } from '../src/backend/index.js';
import type { BackendName } from '../src/backend/names.js';
import { compose, readExperiment } from '../src/config/compose.js';
import { silentLogger } from '../src/core/logger.js';
import { silentProgress } from '../src/core/progress.js';
import { readRenderManifest } from '../src/render/pages.js';
import type { StageContext } from '../src/train/stage.js';
import { buildCropSets, type BoxesFile } from '../src/train/stages/crop-set.js';
import { nominalPagePlacements } from '../src/train/stages/page-truth.js';
import { readPageRefs } from '../src/train/stages/stage-inputs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [dir, pagesArg] = process.argv.slice(2);
if (!dir || !pagesArg) throw new Error('usage: bench/crop-memory.ts <render folder> <pages>');
const pages = Number(pagesArg);
const noSharpCache = process.argv.includes('--no-sharp-cache');
const backendArg = process.argv.indexOf('--backend');
// The CLI's backend (auto: tensorflow here): crops are cut with tf.image.cropAndResize, so where the page tensors live matters.
const backend = (backendArg > 0 ? process.argv[backendArg + 1] : 'auto') as BackendName;
await selectBackend(backend, silentLogger);
const everyArg = process.argv.indexOf('--every');
const every = everyArg > 0 ? Number(process.argv[everyArg + 1]) : 0;
if (noSharpCache) sharp.cache(false);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const peakMb = () => (Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024).toFixed(0);

const rssMb = () => (Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024).toFixed(0);
/** With --every N: resident memory, heap and external every N pages cut (no GC forced), to see growth within one run. */
let cut = 0;
const progress = {
  ...silentProgress,
  tick() {
    cut++;
    if (every > 0 && cut % every === 0) {
      const usage = process.memoryUsage();
      console.log(`  ${cut} pages: RSS ${rssMb()} MB, heap ${mb(usage.heapUsed)} of ${mb(usage.heapTotal)} MB, external ${mb(usage.external)} MB, array buffers ${mb(usage.arrayBuffers)} MB, ${tf.memory().numTensors} tensors`);
    }
  },
};

const config = compose({ experiment: readExperiment(join(ROOT, 'experiments', 'quickstart.yaml')), configsDir: join(ROOT, 'configs') }).config;
const manifest = await readRenderManifest(dir);
const outDir = mkdtempSync(join(tmpdir(), 'ecg-crop-memory-'));
const ctx = {
  config,
  outDir,
  inputs: { render: { stage: 'render', key: 'bench', dir, manifest: { ...manifest, pages: manifest.pages.slice(0, pages) } } },
  logger: silentLogger,
  progress,
  signal: new AbortController().signal,
} as unknown as StageContext;
try {
  const refs = await readPageRefs(ctx, 'bench');
  const boxes: BoxesFile = { pages: Object.fromEntries(refs.map((p) => [p.record, { ...nominalPagePlacements(p.gt), deskewDeg: 0 }])) };
  const sets = await buildCropSets(ctx, 'bench', refs, boxes, true);
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  console.log(
    `${refs.length} pages: RSS ${mb(usage.rss)} MB, peak ${peakMb()} MB, heap ${mb(usage.heapUsed)} of ${mb(usage.heapTotal)} MB, external ${mb(usage.external)} MB, backend ${tf.getBackend()}` +
      (process.env['MALLOC_MMAP_THRESHOLD_'] ? ` (MALLOC_MMAP_THRESHOLD_=${process.env['MALLOC_MMAP_THRESHOLD_']})` : '') +
      (noSharpCache ? ' (sharp.cache(false))' : ''),
  );
  sets.remove();
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
