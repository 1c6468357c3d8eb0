/**
 * Memory and time of the digitization stages as the data grows (issue 21):
 * for each size, one `ecg-lab run` of the stages that need no labels (data,
 * render, roi, denoise, digitizer) on real PTB-XL records from
 * ../shared/data/ptb-xl-unlabelled (1,998 records at 100 Hz; a size above
 * that gets all of them), or on synthetic records (--synthetic); each in its
 * own process, measured from /proc (bench/measure-process.ts). Per stage and
 * size it prints wall time, pages (render, roi) or lead crops (denoise,
 * digitizer) per second, and the process's peak resident memory while the
 * stage ran; then each size's peak and time per record against the first
 * size's. A size's rows are printed when it ends, so a long run that is
 * stopped, or a size that fails, still leaves the sizes before it.
 *
 * The data path is the quickstart's (100 Hz, 100 DPI pages with clean twins
 * for the denoiser, ROI inputs of 128 x 160, crops of 48 rows x 100 columns a
 * second, roi + deskew + denoise on), but the models are the test suite's
 * tiny widths (test/train/helpers.ts TINY_ARGS: roi [4, 8], denoiser [4, 8],
 * digitizer [8, 8]) and every stage trains one epoch: the figures are about
 * data handling (what is decoded, cut, held and read per record), not
 * accuracy, and tiny models keep 500, 1,000 and 2,000 records to about 75
 * minutes on 2 cores shared at load 7-12 (2026-11-27; the synthetic 4,000
 * adds about an hour). Time per record is therefore below the quickstart's
 * small models' (bench/RESULTS.md scales it by the stages' shares).
 *
 * The process's peak is per stage. Every stage streams: the data stage
 * stores records a window at a time, the render stage reads each record as
 * its page is drawn, and the digitization stages keep per page its layout,
 * its ROI boxes and its crops' placements (about 22 KB), not its pixels.
 *
 *   node --import tsx bench/scale.ts [sizes, default 500,1000,2000] [--synthetic 4000]
 *
 * It never fails on time or memory; it prints them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findHeaders } from '../src/data/wfdb-folder.js';
import { RunStore, type CellRun } from '../src/tracking/run-store.js';
import { measureProcess, type ProcessFigures } from './measure-process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UNLABELLED = resolve(ROOT, '..', 'shared', 'data', 'ptb-xl-unlabelled');
const STAGES = ['data', 'render', 'roi', 'denoise', 'digitizer'] as const;
const CROPS_PER_PAGE = 13;
const TINY_MODELS = 'model.roi.widths [4, 8], model.denoiser.widths [4, 8], model.digitizer.widths [8, 8] (the tests\' tiny models), 1 epoch a stage';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { synthetic: { type: 'string' } } });
const realSizes = (positionals[0] ?? '500,1000,2000').split(',').filter(Boolean).map(Number);
const syntheticSizes = values.synthetic ? values.synthetic.split(',').map(Number) : [];

type Source = 'wfdb-folder' | 'synthetic';

function experiment(records: number, source: Source): string {
  const data =
    source === 'wfdb-folder'
      ? `data:\n  source: wfdb-folder\n  path: ${UNLABELLED}\n  records: ${records}\n`
      : `data:\n  source: synthetic\n  records: ${records}\n`;
  return (
    `defaults:\n  - model: small\n  - train: quickstart\n` +
    data +
    `  fsHz: 100\nrender:\n  dpi: 100\ndigitizer:\n  cropHeight: 48\n  columnsPerS: 100\n` +
    `model:\n  roi:\n    inputHeight: 128\n    inputWidth: 160\n    widths: [4, 8]\n  denoiser:\n    widths: [4, 8]\n  digitizer:\n    widths: [8, 8]\n` +
    `train:\n  roi: { epochs: 1 }\n  denoise: { epochs: 1 }\n  digitizer: { epochs: 1 }\n` +
    `stages: [digitizer]\n`
  );
}

interface SizeResult {
  readonly label: string;
  /** Records the run had (a real size above the folder's count gets the folder). */
  readonly records: number;
  readonly figures: ProcessFigures;
  readonly cell: CellRun | undefined;
}

async function runSize(asked: number, source: Source): Promise<SizeResult> {
  const records = source === 'wfdb-folder' ? Math.min(asked, findHeaders(UNLABELLED).length) : asked;
  const dir = mkdtempSync(join(tmpdir(), 'ecg-scale-'));
  try {
    const file = join(dir, `scale-${records}.yaml`);
    writeFileSync(file, experiment(records, source));
    const runs = join(dir, 'runs');
    process.stderr.write(`${new Date().toISOString()} ${source} ${records} records ...\n`);
    const figures = await measureProcess(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', file], {
      cwd: ROOT,
      env: { ...process.env, ECG_LAB_RUNS: runs },
    });
    const store = new RunStore(runs);
    const [sweep] = await store.listSweeps(`scale-${records}`);
    const cell = sweep ? await store.readCell(sweep.experiment, sweep.id, sweep.cells[0]?.id ?? 'c00') : undefined;
    return { label: source === 'wfdb-folder' ? 'PTB-XL' : 'synthetic', records, figures, cell };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak of the resident-memory samples taken while the stage ran (MB). */
function stagePeakMb(result: SizeResult, stage: string): number {
  const record = result.cell?.stages[stage];
  if (!record?.startedAt || !record.endedAt) return Number.NaN;
  const from = Date.parse(record.startedAt) - result.figures.startedAtMs;
  const to = Date.parse(record.endedAt) - result.figures.startedAtMs;
  const inside = result.figures.rssSamples.filter(([t]) => t >= from && t <= to).map(([, mb]) => mb);
  return inside.length > 0 ? Math.max(...inside) : Number.NaN;
}

const stageSeconds = (r: SizeResult, stage: string) => r.cell?.stages[stage]?.durationS ?? Number.NaN;
const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const pct = (v: number, of: number) => fmt((100 * v) / of);

const SIZE_HEADER = ['| data | records | exit | wall s | CPU s | peak RSS MB | peak vs first % | s per record | vs first % | load before -> after |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
const STAGE_HEADER = [
  '| data | records | stage | wall s | pages or crops / s | ms per record | vs first % | peak RSS MB | vs first % |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];

function sizeRow(r: SizeResult, first: SizeResult): string {
  const perRecord = r.figures.wallS / r.records;
  return `| ${r.label} | ${r.records} | ${r.figures.exitCode} | ${fmt(r.figures.wallS)} | ${fmt(r.figures.cpuS)} | ${fmt(r.figures.peakRssMb)} | ${pct(r.figures.peakRssMb, first.figures.peakRssMb)} | ${fmt(perRecord, 3)} | ${pct(perRecord, first.figures.wallS / first.records)} | ${r.figures.loadBefore} -> ${r.figures.loadAfter} |`;
}

function stageRows(r: SizeResult, first: SizeResult): string[] {
  return STAGES.map((stage) => {
    const seconds = stageSeconds(r, stage);
    const units = stage === 'denoise' || stage === 'digitizer' ? r.records * CROPS_PER_PAGE : r.records;
    const msPerRecord = (1000 * seconds) / r.records;
    const firstMsPerRecord = (1000 * stageSeconds(first, stage)) / first.records;
    const peak = stagePeakMb(r, stage);
    return `| ${r.label} | ${r.records} | ${stage} | ${fmt(seconds, 1)} | ${fmt(units / seconds, 1)} | ${fmt(msPerRecord, 1)} | ${pct(msPerRecord, firstMsPerRecord)} | ${fmt(peak)} | ${pct(peak, stagePeakMb(first, stage))} |`;
  });
}

console.log(`models: ${TINY_MODELS}; data path as the quickstart's (100 Hz, 100 DPI, crops 48 x 100/s, ROI 128 x 160, clean twins)`);
const results: SizeResult[] = [];
const jobs = [...realSizes.map((n) => [n, 'wfdb-folder'] as const), ...syntheticSizes.map((n) => [n, 'synthetic'] as const)];
for (const [n, source] of jobs) {
  let result: SizeResult;
  try {
    result = await runSize(n, source);
  } catch (error) {
    console.log(`\n${source} ${n} records: the bench could not run it: ${(error as Error).message}`);
    continue;
  }
  results.push(result);
  const first = results[0] as SizeResult;
  // Each size's rows as soon as it is done (a long run that is stopped still leaves its finished sizes).
  console.log(['', `${new Date().toISOString()} ${result.label} ${result.records} records done`, ...SIZE_HEADER, sizeRow(result, first), '', ...STAGE_HEADER, ...stageRows(result, first)].join('\n'));
}

const first = results[0];
if (first) {
  console.log(['', `All sizes (ratios against ${first.label} ${first.records} records):`, ...SIZE_HEADER, ...results.map((r) => sizeRow(r, first))].join('\n'));
  console.log(['', ...STAGE_HEADER, ...results.flatMap((r) => stageRows(r, first))].join('\n'));
}
