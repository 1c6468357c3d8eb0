/**
 * Memory and time of the digitization stages as the data grows (issue 21):
 * for each size, one `ecg-lab run` of the stages that need no labels (data,
 * render, roi, denoise, digitizer) on real PTB-XL records from
 * ../shared/data/ptb-xl-unlabelled (1,998 records at 100 Hz), or on
 * synthetic records for sizes beyond that; each in its own process, measured
 * from /proc (bench/measure-process.ts). Per stage and size it prints wall
 * time, pages (render, roi) or lead crops (denoise, digitizer) per second,
 * and the process's peak resident memory while the stage ran. Training is
 * one epoch per stage: the figures are about data handling, not accuracy.
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
import { RunStore, type CellRun } from '../src/tracking/run-store.js';
import { measureProcess, type ProcessFigures } from './measure-process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UNLABELLED = resolve(ROOT, '..', 'shared', 'data', 'ptb-xl-unlabelled');
const STAGES = ['data', 'render', 'roi', 'denoise', 'digitizer'] as const;
const CROPS_PER_PAGE = 13;

const { values, positionals } = parseArgs({ allowPositionals: true, options: { synthetic: { type: 'string' } } });
const realSizes = (positionals[0] ?? '500,1000,2000').split(',').map(Number);
const syntheticSizes = values.synthetic ? values.synthetic.split(',').map(Number) : [];

function experiment(records: number, source: 'wfdb-folder' | 'synthetic'): string {
  const data =
    source === 'wfdb-folder'
      ? `data:\n  source: wfdb-folder\n  path: ${UNLABELLED}\n  records: ${records}\n`
      : `data:\n  source: synthetic\n  records: ${records}\n`;
  return (
    `defaults:\n  - model: small\n  - train: quickstart\n` +
    data +
    `  fsHz: 100\nrender:\n  dpi: 100\ndigitizer:\n  cropHeight: 48\n  columnsPerS: 100\nmodel:\n  roi:\n    inputHeight: 128\n    inputWidth: 160\n` +
    `train:\n  roi: { epochs: 1 }\n  denoise: { epochs: 1 }\n  digitizer: { epochs: 1 }\n` +
    `stages: [digitizer]\n`
  );
}

interface SizeResult {
  readonly label: string;
  readonly records: number;
  readonly figures: ProcessFigures;
  readonly cell: CellRun | undefined;
  readonly startedAtMs: number;
}

async function runSize(records: number, source: 'wfdb-folder' | 'synthetic'): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-scale-'));
  try {
    const file = join(dir, `scale-${records}.yaml`);
    writeFileSync(file, experiment(records, source));
    const runs = join(dir, 'runs');
    const startedAtMs = Date.now();
    process.stderr.write(`${source} ${records} records ...\n`);
    const figures = await measureProcess(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', file], {
      cwd: ROOT,
      env: { ...process.env, ECG_LAB_RUNS: runs },
    });
    const store = new RunStore(runs);
    const [sweep] = await store.listSweeps(`scale-${records}`);
    const cell = sweep ? await store.readCell(sweep.experiment, sweep.id, sweep.cells[0]?.id ?? 'c00') : undefined;
    return { label: source === 'wfdb-folder' ? 'PTB-XL' : 'synthetic', records, figures, cell, startedAtMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak of the resident-memory samples taken while the stage ran (MB). */
function stagePeakMb(result: SizeResult, stage: string): number {
  const record = result.cell?.stages[stage];
  if (!record?.startedAt || !record.endedAt) return Number.NaN;
  const from = Date.parse(record.startedAt) - result.startedAtMs;
  const to = Date.parse(record.endedAt) - result.startedAtMs;
  const inside = result.figures.rssSamples.filter(([t]) => t >= from && t <= to).map(([, mb]) => mb);
  return inside.length > 0 ? Math.max(...inside) : Number.NaN;
}

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

const sizeRow = (r: SizeResult) =>
  `| ${r.label} | ${r.records} | ${r.figures.exitCode} | ${fmt(r.figures.wallS)} | ${fmt(r.figures.cpuS)} | ${fmt(r.figures.peakRssMb)} | ${r.figures.loadBefore} -> ${r.figures.loadAfter} |`;
const stageRows = (r: SizeResult) =>
  STAGES.map((stage) => {
    const record = r.cell?.stages[stage];
    const seconds = record?.durationS ?? Number.NaN;
    const units = stage === 'denoise' || stage === 'digitizer' ? r.records * CROPS_PER_PAGE : r.records;
    return `| ${r.label} | ${r.records} | ${stage} | ${fmt(seconds, 1)} | ${fmt(units / seconds, 1)} | ${fmt((1000 * seconds) / r.records, 1)} | ${fmt(stagePeakMb(r, stage))} |`;
  });

const results: SizeResult[] = [];
const jobs = [...realSizes.map((n) => [n, 'wfdb-folder'] as const), ...syntheticSizes.map((n) => [n, 'synthetic'] as const)];
for (const [n, source] of jobs) {
  const result = await runSize(n, source);
  results.push(result);
  // Each size's rows as soon as it is done (a long run that is stopped still leaves its finished sizes).
  process.stderr.write([sizeRow(result), ...stageRows(result), ''].join('\n'));
}

console.log('| data | records | exit | wall s | CPU s | peak RSS MB | load before -> after |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of results) console.log(sizeRow(r));
console.log('\n| data | records | stage | wall s | pages or crops / s | per record ms | peak RSS MB while it ran |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const r of results) for (const row of stageRows(r)) console.log(row);
const first = results[0];
if (first) {
  console.log(`\npeak RSS relative to ${first.records} records: ${results.map((r) => `${r.records}: ${fmt((100 * r.figures.peakRssMb) / first.figures.peakRssMb)}%`).join(', ')}`);
}
