/** Shared set-up of the training-stage tests: tiny experiments of the real stages, run in this process through the runner API. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { selectBackend } from '../../src/backend/index.js';
import { RunStore, type CellRun, type MetricPoint, type SweepRun } from '../../src/tracking/run-store.js';
import { createSweep, runCells, type RunnerOptions } from '../../src/train/runner.js';
import { planSweep } from '../../src/train/plan.js';
import { METHOD_STAGES } from '../../src/train/stages/index.js';
import { ROOT } from '../helpers/cli.js';

/** Tiny versions of the real models and a few epochs; 50 DPI pages of 16 synthetic records. */
export const TINY_ARGS = [
  'data.records=16',
  'render.dpi=50',
  'model.classifier2d.widths=[8,16]',
  'model.roi.widths=[4,8]',
  'model.denoiser.widths=[4,8]',
  'model.digitizer.widths=[8,8]',
  'model.classifier1d.widths=[8,16]',
  'train.patience=0',
  'train.classifier2d.epochs=3',
  'train.roi.epochs=2',
  'train.denoise.epochs=2',
  'train.digitizer.epochs=3',
  'train.classifier1d.epochs=3',
  'train.hierarchical.epochs=2',
  'train.hierarchical.learningRate=0.003',
];

export function tinyExperiment(name: string, body: string): { path: string; runs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-train-'));
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `defaults:\n  - data: synthetic\n  - render: clean\n  - model: small\n${body}`);
  return { path, runs: join(dir, 'runs') };
}

let backendLoaded: Promise<unknown> | undefined;

/** The native backend when it is set up, else wasm (as `auto` chooses). */
export function loadBackend(): Promise<unknown> {
  backendLoaded ??= selectBackend('auto', silentLogger);
  return backendLoaded;
}

export function runnerOptions(runs: string): RunnerOptions {
  return { store: new RunStore(runs), registry: METHOD_STAGES, logger: silentLogger, progress: silentProgress, prepareBackend: async () => ({}) };
}

export interface SweepResult {
  readonly sweep: SweepRun;
  readonly cells: CellRun[];
  readonly metrics: MetricPoint[][];
}

export async function runExperiment(path: string, runs: string, args: readonly string[]): Promise<SweepResult> {
  await loadBackend();
  const options = runnerOptions(runs);
  const plan = planSweep(path, args, join(ROOT, 'configs'));
  const created = await createSweep(plan, options);
  const sweep = await runCells(created, created.cells.map((c) => c.id), options);
  const cells = (await Promise.all(sweep.cells.map((c) => options.store.readCell(sweep.experiment, sweep.id, c.id)))) as CellRun[];
  const metrics = await Promise.all(cells.map((c) => options.store.readMetrics(c)));
  return { sweep, cells, metrics };
}

export function series(points: readonly MetricPoint[], name: string): number[] {
  return points.filter((p) => p.name === name).sort((a, b) => a.step - b.step).map((p) => p.value);
}

export function last(points: readonly MetricPoint[], name: string): number | undefined {
  return series(points, name).at(-1);
}

export function cacheEntry(runs: string, stage: string, key: string): string {
  return join(runs, '.cache', stage, key);
}
