/**
 * A small paper-ablation-like run store for report tests and notebooks:
 * model.hierarchy x digitizer.roi x render.noise x seed, with made-up but
 * structured figures (hierarchy and ROI help, noise hurts, seeds jitter),
 * learning curves per stage, one failed cell, one pair of missing cells
 * (never started) and a digitizer example page with traces.
 *
 *   node --import tsx test/report/fixture-store.ts <runs-dir>   writes it and prints the sweep id
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CHALLENGE_CLASSES, LEADS } from '../../src/core/ecg.js';
import { RunStore, type CellRun, type MetricPoint } from '../../src/tracking/run-store.js';

export const EXPERIMENT = 'paper-ablation';
export const DIGEST = 'a1b2c3d4e5f60718';
const T0 = Date.parse('2025-01-01T00:00:00Z');

export interface FixtureOptions {
  hierarchy?: boolean[];
  roi?: boolean[];
  noise?: number[];
  seeds?: number[];
  /** Cell ids that fail. */
  failed?: string[];
  /** Cell ids that never start (no run.json). */
  missing?: string[];
  /** Write the example page into the first cell's artifacts. */
  example?: boolean;
}

export interface Fixture {
  store: RunStore;
  sweepId: string;
  cellIds: string[];
}

/** Macro F1 and mean SNR of a cell: closed forms, so tests can compute expected values. */
export function fixtureF1(h: boolean, roi: boolean, noise: number, seed: number): number {
  return 0.5 + (h ? 0.1 : 0) + (roi ? 0.05 : 0) - 0.2 * noise + 0.01 * seed;
}
export function fixtureSnr(h: boolean, roi: boolean, noise: number, seed: number): number {
  return 8 + (h ? 0.5 : 0) + (roi ? 2 : 0) - 6 * noise + 0.2 * seed;
}

export function cellId(h: boolean, roi: boolean, noise: number, seed: number): string {
  return `h${h ? 1 : 0}-roi${roi ? 1 : 0}-n${noise}-s${seed}`;
}

export async function buildFixtureStore(root: string, options: FixtureOptions = {}): Promise<Fixture> {
  const hierarchy = options.hierarchy ?? [false, true];
  const rois = options.roi ?? [false, true];
  const noises = options.noise ?? [0, 0.5];
  const seeds = options.seeds ?? [0, 1];
  const store = new RunStore(root);
  const cells: { id: string; overrides: Record<string, unknown>; group: string; h: boolean; roi: boolean; noise: number; seed: number }[] = [];
  for (const h of hierarchy)
    for (const roi of rois)
      for (const noise of noises)
        for (const seed of seeds) {
          const overrides = { 'model.hierarchy': h, 'digitizer.roi': roi, 'render.noise': noise, seed };
          cells.push({ id: cellId(h, roi, noise, seed), overrides, group: `h${h ? 1 : 0}-roi${roi ? 1 : 0}-n${noise}`, h, roi, noise, seed });
        }
  const sweep = await store.createSweep(
    {
      experiment: EXPERIMENT,
      experimentPath: `experiments/${EXPERIMENT}.yaml`,
      status: 'finished',
      args: [],
      stages: ['data', 'render', 'classifier2d', 'digitizer', 'hierarchical'],
      cells: cells.map(({ id, overrides, group }) => ({ id, overrides, group })),
      tags: { 'git.commit': 'deadbeef' },
    },
    new Date(T0),
  );
  for (const [i, c] of cells.entries()) {
    if (options.missing?.includes(c.id)) continue;
    const failed = options.failed?.includes(c.id) ?? false;
    const run: CellRun = {
      id: `${sweep.id}/${c.id}`,
      experiment: EXPERIMENT,
      sweepId: sweep.id,
      cellId: c.id,
      overrides: c.overrides,
      group: c.group,
      status: failed ? 'failed' : 'finished',
      createdAt: new Date(T0).toISOString(),
      startedAt: new Date(T0 + 1000 * (i + 1)).toISOString(),
      endedAt: new Date(T0 + 1000 * (i + 1) + 500).toISOString(),
      params: { ...c.overrides, 'data.source': 'synthetic', 'digitizer.denoise': true, 'train.lr': 0.001 },
      tags: { 'data.source': 'synthetic', 'data.digest': DIGEST, 'git.commit': 'deadbeef', 'ecg-lab.overrides': JSON.stringify(c.overrides) },
      stages: {},
      ...(failed ? { error: 'stage digitizer failed: made up' } : {}),
    };
    await store.writeCell(run);
    await store.appendMetrics(run, metricPoints(c, failed, T0 + i * 1000));
    if (options.example && i === 0) await writeExample(store.artifactsDir(run));
  }
  return { store, sweepId: sweep.id, cellIds: cells.map((c) => c.id) };
}

function metricPoints(c: { h: boolean; roi: boolean; noise: number; seed: number }, failed: boolean, t: number): MetricPoint[] {
  const points: MetricPoint[] = [];
  const stages = c.h ? ['classifier2d', 'digitizer', 'hierarchical'] : ['classifier2d', 'digitizer'];
  for (const stage of stages) {
    for (let epoch = 0; epoch < 4; epoch++) {
      points.push({ name: `${stage}/loss`, value: 1 / (epoch + 1) + 0.1 * c.noise + 0.01 * c.seed, step: epoch, timestamp: t + epoch, stage });
      points.push({ name: `${stage}/val_f1`, value: 0.3 + 0.08 * epoch - 0.1 * c.noise, step: epoch, timestamp: t + epoch, stage });
    }
  }
  if (failed) return points.filter((p) => p.stage === 'classifier2d');
  const f1 = fixtureF1(c.h, c.roi, c.noise, c.seed);
  const snr = fixtureSnr(c.h, c.roi, c.noise, c.seed);
  points.push({ name: 'f1/macro', value: f1, step: 0, timestamp: t + 10, stage: 'hierarchical' });
  points.push({ name: 'snr/mean', value: snr, step: 0, timestamp: t + 10, stage: 'digitizer' });
  LEADS.forEach((lead, i) => points.push({ name: `snr/${lead}`, value: snr + (i - 5.5) * 0.2, step: 0, timestamp: t + 10, stage: 'digitizer' }));
  CHALLENGE_CLASSES.forEach((cls, i) => points.push({ name: `f1/${cls}`, value: Math.min(1, f1 + (i - 5) * 0.03), step: 0, timestamp: t + 10, stage: 'hierarchical' }));
  return points;
}

/** A 400x200 page with a grid and a sine trace, and the traces file docs/compare.md describes. */
async function writeExample(dir: string): Promise<void> {
  await mkdir(join(dir, 'digitizer'), { recursive: true });
  const grid = Array.from({ length: 21 }, (_, i) => `<line x1="${i * 20}" y1="0" x2="${i * 20}" y2="200" stroke="#f4a0a0"/>`).join('');
  const wave = (y0: number, phase: number) => Array.from({ length: 81 }, (_, i) => [i * 5, y0 + 20 * Math.sin(i / 6 + phase)] as [number, number]);
  const ink = (pts: [number, number][]) => `<polyline fill="none" stroke="#222" stroke-width="1.5" points="${pts.map((p) => p.join(',')).join(' ')}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200" fill="#fff8f0"/>${grid}${ink(wave(60, 0))}${ink(wave(150, 1))}</svg>`;
  await writeFile(join(dir, 'digitizer', 'example.png'), await sharp(Buffer.from(svg)).png().toBuffer());
  const traces = {
    version: 1,
    image: 'example.png',
    leads: [
      { lead: 'I', points: wave(62, 0.05), reference: wave(60, 0) },
      { lead: 'II', points: wave(148, 1.05), reference: wave(150, 1) },
    ],
  };
  await writeFile(join(dir, 'digitizer', 'example.json'), JSON.stringify(traces));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2];
  if (!root) throw new Error('usage: fixture-store.ts <runs-dir>');
  const fixture = await buildFixtureStore(root, { failed: [cellId(true, true, 0.5, 1)], missing: [cellId(false, true, 0.5, 0), cellId(false, true, 0.5, 1)], example: true });
  console.log(fixture.sweepId);
}
