/**
 * The upper bound of the digitization pipeline itself: what the challenge
 * SNR would be if the digitizer were perfect, i.e. if every crop column got
 * the ground-truth row of the trace. Everything else is the real path: the
 * page is rendered as the render stage renders it, cut into lead crops with
 * the crop geometry of the config (digitizer.cropHeight rows, digitizer.columnsPerS
 * columns per second, columns on the samples), the rows become mV with the
 * crop's baseline and px/mV (models/digitizer.ts rowsToMillivolts), and the
 * leads are assembled on the record's sampling grid (models/leads/assemble-leads.ts)
 * and scored against the samples the page plots (metrics/snr.ts).
 *
 * So a crop geometry can be chosen before anything is trained: the bound says
 * how much SNR the geometry alone throws away (column resolution against the
 * sampling rate, row quantisation against the trace's px/mV), and the crop
 * size says what it costs the U-Nets. Lead crops come from the nominal layout
 * (digitizer.roi = false), so the bound is for pages without geometric
 * distortion (render.noise 0); the noise level can still be overridden.
 * Columns whose ground-truth row falls outside the crop (tall QRS) take the
 * crop's edge row, as a digitizer's soft-argmax would at best.
 *
 *   node --import tsx bench/gt-rows-bound.ts [--experiment challenge] [--records 16] [--geometry 48x100,96x250] [-- key=value ...]
 *
 * --geometry lists cropHeight x columnsPerS pairs to compare (default: the
 * experiment's own). Records are the experiment's data (synthetic by
 * default: data.records is set to --records).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend/index.js';
import { LEADS } from '../src/core/ecg.js';
import { silentLogger } from '../src/core/logger.js';
import { composer, readExperiment } from '../src/config/compose.js';
import { parseOverrides } from '../src/config/overrides.js';
import type { Config } from '../src/config/schema/index.js';
import { loadRecords } from '../src/data/load-records.js';
import { recordSnr, snrSummary } from '../src/metrics/index.js';
import { assembleLeads, columnsFor, cropRequest, rowsToMillivolts, type SeriesGroup } from '../src/models/index.js';
import type { LeadCrop } from '../src/page/lead-crop.js';
import { pageSeed, plottedSignals, renderPage, type PageGroundTruth } from '../src/render/index.js';
import { nominalPagePlacements, trainingCrops } from '../src/train/stages/page-truth.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    experiment: { type: 'string', default: 'challenge' },
    records: { type: 'string', default: '16' },
    geometry: { type: 'string' },
  },
});

/**
 * The ground-truth row of every column. A column without one inside the
 * crop lies either between drawn columns (the trace left the crop: the edge
 * nearer to its neighbour's row) or past the drawn samples (its neighbour's
 * row; those samples are not plotted, so not scored).
 */
function oracleRows(crop: LeadCrop, cropHeight: number): Float32Array {
  const rows = Float32Array.from(crop.targetRows ?? []);
  const mask = crop.targetMask ?? new Float32Array(rows.length);
  const valid = [...mask.keys()].filter((c) => (mask[c] as number) > 0);
  if (valid.length === 0) return rows.fill(crop.baselineRow);
  const firstValid = valid[0] as number;
  const lastValid = valid.at(-1) as number;
  for (let c = 0; c < rows.length; c++) {
    if ((mask[c] as number) > 0) continue;
    const nearest = valid.reduce((best, v) => (Math.abs(v - c) < Math.abs(best - c) ? v : best), firstValid);
    const row = rows[nearest] as number;
    rows[c] = c > firstValid && c < lastValid ? (row < cropHeight / 2 ? 0 : cropHeight - 1) : row;
  }
  return rows;
}

/** The 12 leads a perfect digitizer would output for this page at this geometry. */
function oracleLeads(crops: readonly LeadCrop[], gt: PageGroundTruth, cropHeight: number): Float32Array[] {
  const { fsHz, recordLength: length } = gt;
  const data = tf.tidy(() => {
    const byWidth = new Map<number, LeadCrop[]>();
    for (const crop of crops) byWidth.set(crop.columns, [...(byWidth.get(crop.columns) ?? []), crop]);
    const groups: SeriesGroup[] = [...byWidth.values()].map((group) => {
      const placements = group.map((c) => cropRequest(c, 0));
      const rows = tf.tensor2d(group.map((c) => Array.from(oracleRows(c, cropHeight))));
      const mv = rowsToMillivolts(rows, tf.tensor1d(placements.map((c) => c.baselineRow)), tf.tensor1d(placements.map((c) => c.pxPerMv)));
      return { series: mv, placements };
    });
    return assembleLeads(groups, { examples: 1, leads: LEADS.length, fsHz, length }).dataSync() as Float32Array;
  });
  return LEADS.map((_, lead) => Float32Array.from({ length }, (_, k) => data[k * LEADS.length + lead] as number));
}

const overrides = parseOverrides(positionals);
const experiment = readExperiment(`experiments/${values.experiment}.yaml`);
const compose = composer({ experiment, configsDir: 'configs', groupChoices: overrides.groupChoices });
const base = compose.compose({ ...overrides.values, 'data.records': Number(values.records) }, 'command line').config;
const geometries = (values.geometry ?? `${base.digitizer.cropHeight}x${base.digitizer.columnsPerS}`).split(',').map((g) => {
  const [h, c] = g.split('x').map(Number);
  if (!(Number.isInteger(h) && Number.isInteger(c) && (h as number) > 1 && (c as number) > 0)) throw new Error(`--geometry: '${g}' is not cropHeight x columnsPerS (e.g. 96x250)`);
  return { cropHeight: h as number, columnsPerS: c as number };
});

await selectBackend('auto', silentLogger);
const loaded = await loadRecords(base.data, base.seed.data, { logger: silentLogger });
const pages: PageGroundTruth[] = [];
const started = performance.now();
for (const record of loaded.records) pages.push((await renderPage(record, base.render, { seed: pageSeed(base.seed.data, record.name) })).groundTruth);
const first = pages[0];
console.log(
  `${values.experiment}: ${pages.length} ${base.data.source} records at ${base.data.fsHz} Hz, ${base.render.dpi} DPI ${base.render.paper} pages ` +
    `(${first?.width} x ${first?.height} px, ${first?.pxPerMv.toFixed(1)} px/mV, layout ${base.render.layout}), noise ${base.render.noise}; rendered in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);

console.log('| crop rows | columns per s | crop (panel) | crop (rhythm) | samples per column | bound: mean SNR dB | lowest lead |');
console.log('| ---: | ---: | --- | --- | ---: | ---: | --- |');
for (const geometry of geometries) {
  const config: Config = compose.compose(
    { ...overrides.values, 'data.records': Number(values.records), 'digitizer.cropHeight': geometry.cropHeight, 'digitizer.columnsPerS': geometry.columnsPerS },
    'command line',
  ).config;
  const widths = new Set<number>();
  const scores = pages.map((gt) => {
    const crops = trainingCrops(nominalPagePlacements(gt), gt, geometry.cropHeight, columnsFor(config), geometry.columnsPerS);
    for (const c of crops) widths.add(c.columns);
    return recordSnr(plottedSignals(gt), oracleLeads(crops, gt, geometry.cropHeight), gt.fsHz);
  });
  const summary = snrSummary(scores);
  const [panel, rhythm] = [...widths].sort((a, b) => a - b);
  const lowest = LEADS.map((lead) => [lead, summary.perLead[lead]] as const).sort((a, b) => a[1] - b[1])[0];
  console.log(
    `| ${geometry.cropHeight} | ${geometry.columnsPerS} | ${geometry.cropHeight} x ${panel} | ${rhythm ? `${geometry.cropHeight} x ${rhythm}` : '-'} | ` +
      `${(config.data.fsHz / geometry.columnsPerS).toFixed(2)} | ${summary.mean.toFixed(2)} | ${lowest?.[0]} ${lowest?.[1].toFixed(2)} |`,
  );
}
