/**
 * Are two run stores' results the same? For every cell of an experiment's
 * latest sweep in each store (cells matched by their overrides), compares
 * every (name, step, value) of metrics.jsonl and prints how many points
 * differ, per cell and in all. Used to show that a refactoring changed no
 * result (bench/RESULTS.md, issue 16): run the same experiment from the two
 * trees into two stores, then
 *
 *   node --import tsx bench/same-metrics.ts <runs-a> <runs-b> [--experiment quickstart]
 *
 * Exit 0 when every point is equal, 1 when any differs or a cell is missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RunStore } from '../src/tracking/run-store.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { experiment: { type: 'string', default: 'quickstart' } } });
if (positionals.length !== 2) {
  console.error('usage: node --import tsx bench/same-metrics.ts <runs-a> <runs-b> [--experiment quickstart]');
  process.exit(2);
}

/** Overrides (as JSON) -> the cell's metric points as "name@step=value" strings. */
async function points(root: string): Promise<Map<string, Set<string>>> {
  const store = new RunStore(root);
  const sweep = (await store.listSweeps(values.experiment as string)).at(-1);
  if (!sweep) throw new Error(`no ${values.experiment} sweep in ${root}`);
  const cells = new Map<string, Set<string>>();
  for (const ref of sweep.cells) {
    const cell = await store.readCell(sweep.experiment, sweep.id, ref.id);
    if (!cell) continue;
    const lines = readFileSync(join(root, sweep.experiment, sweep.id, 'cells', ref.id, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);
    const set = new Set(lines.map((line) => {
      const m = JSON.parse(line) as { name: string; step?: number; value: number };
      return `${m.name}@${m.step ?? ''}=${m.value}`;
    }));
    cells.set(JSON.stringify(cell.overrides, Object.keys(cell.overrides ?? {}).sort()), set);
  }
  return cells;
}

const [a, b] = await Promise.all(positionals.map(points)) as [Map<string, Set<string>>, Map<string, Set<string>>];
let total = 0;
let differing = 0;
let missing = 0;
for (const [cell, pa] of a) {
  const pb = b.get(cell);
  if (!pb) {
    console.log(`${cell}: only in ${positionals[0]}`);
    missing++;
    continue;
  }
  const diff = [...pa].filter((p) => !pb.has(p)).length + [...pb].filter((p) => !pa.has(p)).length;
  total += pa.size;
  differing += diff;
  console.log(`${cell}: ${pa.size} points, ${diff} differ${diff > 0 ? ` (e.g. ${[...pa].filter((p) => !pb.has(p)).slice(0, 3).join(', ')})` : ''}`);
}
for (const cell of b.keys()) if (!a.has(cell)) (console.log(`${cell}: only in ${positionals[1]}`), missing++);
console.log(`${a.size} cells, ${total} metric points, ${differing} differ, ${missing} cells in one store only`);
process.exit(differing === 0 && missing === 0 ? 0 : 1);
