/**
 * The local run store: offline first, everything a run produced lives here
 * whether or not an MLflow server is reachable.
 *
 *   <runsDir>/<experiment>/<sweepId>/sweep.json           the parent run
 *   <runsDir>/<experiment>/<sweepId>/cells/<cellId>/
 *       run.json        status, params, tags, timing per stage
 *       config.yaml     the composed config
 *       metrics.jsonl   append-only points {name, value, step, timestamp, stage}
 *       artifacts/      files
 *
 * JSON files are replaced atomically (write + rename); metrics are appended
 * one line per write (O_APPEND), so two processes never interleave inside a
 * line. Sweep ids are created with an exclusive mkdir, so two sweeps started
 * at the same moment in one runs/ folder get different folders.
 */
import { mkdir, readFile, readdir, appendFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EcgError } from '../core/errors.js';
import { writeJsonAtomic, writeFileAtomic } from '../core/fs.js';
import { runMessages as msg } from '../core/messages.js';

export type RunStatus = 'pending' | 'running' | 'finished' | 'failed' | 'killed';

export interface StageRecord {
  key: string;
  cached: boolean;
  status: 'running' | 'finished' | 'failed';
  startedAt: string;
  endedAt?: string;
  durationS?: number;
  error?: string;
}

export interface CellRun {
  id: string;
  experiment: string;
  sweepId: string;
  cellId: string;
  /** What the cell sets on top of the experiment (its sweep coordinates). */
  overrides: Record<string, unknown>;
  group: string;
  status: RunStatus;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Process that runs it, so that `resume` can tell a dead cell from a live one. */
  pid?: number;
  host?: string;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  stages: Record<string, StageRecord>;
  error?: string;
}

export interface SweepRun {
  id: string;
  experiment: string;
  experimentPath: string;
  createdAt: string;
  status: RunStatus;
  /** The command-line arguments that, with the experiment file, define the sweep. */
  args: string[];
  stages: string[];
  cells: { id: string; overrides: Record<string, unknown>; group: string }[];
  tags: Record<string, string>;
}

export interface MetricPoint {
  name: string;
  value: number;
  step: number;
  timestamp: number;
  stage?: string;
}

export class RunStore {
  constructor(readonly root: string) {}

  sweepDir(experiment: string, sweepId: string): string {
    return join(this.root, experiment, sweepId);
  }

  cellDir(experiment: string, sweepId: string, cellId: string): string {
    return join(this.sweepDir(experiment, sweepId), 'cells', cellId);
  }

  cacheDir(): string {
    return join(this.root, '.cache');
  }

  /** Create a sweep folder with a fresh id (exclusive mkdir: never shared by two sweeps). */
  async createSweep(sweep: Omit<SweepRun, 'id' | 'createdAt'>, now = new Date()): Promise<SweepRun> {
    await mkdir(join(this.root, sweep.experiment), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const id = `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
      try {
        await mkdir(this.sweepDir(sweep.experiment, id));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10) continue;
        throw error;
      }
      const run: SweepRun = { ...sweep, id, createdAt: now.toISOString() };
      await this.writeSweep(run);
      return run;
    }
  }

  async writeSweep(sweep: SweepRun): Promise<void> {
    await writeJsonAtomic(join(this.sweepDir(sweep.experiment, sweep.id), 'sweep.json'), sweep);
  }

  async readSweep(experiment: string, sweepId: string): Promise<SweepRun> {
    return readJson<SweepRun>(join(this.sweepDir(experiment, sweepId), 'sweep.json'));
  }

  /** Find a sweep by id (or unique id prefix, or `experiment/id`) across experiments. */
  async findSweep(ref: string): Promise<SweepRun> {
    const sweeps = await this.listSweeps();
    const [exp, id] = ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [undefined, ref];
    const matched = sweeps.filter((s) => (exp === undefined || s.experiment === exp) && s.id.startsWith(id));
    const exact = matched.find((s) => s.id === id);
    if (exact) return exact;
    if (matched.length === 1) return matched[0] as SweepRun;
    throw new EcgError('RUN_NOT_FOUND', msg.sweepNotFound(ref, this.root));
  }

  async listSweeps(experiment?: string): Promise<SweepRun[]> {
    if (!existsSync(this.root)) return [];
    const experiments = experiment ? [experiment] : (await readdir(this.root)).filter((e) => !e.startsWith('.'));
    const out: SweepRun[] = [];
    for (const exp of experiments) {
      const dir = join(this.root, exp);
      if (!existsSync(dir) || !(await stat(dir)).isDirectory()) continue;
      for (const id of (await readdir(dir)).sort()) {
        const file = join(dir, id, 'sweep.json');
        if (existsSync(file)) out.push(await readJson<SweepRun>(file));
      }
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  async writeCell(cell: CellRun): Promise<void> {
    await writeJsonAtomic(join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'run.json'), cell);
  }

  async readCell(experiment: string, sweepId: string, cellId: string): Promise<CellRun | undefined> {
    const file = join(this.cellDir(experiment, sweepId, cellId), 'run.json');
    if (!existsSync(file)) return undefined;
    return readJson<CellRun>(file);
  }

  async writeCellConfig(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>, yaml: string): Promise<void> {
    await writeFileAtomic(join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'config.yaml'), yaml);
  }

  async appendMetrics(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const dir = this.cellDir(cell.experiment, cell.sweepId, cell.cellId);
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, 'metrics.jsonl'), points.map((p) => `${JSON.stringify(p)}\n`).join(''));
  }

  async readMetrics(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>): Promise<MetricPoint[]> {
    const file = join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'metrics.jsonl');
    if (!existsSync(file)) return [];
    const text = await readFile(file, 'utf8');
    // A line cut by a kill mid-write is the last one and has no newline: skip it.
    return text
      .split('\n')
      .filter((line, i, all) => line.length > 0 && (i < all.length - 1 || text.endsWith('\n')))
      .map((line) => JSON.parse(line) as MetricPoint);
  }

  /** Last value of each metric: what `runs` and reports show. */
  async latestMetrics(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const p of await this.readMetrics(cell)) out[p.name] = p.value;
    return out;
  }

  artifactsDir(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>): string {
    return join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'artifacts');
  }
}

async function readJson<T>(file: string): Promise<T> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new EcgError('RUN_STORE_CORRUPT', `${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}
