/**
 * `ecg-lab snr <record.hea|dir ...> --reference <dir>`: the PhysioNet
 * Challenge 2024 digitization score (metrics/snr.ts: alignment within 0.5 s
 * and 1 mV, SNR per lead times the share of reference samples the output
 * covers) of digitized WFDB records, such as `ecg-lab digitize` writes,
 * against their source records: per record, per lead and the mean over
 * (record, lead) pairs. Each digitized record's reference is the record of
 * the same name in the reference folder (or the name before a trailing
 * `-<n>`, the Challenge's image numbering). `--mask <layout>` scores only
 * the samples a page of that layout plots (the Challenge's images show 2.5 s
 * of most leads on a 3x4 page), as the Challenge's references were.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { shownPath } from '../paths.js';
import { formatTable } from '../table.js';
import { LEADS, type EcgRecord } from '../../core/ecg.js';
import { EcgError, errorMessage } from '../../core/errors.js';
import { cliMessages, inferMessages as msg } from '../../core/messages.js';
import { LAYOUTS } from '../../config/schema/render.js';
import { readEcgRecord } from '../../data/wfdb-ecg.js';
import { resampleSinc } from '../../data/sinc-resample.js';
import { recordSnr, snrSummary } from '../../metrics/index.js';
import { layoutPage, panelSampleRange } from '../../page/layout.js';
import { normalizeRenderOptions } from '../../render/options.js';

type Mask = 'none' | (typeof LAYOUTS)[number];
const MASKS: readonly Mask[] = ['none', ...LAYOUTS];

/** The header paths named by the arguments: .hea files as given, every .hea file of a folder. */
async function headersOf(paths: readonly string[]): Promise<string[]> {
  const headers: string[] = [];
  for (const path of paths) {
    const found = await stat(path).catch(() => undefined);
    if (!found) throw new EcgError('USAGE', msg.recordPathMissing(path));
    if (!found.isDirectory()) {
      headers.push(path);
      continue;
    }
    const inDir = (await readdir(path)).filter((f) => f.endsWith('.hea')).sort();
    if (inDir.length === 0) throw new EcgError('USAGE', msg.noHeadersIn(path));
    headers.push(...inDir.map((f) => join(path, f)));
  }
  return headers;
}

/** The reference record for a digitized one: the same name, else the name before a trailing -<n>. */
function referenceOf(name: string, referenceDir: string): string {
  const tried = [...new Set([name, name.replace(/-\d+$/, '')])].map((n) => join(referenceDir, n));
  const found = tried.find((t) => existsSync(`${t}.hea`));
  if (!found) throw new EcgError('USAGE', msg.referenceMissing(name, tried));
  return found;
}

/**
 * The reference with the samples a page of `layout` (lead II as rhythm
 * strip) does not plot set to NaN: lead l keeps sample n where n / fs lies
 * in one of its panels' [start, end) on that page.
 */
function maskedToLayout(reference: EcgRecord, layout: Mask): Float32Array[] {
  if (layout === 'none') return reference.signals.map((s) => Float32Array.from(s));
  const { panels } = layoutPage(normalizeRenderOptions({ layout, rhythmLead: 'II' }));
  return reference.signals.map((signal, l) => {
    const out = new Float32Array(signal.length).fill(Number.NaN);
    for (const panel of panels.filter((p) => p.leadIndex === l)) {
      // The samples the renderer draws for the panel (render-page.ts uses the same range).
      const [from, to] = panelSampleRange(panel, reference.fsHz, signal.length);
      out.set(signal.subarray(from, to), from);
    }
    return out;
  });
}

const round = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'NaN');

export const snrCommand: Command = {
  name: 'snr',
  summary: "score digitized records against their source records: the Challenge's SNR per record, per lead and overall",
  usage: `ecg-lab snr <record.hea|dir ...> --reference <dir> [options]

  <record.hea|dir>    digitized WFDB records (their headers), or folders of them, such as
                      \`ecg-lab digitize --out\` writes
  --reference <dir>   the source records: for a digitized record <name>, <dir>/<name>.hea,
                      else the name before a trailing -<n> (the Challenge's <record>-0.png)
  --mask <layout>     score only the samples a page of this layout plots, lead II as the
                      rhythm strip, as the Challenge's references were: ${LAYOUTS.join(', ')};
                      none (default) scores every sample of the reference
  --json              print the scores as JSON

  The Challenge's scoring (September 2024): each lead aligned within 0.5 s and 1 mV,
  SNR = 10 log10(signal power / error power) over the samples both have, times the
  share of the reference's samples the output has; the mean is over (record, lead)
  pairs. An output at another sampling rate is resampled to the reference's.
  Exit code 1 when any record could not be scored; the others are still scored.`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['reference', 'mask'], flags: ['json'] });
    if (parsed.positionals.length === 0) throw new EcgError('USAGE', msg.noRecords());
    const referenceOption = parsed.options.get('reference');
    if (referenceOption === undefined) throw new EcgError('USAGE', msg.referenceOptionMissing());
    const mask = (parsed.options.get('mask') ?? 'none') as Mask;
    if (!MASKS.includes(mask)) throw new EcgError('USAGE', cliMessages.optionNotOneOf('mask', mask, MASKS));
    const referenceDir = resolve(io.cwd, referenceOption);
    const headers = await headersOf(parsed.positionals.map((p) => resolve(io.cwd, p)));
    const scored: { record: string; reference: string; snr: number[] }[] = [];
    let failed = 0;
    for (const header of headers) {
      const name = basename(header, '.hea');
      try {
        const referencePath = referenceOf(name, referenceDir);
        const [output, reference] = await Promise.all([readEcgRecord(header.replace(/\.hea$/, '')), readEcgRecord(referencePath)]);
        const signals = output.fsHz === reference.fsHz ? output.signals : output.signals.map((s) => resampleSinc(s, output.fsHz, reference.fsHz));
        scored.push({ record: shownPath(header, io.cwd), reference: shownPath(referencePath, io.cwd), snr: recordSnr(maskedToLayout(reference, mask), signals, reference.fsHz) });
      } catch (error) {
        failed++;
        io.logger.warn(msg.snrRecordFailed(name, errorMessage(error)));
      }
    }
    const summary = snrSummary(scored.map((s) => s.snr));
    if (parsed.flags.has('json')) {
      io.out(JSON.stringify({ mask, records: scored, perLead: summary.perLead, mean: summary.mean, pairsScored: summary.scoredPairs }, null, 2));
    } else {
      io.out(formatTable(['record', 'reference', 'mean SNR dB'], scored.map((s) => [s.record, s.reference, round(snrSummary([s.snr]).mean)])));
      io.out('');
      io.out(formatTable([...LEADS, 'mean'], [[...LEADS.map((lead) => round(summary.perLead[lead])), round(summary.mean)]]));
      io.out(`(record, lead) pairs scored: ${summary.scoredPairs}${mask === 'none' ? '' : `; references masked to a ${mask} page`}`);
    }
    if (failed > 0) io.logger.warn(msg.someRecordsFailed(failed, headers.length));
    return failed > 0 ? 1 : 0;
  },
};
