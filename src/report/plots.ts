/**
 * The plots a researcher would otherwise make by hand, as vega-lite specs
 * over a run set: learning curves per stage, SNR per lead and F1 per class
 * (bars per ablation setting, mean over seeds), and a metric against noise
 * level (lines per setting, ± std over seeds). Rendering is render-plot.ts.
 */
import { from, op } from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { CHALLENGE_CLASSES, LEADS } from '../core/ecg.js';
import { metricValue } from './cells-table.js';
import { NOISE_KEY, isSeedKey, coordText, type CellResult, type RunSet } from './run-set.js';

export interface PlotSpec {
  /** File-name stem: learning-curves-classifier2d, snr-per-lead, ... */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CURVE = /^([^/]+)\/(loss|val_.+|train_.+)$/;

/** Label of a cell's ablation setting: its coordinates except the seed (and except `omit`). */
export function settingLabel(cell: CellResult, omit: readonly string[] = []): string {
  const parts = Object.entries(cell.coords)
    .filter(([k]) => !isSeedKey(k) && !omit.includes(k))
    .map(([k, v]) => `${k.split('.').pop()}=${coordText(v)}`);
  return parts.join(', ') || 'all';
}

export async function learningCurvePlots(set: RunSet): Promise<PlotSpec[]> {
  const rows: { stage: string; metric: string; step: number; value: number; setting: string; cell: string }[] = [];
  for (const cell of set.cells.filter((c) => c.status !== 'missing')) {
    for (const [name, points] of Object.entries(await set.history(cell))) {
      const match = CURVE.exec(name);
      if (!match || name.startsWith('f1/') || name.startsWith('snr/')) continue;
      for (const p of points) rows.push({ stage: match[1] as string, metric: match[2] as string, step: p.step, value: p.value, setting: settingLabel(cell), cell: cell.cellId });
    }
  }
  const stages = [...new Set(rows.map((r) => r.stage))];
  return stages.map((stage) => ({
    name: `learning-curves-${stage}`,
    title: `Learning curves: ${stage}`,
    spec: {
      $schema: SCHEMA,
      title: `Learning curves: ${stage} (one line per cell)`,
      data: { values: rows.filter((r) => r.stage === stage) },
      facet: { column: { field: 'metric', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 260,
        height: 180,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: { field: 'setting', type: 'nominal', title: 'setting' },
          detail: { field: 'cell', type: 'nominal' },
        },
      },
    } as TopLevelSpec,
  }));
}

/** Mean over seeds of each metric per setting, as long rows {setting, name, value}. */
function meanBySetting(set: RunSet, metrics: readonly string[]): { setting: string; name: string; value: number }[] {
  const rows = set.cells.flatMap((cell) =>
    metrics.map((m) => ({ setting: settingLabel(cell), name: m, value: metricValue(cell, m) })).filter((r) => r.value !== null),
  );
  if (rows.length === 0) return [];
  return from(rows).groupby('setting', 'name').rollup({ value: op.mean('value') }).objects() as { setting: string; name: string; value: number }[];
}

function barsPlot(name: string, title: string, axis: string, yTitle: string, names: readonly string[], values: { setting: string; name: string; value: number }[]): PlotSpec {
  return {
    name,
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: { step: 12 },
      height: 220,
      data: { values: values.map((v) => ({ ...v, [axis]: v.name.slice(v.name.indexOf('/') + 1) })) },
      mark: 'bar',
      encoding: {
        x: { field: axis, type: 'nominal', sort: names as string[], title: axis },
        xOffset: { field: 'setting', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: yTitle },
        color: { field: 'setting', type: 'nominal', title: 'setting' },
        tooltip: [{ field: 'setting' }, { field: axis }, { field: 'value', format: '.3f' }],
      },
    } as TopLevelSpec,
  };
}

export function snrPerLeadPlot(set: RunSet): PlotSpec | undefined {
  const values = meanBySetting(set, LEADS.map((l) => `snr/${l}`));
  if (values.length === 0) return undefined;
  return barsPlot('snr-per-lead', 'SNR per lead (test split, mean over seeds)', 'lead', 'SNR (dB)', LEADS, values);
}

export function f1PerClassPlot(set: RunSet): PlotSpec | undefined {
  const values = meanBySetting(set, CHALLENGE_CLASSES.map((c) => `f1/${c}`));
  if (values.length === 0) return undefined;
  return barsPlot('f1-per-class', 'F1 per class (test split, mean over seeds)', 'class', 'F1', CHALLENGE_CLASSES, values);
}

/** One line per setting (its coordinates except noise and seed), mean ± std over seeds. */
export function metricVsNoisePlot(set: RunSet, metric: string, yTitle: string): PlotSpec | undefined {
  const rows = set.cells
    .map((cell) => ({ setting: settingLabel(cell, [NOISE_KEY]), noise: cell.coords[NOISE_KEY] ?? cell.params[NOISE_KEY], value: metricValue(cell, metric) }))
    .filter((r) => typeof r.noise === 'number' && r.value !== null);
  if (rows.length === 0 || new Set(rows.map((r) => r.noise)).size < 2) return undefined;
  const values = from(rows)
    .groupby('setting', 'noise')
    .rollup({ mean: op.mean('value'), std: op.stdev('value') })
    .derive({ lo: (d: { mean: number; std: number }) => d.mean - (d.std || 0), hi: (d: { mean: number; std: number }) => d.mean + (d.std || 0) })
    .objects();
  const x = { field: 'noise', type: 'quantitative', title: NOISE_KEY };
  return {
    name: `${metric.replace(/\W+/g, '-')}-vs-noise`,
    title: `${metric} against noise level`,
    spec: {
      $schema: SCHEMA,
      title: `${metric} against ${NOISE_KEY} (test split, mean ± std over seeds)`,
      width: 360,
      height: 220,
      data: { values },
      encoding: { x, color: { field: 'setting', type: 'nominal', title: 'setting' } },
      layer: [
        { mark: { type: 'errorband', opacity: 0.2 }, encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } } },
        { mark: { type: 'line', point: true }, encoding: { y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false } } } },
      ],
    } as TopLevelSpec,
  };
}

/** Every plot of a run set that has data, in report order. */
export async function allPlots(set: RunSet): Promise<PlotSpec[]> {
  const plots: (PlotSpec | undefined)[] = [
    metricVsNoisePlot(set, 'f1/macro', 'macro F1'),
    metricVsNoisePlot(set, 'snr/mean', 'mean SNR (dB)'),
    snrPerLeadPlot(set),
    f1PerClassPlot(set),
    ...(await learningCurvePlots(set)),
  ];
  return plots.filter((p): p is PlotSpec => p !== undefined);
}
