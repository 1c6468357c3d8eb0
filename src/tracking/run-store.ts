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
 * line. A line cut short (a full disk, a kill mid-write) is ended by the next
 * append, which starts on a new line, and readers skip it with a warning:
 * one torn line costs one point, not the store. Sweep ids are created with
 * an exclusive mkdir, so two sweeps started at the same moment in one runs/
 * folder get different folders.
 *
 * Nothing the store writes holds a credential: URIs lose their user-info and
 * secret-named keys and arguments read `***` (core/redact.ts).
 */
import { mkdir, open, readFile, readdir, stat, type FileHandle } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EcgError } from '../core/errors.js';
import { writeJsonAtomic, writeFileAtomic } from '../core/fs.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { runMessages as msg } from '../core/messages.js';
import { redactArgs, redactSecrets } from '../core/redact.js';

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
  /**
   * `run --no-cache` / `--force <stage>`: these stages of every cell are
   * built again, never taken from a cache entry made before `since` (an
   * entry this sweep built, in any process or on resume, is used).
   */
  rebuild?: { since: string; stages: string[] };
}

export interface MetricPoint {
  name: string;
  value: number;
  step: number;
  timestamp: number;
  stage?: string;
}

const NEWLINE = 0x0a;

export class RunStore {
  /** Lines already warned about, so a command that reads a cell twice warns once. */
  private readonly skippedLines = new Set<string>();

  /** `logger` gets the warnings of reads that skip something (a torn metrics line). */
  constructor(
    readonly root: string,
    private readonly logger: Logger = silentLogger,
  ) {}

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
      const run = storedSweep({ ...sweep, id, createdAt: now.toISOString() });
      await this.writeSweep(run);
      return run;
    }
  }

  async writeSweep(sweep: SweepRun): Promise<void> {
    await writeJsonAtomic(join(this.sweepDir(sweep.experiment, sweep.id), 'sweep.json'), storedSweep(sweep));
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
    await writeJsonAtomic(join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'run.json'), redactSecrets(cell));
  }

  async readCell(experiment: string, sweepId: string, cellId: string): Promise<CellRun | undefined> {
    const file = join(this.cellDir(experiment, sweepId, cellId), 'run.json');
    if (!existsSync(file)) return undefined;
    return readJson<CellRun>(file);
  }

  async writeCellConfig(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>, yaml: string): Promise<void> {
    await writeFileAtomic(join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'config.yaml'), yaml);
  }

  /**
   * One write with O_APPEND ('a+'), so concurrent writers never interleave
   * inside a line. When the file does not end in a newline (its last line was
   * cut), the write starts with one, so the new points are lines of their own.
   */
  async appendMetrics(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const dir = this.cellDir(cell.experiment, cell.sweepId, cell.cellId);
    await mkdir(dir, { recursive: true });
    const handle = await open(join(dir, 'metrics.jsonl'), 'a+');
    try {
      const lines = points.map((p) => `${JSON.stringify(p)}\n`).join('');
      await handle.write(`${(await endsInNewline(handle)) ? '' : '\n'}${lines}`);
    } finally {
      await handle.close();
    }
  }

  /**
   * The cell's metric points in order. A line that is not a point (cut short,
   * or garbled) is skipped with a warning naming the file and line; a last
   * line without its newline may still be being written and is left out
   * without one.
   */
  async readMetrics(cell: Pick<CellRun, 'experiment' | 'sweepId' | 'cellId'>): Promise<MetricPoint[]> {
    const file = join(this.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'metrics.jsonl');
    if (!existsSync(file)) return [];
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.pop(); // after the last newline: empty, or a line still being written
    const points: MetricPoint[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const point = parseMetricPoint(line);
      if (typeof point === 'string') this.warnSkipped(file, i + 1, point);
      else points.push(point);
    });
    return points;
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

  private warnSkipped(file: string, line: number, detail: string): void {
    const where = `${file}:${line}`;
    if (this.skippedLines.has(where)) return;
    this.skippedLines.add(where);
    this.logger.warn(msg.metricLineSkipped(file, line, detail));
  }
}

/** The sweep as stored: its arguments, cell coordinates and tags without credentials. */
function storedSweep(sweep: SweepRun): SweepRun {
  return { ...redactSecrets(sweep), args: redactArgs(sweep.args) };
}

async function endsInNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === NEWLINE;
}

/** A metric point, or why the line is not one. */
function parseMetricPoint(line: string): MetricPoint | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  const point = raw as Partial<MetricPoint> | null;
  if (point === null || typeof point !== 'object' || typeof point.name !== 'string') return 'no metric name';
  // JSON.stringify writes NaN and the infinities as null.
  if (typeof point.value !== 'number' && point.value !== null) return `metric '${point.name}' has no numeric value`;
  return point as MetricPoint;
}

async function readJson<T>(file: string): Promise<T> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new EcgError('RUN_STORE_CORRUPT', msg.jsonInvalid(file, (cause as Error).message), { cause });
  }
}
