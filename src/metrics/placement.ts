/**
 * Putting digitized leads on the reference's grid before scoring (the
 * challenge scores both on the reference's samples): a lead shown for only
 * part of the record (a 3x4 page shows 2.5 s of most leads) is placed into a
 * NaN-filled array of the full length, and the reference's samples that were
 * not plotted are set to NaN, so the SNR leaves them out.
 */
import { EcgError } from '../core/errors.js';
import { metricsMessages } from '../core/messages.js';

/** Where a lead was plotted on the page, on the record's time axis. */
export interface PlottedSpan {
  readonly startS: number;
  readonly durationS: number;
  readonly fsHz: number;
}

/** First sample and sample count of a span: round(startS fs), round(durationS fs). */
export function spanSamples(span: PlottedSpan): { start: number; count: number } {
  if (!(span.fsHz > 0 && Number.isFinite(span.fsHz)) || !(span.startS >= 0) || !(span.durationS >= 0)) {
    throw new EcgError(
      'METRIC_INVALID',
      metricsMessages.badSegment('plotted span', `startS ${span.startS}, durationS ${span.durationS}, fsHz ${span.fsHz}: need startS >= 0, durationS >= 0, fsHz > 0`),
    );
  }
  return { start: Math.round(span.startS * span.fsHz), count: Math.round(span.durationS * span.fsHz) };
}

/**
 * A full-length lead (`length` samples, NaN everywhere else) holding `segment`
 * from sample round(startS fs); samples past the end are dropped.
 */
export function placeSegment(segment: ArrayLike<number>, startS: number, fsHz: number, length: number): Float32Array {
  const { start } = spanSamples({ startS, durationS: 0, fsHz });
  const full = new Float32Array(length).fill(NaN);
  const count = Math.max(0, Math.min(segment.length, length - start));
  for (let i = 0; i < count; i++) full[start + i] = segment[i] as number;
  return full;
}

/** A copy of a reference lead with NaN outside the plotted span. */
export function keepPlotted(reference: ArrayLike<number>, span: PlottedSpan): Float32Array {
  const { start, count } = spanSamples(span);
  const kept = new Float32Array(reference.length).fill(NaN);
  const end = Math.min(reference.length, start + count);
  for (let i = start; i < end; i++) kept[i] = reference[i] as number;
  return kept;
}
