/**
 * The PhysioNet Challenge 2024 digitization score, as its scoring code of
 * September 2024 computes it (helper_code.py `compute_snr` with its default
 * keep_nans=True, evaluate_model.py `evaluate_model`):
 *  1. align the output to the reference (align.ts), within 0.5 s and 1 mV;
 *  2. over the samples finite in both: SNR = 10 log10(mean x^2 / mean (x - y)^2);
 *  3. times alpha = (finite in both) / (finite in the reference);
 *  4. no common sample: 0 dB; perfect copy, all-zero reference (over the
 *     common samples) or a reference lead with no finite sample: NaN.
 * A missing record is an all-NaN output, hence 0 dB on every lead; the mean
 * over (record, lead) ignores NaN.
 */
import { LEADS, type Lead } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { metricsMessages } from '../core/messages.js';
import { estimateAlignment, NO_SHIFT, withinChallengeLimits, type Alignment } from './align.js';

export type LeadSignal = Float32Array | Float64Array;

/**
 * The challenge SNR of one lead, in dB. `output` is on the reference's grid
 * (same fs, mV, sample 0 at the same instant); samples past the reference's
 * end are ignored, missing ones count against alpha. Undefined output = missing.
 */
export function leadSnr(reference: LeadSignal, output: LeadSignal | undefined, fsHz: number): number {
  checkSamplingRate('fsHz', fsHz);
  if (output === undefined) return snrAfterAlignment(reference, EMPTY, NO_SHIFT);
  return snrAfterAlignment(reference, output, challengeAlignment(reference, output, fsHz));
}

/** The shift the challenge applies: the estimate when within its limits, otherwise none. */
export function challengeAlignment(reference: LeadSignal, output: LeadSignal, fsHz: number): Alignment {
  const estimate = estimateAlignment(reference, output);
  return estimate !== undefined && withinChallengeLimits(estimate, fsHz) ? estimate : NO_SHIFT;
}

/** Steps 2-4 for an output already shifted by `alignment` (y[n] = output[n + lag] - offset). */
export function snrAfterAlignment(reference: LeadSignal, output: ArrayLike<number>, alignment: Alignment): number {
  let finiteRef = 0;
  let common = 0;
  let signalSum = 0;
  let noiseSum = 0;
  for (let n = 0; n < reference.length; n++) {
    const x = reference[n] as number;
    if (!Number.isFinite(x)) continue;
    finiteRef++;
    const m = n + alignment.lagSamples;
    if (m < 0 || m >= output.length) continue;
    const raw = output[m] as number;
    if (!Number.isFinite(raw)) continue;
    const y = raw - alignment.offsetMv;
    common++;
    signalSum += x * x;
    noiseSum += (x - y) * (x - y);
  }
  const alpha = common / finiteRef;
  if (common === 0) return finiteRef > 0 ? 0 : NaN;
  const signalPower = signalSum / common;
  const noisePower = noiseSum / common;
  if (!(signalPower > 0 && noisePower > 0)) return NaN;
  return 10 * Math.log10(signalPower / noisePower) * alpha;
}

/**
 * SNR of the 12 leads of one record, in LEADS order. An undefined output is a
 * record the digitizer did not produce (0 dB on every lead with a finite
 * reference sample); an undefined lead inside an output is a missing lead.
 */
export function recordSnr(
  reference: readonly LeadSignal[],
  output: readonly (LeadSignal | undefined)[] | undefined,
  fsHz: number,
): number[] {
  checkLeadCount('reference', reference.length);
  if (output !== undefined) checkLeadCount('output', output.length);
  checkSamplingRate('fsHz', fsHz);
  return reference.map((lead, i) => leadSnr(lead, output?.[i], fsHz));
}

export interface SnrSummary {
  /** NaN-ignoring mean over every (record, lead) pair: the challenge's figure. */
  readonly mean: number;
  /** NaN-ignoring mean over records, per lead. */
  readonly perLead: Readonly<Record<Lead, number>>;
  /** (record, lead) pairs with a finite SNR, and all pairs. */
  readonly scoredPairs: number;
  readonly pairs: number;
}

/**
 * Summary of `recordSnr` results. The challenge reports NaN instead when no
 * record at all was digitized; here such a set scores 0, like each missing record.
 */
export function snrSummary(perRecord: readonly (readonly number[])[]): SnrSummary {
  let sum = 0;
  let scored = 0;
  const leadSum = new Float64Array(LEADS.length);
  const leadCount = new Float64Array(LEADS.length);
  perRecord.forEach((row, r) => {
    checkLeadCount(`SNR row of record ${r}`, row.length);
    row.forEach((value, i) => {
      if (Number.isNaN(value)) return;
      sum += value;
      scored++;
      leadSum[i]! += value;
      leadCount[i]! += 1;
    });
  });
  const perLead = Object.fromEntries(
    LEADS.map((lead, i) => [lead, (leadSum[i] as number) / (leadCount[i] as number)] as const),
  ) as Record<Lead, number>;
  return { mean: scored > 0 ? sum / scored : NaN, perLead, scoredPairs: scored, pairs: perRecord.length * LEADS.length };
}

/** Metric names as ecg-lab logs them: `snr/mean`, `snr/I` ... `snr/V6`. */
export function snrMetrics(summary: SnrSummary): Record<string, number> {
  const metrics: Record<string, number> = { 'snr/mean': summary.mean };
  for (const lead of LEADS) metrics[`snr/${lead}`] = summary.perLead[lead];
  return metrics;
}

const EMPTY = new Float64Array(0);

function checkLeadCount(what: string, count: number): void {
  if (count !== LEADS.length) {
    throw new EcgError('METRIC_INVALID', metricsMessages.leadCount(what, count, LEADS.length));
  }
}

function checkSamplingRate(what: string, fsHz: number): void {
  if (!(Number.isFinite(fsHz) && fsHz > 0)) {
    throw new EcgError('METRIC_INVALID', metricsMessages.badSamplingRate(what, fsHz));
  }
}
