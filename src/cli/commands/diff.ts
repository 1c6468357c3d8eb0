import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { formatTable } from '../table.js';
import { resolveCellRef } from '../../inference/load-cell.js';
import { stableStringify } from '../../core/hash.js';
import { EcgError } from '../../core/errors.js';
import { runMessages } from '../../core/messages.js';
import type { CellRun, MetricPoint } from '../../tracking/run-store.js';

/** What `diff` compares of a cell: its flattened config, its tags, the latest value of each metric. */
export interface CellFacts {
  readonly label: string;
  readonly config: Record<string, unknown>;
  readonly tags: Record<string, string>;
  readonly metrics: Record<string, number>;
}

export interface DiffRow {
  readonly kind: 'config' | 'tag' | 'metric';
  readonly key: string;
  readonly a: unknown;
  readonly b: unknown;
}

async function cellFacts(dir: string, label: string): Promise<CellFacts> {
  let run: CellRun;
  try {
    run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as CellRun;
  } catch (cause) {
    throw new EcgError('RUN_NOT_FOUND', runMessages.cellRunMissing(label, dir), { cause });
  }
  const text = await readFile(join(dir, 'metrics.jsonl'), 'utf8').catch(() => '');
  const metrics: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const point = JSON.parse(line) as MetricPoint;
      metrics[point.name] = point.value;
    } catch {
      // a torn last line of a killed cell: the points before it stand
    }
  }
  return { label, config: run.params, tags: run.tags, metrics };
}

/** Rows where the two cells differ (a key one of them lacks counts), config first, then tags, then metrics, each sorted by key. */
export function diffCells(a: CellFacts, b: CellFacts): DiffRow[] {
  const rows: DiffRow[] = [];
  const section = (kind: DiffRow['kind'], x: Record<string, unknown>, y: Record<string, unknown>) => {
    for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      if (stableStringify(x[key] ?? null) !== stableStringify(y[key] ?? null)) rows.push({ kind, key, a: x[key], b: y[key] });
    }
  };
  section('config', a.config, b.config);
  section('tag', a.tags, b.tags);
  section('metric', a.metrics, b.metrics);
  return rows;
}

const text = (value: unknown) => (value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value));

export const diffCommand: Command = {
  name: 'diff',
  summary: 'the config keys, tags and metrics (latest values) that differ between two cells',
  usage: `ecg-lab diff <cell> <cell> [--json] [--runs DIR]

  <cell>   a cell folder, or <experiment>/<sweep>/<cell>, <sweep>/<cell> (unique prefixes), as digitize --model takes it
  --json   the rows as JSON: [{kind, key, a, b}]`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs'], flags: ['json'] });
    const [refA, refB] = parsed.positionals;
    if (!refA || !refB) {
      io.out(this.usage);
      return 2;
    }
    const runsDir = runsDirFor(parsed.options.get('runs'), io.env, io.cwd);
    const [a, b] = await Promise.all(
      [refA, refB].map(async (ref) => {
        const cell = await resolveCellRef(ref, runsDir, io.cwd);
        return cellFacts(cell.dir, cell.label);
      }),
    );
    const rows = diffCells(a as CellFacts, b as CellFacts);
    if (parsed.flags.has('json')) {
      io.out(JSON.stringify({ a: a!.label, b: b!.label, rows }, null, 2));
      return 0;
    }
    io.out(`a = ${a!.label}\nb = ${b!.label}`);
    io.out(rows.length === 0 ? 'no differences' : formatTable(['what', 'key', 'a', 'b'], rows.map((r) => [r.kind, r.key, text(r.a), text(r.b)])));
    return 0;
  },
};
