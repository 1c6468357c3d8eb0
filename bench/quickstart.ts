/**
 * The figures of a quickstart run, from its run store: wall time per cell
 * and per stage (cached stages say so), the sweep's wall time (first cell's
 * start to last cell's end), and per cell (render.noise x model.hierarchy)
 * the test split's macro F1 with the best constant predictor beside it,
 * per-class F1, and the challenge SNR, mean and per lead.
 *
 *   node --import tsx bench/quickstart.ts --run [--runs /tmp/qs] [-- override ...]
 *   node --import tsx bench/quickstart.ts [--runs /tmp/qs] [--sweep <id>] [--experiment quickstart]
 *
 * With --run it first runs the experiment itself (the current source, with
 * tsx) into --runs and prints the process's wall time, CPU time and peak
 * resident memory (bench/measure-process.ts) and the load average around
 * it. Without --sweep, the latest sweep of the experiment. It never fails on
 * time.
 */
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { measureProcess } from './measure-process.js';
import { CHALLENGE_CLASSES, LEADS } from '../src/core/ecg.js';
import { RunStore, type CellRun } from '../src/tracking/run-store.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: process.env.ECG_LAB_RUNS ?? 'runs' },
    sweep: { type: 'string' },
    experiment: { type: 'string', default: 'quickstart' },
    run: { type: 'boolean', default: false },
  },
});

if (values.run) {
  const runs = values.runs as string;
  mkdirSync(runs, { recursive: true });
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'run', `experiments/${values.experiment}.yaml`, ...positionals];
  console.log(`running: ECG_LAB_RUNS=${runs} node ${args.join(' ')}`);
  const figures = await measureProcess(process.execPath, args, { env: { ...process.env, ECG_LAB_RUNS: runs }, onOutput: (chunk) => process.stderr.write(chunk) });
  const m = Math.floor(figures.wallS / 60);
  console.log(`\n## The process (${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'})\n`);
  console.log('| exit | wall | CPU (user + sys) | CPU / wall | peak resident memory | load average before -> after |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  console.log(
    `| ${figures.exitCode} | ${m} min ${Math.round(figures.wallS - 60 * m)} s | ${Math.round(figures.cpuS)} s | ${(figures.cpuS / figures.wallS).toFixed(2)} | ` +
      `${Math.round(figures.peakRssMb)} MB | ${figures.loadBefore} -> ${figures.loadAfter} |\n`,
  );
}

const store = new RunStore(values.runs as string);
const sweeps = await store.listSweeps(values.experiment);
const sweep = values.sweep ? await store.findSweep(values.sweep) : sweeps.at(-1);
if (!sweep) {
  console.error(`no ${values.experiment} sweep in ${store.root}; run: ECG_LAB_RUNS=${store.root} npx ecg-lab run experiments/${values.experiment}.yaml`);
  process.exit(1);
}

const cells = (await Promise.all(sweep.cells.map((c) => store.readCell(sweep.experiment, sweep.id, c.id)))).filter((c): c is CellRun => c !== undefined);
const seconds = (a?: string, b?: string) => (a && b ? (Date.parse(b) - Date.parse(a)) / 1000 : Number.NaN);
const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const minutes = (s: number) => (Number.isFinite(s) ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : '-');

const starts = cells.map((c) => c.startedAt).filter((s): s is string => !!s).sort();
const ends = cells.map((c) => c.endedAt).filter((s): s is string => !!s).sort();
console.log(`sweep ${sweep.experiment}/${sweep.id} (${sweep.status}), ${store.root}`);
console.log(`wall time (first cell start -> last cell end): ${minutes(seconds(starts[0], ends.at(-1)))}\n`);

console.log('## Wall time per stage (s; "cache" = re-used)\n');
const stageNames = [...new Set(cells.flatMap((c) => Object.keys(c.stages)))];
const label = (c: CellRun) => Object.entries(c.overrides).map(([k, v]) => `${k}=${String(v)}`).join(' ') || c.cellId;
console.log(`| cell | ${stageNames.join(' | ')} | cell total |`);
console.log(`| --- |${stageNames.map(() => ' ---: |').join('')} ---: |`);
for (const c of cells) {
  const row = stageNames.map((s) => {
    const r = c.stages[s];
    if (!r) return '';
    if (r.cached) return 'cache';
    return fmt(r.durationS ?? seconds(r.startedAt, r.endedAt), 0);
  });
  console.log(`| ${label(c)} | ${row.join(' | ')} | ${fmt(seconds(c.startedAt, c.endedAt), 0)} |`);
}

const metrics = await Promise.all(cells.map((c) => store.latestMetrics(c)));
console.log('\n## Test split figures\n');
const columns: [string, (m: Record<string, number>) => string][] = [
  ['f1/macro', (m) => fmt(m['f1/macro'])],
  ['f1/constant_macro', (m) => fmt(m['f1/constant_macro'])],
  ['classifier1d/f1/macro', (m) => fmt(m['classifier1d/f1/macro'])],
  ['snr/mean (dB)', (m) => fmt(m['snr/mean'], 2)],
  ['digitizer/snr/mean (dB, before fine-tuning)', (m) => fmt(m['digitizer/snr/mean'], 2)],
  ['roi/test_iou', (m) => fmt(m['roi/test_iou'])],
];
console.log(`| cell | ${columns.map(([n]) => n).join(' | ')} |`);
console.log(`| --- |${columns.map(() => ' ---: |').join('')}`);
cells.forEach((c, i) => console.log(`| ${label(c)} | ${columns.map(([, f]) => f(metrics[i] as Record<string, number>)).join(' | ')} |`));

console.log('\n## F1 per class (test)\n');
console.log(`| cell | ${CHALLENGE_CLASSES.join(' | ')} |`);
console.log(`| --- |${CHALLENGE_CLASSES.map(() => ' ---: |').join('')}`);
cells.forEach((c, i) => console.log(`| ${label(c)} | ${CHALLENGE_CLASSES.map((k) => fmt(metrics[i]?.[`f1/${k}`], 2)).join(' | ')} |`));

console.log('\n## SNR per lead (test, dB)\n');
console.log(`| cell | ${LEADS.join(' | ')} | mean |`);
console.log(`| --- |${LEADS.map(() => ' ---: |').join('')} ---: |`);
cells.forEach((c, i) => console.log(`| ${label(c)} | ${LEADS.map((l) => fmt(metrics[i]?.[`snr/${l}`], 2)).join(' | ')} | ${fmt(metrics[i]?.['snr/mean'], 2)} |`));
