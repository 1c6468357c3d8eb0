/**
 * Does a cell trained on one backend reach the results of the same cell on
 * another? For issue 22: a quickstart cell on webgpu (a GPU machine,
 * scripts/gpu-check.sh) against the same cell on the native CPU backend.
 * Cells of each store's latest sweep are matched by their overrides without
 * `backend`. Two kinds of rows, each with its tolerance:
 *
 * - every stage's first-epoch training loss: same data, same initial
 *   weights, same batches; only the order and rounding of float sums
 *   differ, so they agree to within 1% (relative);
 * - the cell's results: after many epochs those rounding differences have
 *   grown the way a change of seed grows them, so the tolerance is of that
 *   size: macro F1 within 0.10, SNR within 1.0 dB, ROI IoU within 0.03
 *   (the hypotheses sweep's two seeds differ by up to 0.07 F1 and 0.13 dB).
 *
 *   node --import tsx bench/compare-backends.ts <runs-a> <runs-b> [--experiment quickstart]
 *
 * Exit 0 when every row is within its tolerance, 1 otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RunStore } from '../src/tracking/run-store.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { experiment: { type: 'string', default: 'quickstart' } } });
if (positionals.length !== 2) {
  console.error('usage: node --import tsx bench/compare-backends.ts <runs-a> <runs-b> [--experiment quickstart]');
  process.exit(2);
}

interface Point { name: string; step?: number; value: number }
interface Cell { backend: string; metrics: Map<string, Point[]> }

async function cells(root: string): Promise<Map<string, Cell>> {
  const store = new RunStore(root);
  const sweep = (await store.listSweeps(values.experiment as string)).at(-1);
  if (!sweep) throw new Error(`no ${values.experiment} sweep in ${root}`);
  const out = new Map<string, Cell>();
  for (const ref of sweep.cells) {
    const cell = await store.readCell(sweep.experiment, sweep.id, ref.id);
    const file = join(root, sweep.experiment, sweep.id, 'cells', ref.id, 'metrics.jsonl');
    if (!cell || !existsSync(file)) continue;
    const metrics = new Map<string, Point[]>();
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const p = JSON.parse(line) as Point;
      metrics.set(p.name, [...(metrics.get(p.name) ?? []), p]);
    }
    const { backend: _requested, ...rest } = (cell.overrides ?? {}) as Record<string, unknown>;
    const tags = (JSON.parse(readFileSync(join(root, sweep.experiment, sweep.id, 'cells', ref.id, 'run.json'), 'utf8')) as { tags?: Record<string, string> }).tags ?? {};
    const backend = [tags['ecg-lab.backend'], tags['ecg-lab.backend.gpu_adapter']].filter(Boolean).join(', ') || '?';
    out.set(JSON.stringify(rest, Object.keys(rest).sort()), { backend, metrics });
  }
  return out;
}

const first = (points: Point[] | undefined) => points?.reduce((a, b) => ((a.step ?? 0) <= (b.step ?? 0) ? a : b)).value;
const last = (points: Point[] | undefined) => points?.reduce((a, b) => ((a.step ?? 0) >= (b.step ?? 0) ? a : b)).value;

interface Row { label: string; a?: number; b?: number; within: (a: number, b: number) => boolean; tolerance: string }

function rows(a: Cell, b: Cell): Row[] {
  const losses = [...a.metrics.keys()].filter((n) => /^[\w-]+\/loss$/.test(n)).map((name): Row => ({
    label: `${name}, first epoch`, a: first(a.metrics.get(name)), b: first(b.metrics.get(name)),
    within: (x, y) => Math.abs(x - y) <= 0.01 * Math.max(Math.abs(x), Math.abs(y)), tolerance: '1%',
  }));
  const result = (name: string, tolerance: number, unit = ''): Row => ({
    label: name, a: last(a.metrics.get(name)), b: last(b.metrics.get(name)), within: (x, y) => Math.abs(x - y) <= tolerance, tolerance: `${tolerance}${unit}`,
  });
  const f1 = [...a.metrics.keys()].filter((n) => /(^|\/)f1\/macro$/.test(n)).map((n) => result(n, 0.1));
  const snr = [...a.metrics.keys()].filter((n) => /(^|\/)snr\/mean$/.test(n)).map((n) => result(n, 1.0, ' dB'));
  const iou = [...a.metrics.keys()].filter((n) => /iou$/.test(n)).map((n) => result(n, 0.03));
  return [...losses, ...f1, ...snr, ...iou];
}

const [storeA, storeB] = await Promise.all(positionals.map(cells)) as [Map<string, Cell>, Map<string, Cell>];
let failed = 0;
for (const [key, a] of storeA) {
  const b = storeB.get(key);
  if (!b) {
    console.log(`${key}: only in ${positionals[0]}`);
    failed++;
    continue;
  }
  console.log(`cell ${key}\n  a: ${positionals[0]}: ${a.backend}\n  b: ${positionals[1]}: ${b.backend}\n`);
  console.log('| metric | a | b | a - b | tolerance | within |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows(a, b)) {
    const ok = r.a !== undefined && r.b !== undefined && r.within(r.a, r.b);
    if (!ok) failed++;
    const fmt = (v?: number) => (v === undefined ? '-' : v.toFixed(4));
    console.log(`| ${r.label} | ${fmt(r.a)} | ${fmt(r.b)} | ${r.a !== undefined && r.b !== undefined ? (r.a - r.b).toFixed(4) : '-'} | ${r.tolerance} | ${ok ? 'yes' : '**no**'} |`);
  }
}
console.log(`\n${failed === 0 ? 'every row within its tolerance' : `${failed} rows outside their tolerance or missing`}`);
process.exit(failed === 0 ? 0 : 1);
