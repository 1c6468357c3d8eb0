/**
 * How a trained cell digitizes pages ecg-lab did not draw (issue 18):
 * ecg-image-kit's pages of 16 PTB-XL records in ../shared/reference/kit-pages
 * (clean PNGs and augmented JPEGs, 200 DPI, 3x4 + lead II rhythm strip),
 * read with the same inference path as `ecg-lab digitize` and scored with the
 * challenge SNR (src/metrics: September 2024 alignment) against the source
 * records, each reference lead masked to the samples the page plots (the
 * kit's JSON start_sample/end_sample per panel), as the Challenge scored its
 * pages. These pages are for evaluation only: nothing here trains on them.
 *
 *   node --import tsx bench/foreign-pages.ts --model <experiment>/<sweep>/<cell> [--runs runs] [--set clean,augmented]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backend/index.js';
import { LEADS, type Lead } from '../src/core/ecg.js';
import { silentLogger } from '../src/core/logger.js';
import { readEcgRecord } from '../src/data/wfdb-ecg.js';
import { inferImage } from '../src/inference/infer-image.js';
import { loadTrainedCell, readCellConfig, resolveCellRef } from '../src/inference/load-cell.js';
import { recordSnr, snrSummary } from '../src/metrics/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KIT = resolve(ROOT, '..', 'shared', 'reference', 'kit-pages');

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    runs: { type: 'string', default: process.env.ECG_LAB_RUNS ?? 'runs' },
    set: { type: 'string', default: 'clean,augmented' },
  },
});
if (!values.model) {
  console.error('usage: node --import tsx bench/foreign-pages.ts --model <experiment>/<sweep>/<cell> [--runs runs] [--set clean,augmented]');
  process.exit(2);
}

interface KitPage {
  readonly leads: readonly { lead_name: string; start_sample: number; end_sample: number }[];
}

/** The reference with every sample the page does not plot set to NaN (per lead: the union of its panels' ranges). */
function maskedReference(signals: readonly Float32Array[], page: KitPage): Float32Array[] {
  return LEADS.map((lead, l) => {
    const source = signals[l] as Float32Array;
    const out = new Float32Array(source.length).fill(Number.NaN);
    for (const panel of page.leads.filter((p) => p.lead_name === lead)) {
      for (let i = panel.start_sample; i < Math.min(panel.end_sample, source.length); i++) out[i] = source[i] as number;
    }
    return out;
  });
}

await selectBackend('auto', silentLogger);
const cellRef = await resolveCellRef(values.model, resolve(values.runs as string), process.cwd());
const config = await readCellConfig(cellRef);
const cell = await loadTrainedCell(cellRef, { digitize: true, classify: false, logger: silentLogger });
console.log(`cell ${cellRef.label}: render.noise ${config.render.noise}, trained on ${config.data.source}, ${config.render.dpi} DPI pages`);
try {
  for (const set of (values.set as string).split(',')) {
    const dir = join(KIT, set);
    const images = readdirSync(dir).filter((f) => /\.(png|jpg)$/.test(f)).sort();
    const perRecord: number[][] = [];
    const rows: string[] = [];
    for (const image of images) {
      const stem = image.replace(/\.(png|jpg)$/, '');
      const record = stem.replace(/-0$/, '');
      const page = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as KitPage;
      const reference = await readEcgRecord(join(KIT, 'ref', record));
      const result = await inferImage(cell, join(dir, image), { logger: silentLogger });
      if (result.fsHz !== reference.fsHz) throw new Error(`the cell digitizes at ${result.fsHz} Hz, the reference is at ${reference.fsHz} Hz`);
      const snr = recordSnr(maskedReference(reference.signals, page), result.signals ?? undefined, reference.fsHz);
      perRecord.push(snr);
      const finite = snr.filter(Number.isFinite);
      rows.push(`| ${record} | ${result.boxes} | ${result.deskewDeg.toFixed(2)} | ${(finite.reduce((s, v) => s + v, 0) / Math.max(1, finite.length)).toFixed(2)} |`);
    }
    const summary = snrSummary(perRecord);
    console.log(`\n### ecg-image-kit ${set} pages (${images.length}, ${dir})\n`);
    console.log('| record | lead boxes | deskew deg | mean SNR dB |\n| --- | --- | ---: | ---: |');
    for (const row of rows) console.log(row);
    console.log(`\n| ${LEADS.join(' | ')} | mean |\n|${LEADS.map(() => ' ---: |').join('')} ---: |`);
    console.log(`| ${LEADS.map((l: Lead) => summary.perLead[l].toFixed(2)).join(' | ')} | **${summary.mean.toFixed(2)}** |`);
    console.log(`\n(record, lead) pairs scored: ${summary.scoredPairs} of ${summary.pairs}`);
  }
} finally {
  cell.dispose();
}
