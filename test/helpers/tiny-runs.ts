/** Shared set-up of the runner tests: a temp runs/ folder and the tiny test stages. */
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'foundation');
export const TINY = join(FIXTURES, 'experiments', 'tiny.yaml');
export const GRID = join(FIXTURES, 'experiments', 'grid.yaml');

export function tinyEnv(extra: Record<string, string> = {}): { runs: string; env: Record<string, string> } {
  const runs = mkdtempSync(join(tmpdir(), 'ecg-runs-'));
  return { runs, env: { ECG_LAB_PLUGINS: join(FIXTURES, 'stages.ts'), ECG_LAB_RUNS: runs, ...extra } };
}

export interface CellView {
  id: string;
  status: string;
  stages: Record<string, { key: string; cached: boolean; status: string }>;
}

/** Sweeps of an experiment in a runs folder, with their cells' run.json. */
export function sweepsIn(runs: string, experiment: string): { id: string; status: string; createdAt: string; cells: CellView[] }[] {
  const dir = join(runs, experiment);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((id) => {
      const sweep = JSON.parse(readFileSync(join(dir, id, 'sweep.json'), 'utf8')) as { id: string; status: string; createdAt: string; cells: { id: string }[] };
      return {
        id: sweep.id,
        status: sweep.status,
        createdAt: sweep.createdAt,
        cells: sweep.cells.map((c) => JSON.parse(readFileSync(join(dir, id, 'cells', c.id, 'run.json'), 'utf8')) as CellView),
      };
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
}

export function metricLines(runs: string, experiment: string, sweepId: string, cellId: string): { name: string; step: number; stage?: string }[] {
  const file = join(runs, experiment, sweepId, 'cells', cellId, 'metrics.jsonl');
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it holds (a throw counts as not yet: files may be half written), or fail after timeoutMs. */
export async function waitFor(check: () => boolean, timeoutMs: number, pollMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  const safe = () => {
    try {
      return check();
    } catch {
      return false;
    }
  };
  while (!safe()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(pollMs);
  }
}
