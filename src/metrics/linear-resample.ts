/**
 * Linear resampling of a digitized lead to the reference's sampling rate
 * (the challenge compares signals sample by sample on the reference's grid).
 */
import { EcgError } from '../core/errors.js';
import { metricsMessages } from '../core/messages.js';

/**
 * Output sample n sits at time n / toHz, read from the input at position
 * n fromHz / toHz by linear interpolation. The input covers length / fromHz
 * seconds, so over its final interval the last sample is held; past that the
 * output is NaN. A NaN neighbour gives NaN. Default length:
 * round(input length toHz / fromHz).
 */
export function resampleLinear(
  signal: ArrayLike<number>,
  fromHz: number,
  toHz: number,
  length = Math.round((signal.length * toHz) / fromHz),
): Float32Array {
  for (const [what, value] of [['fromHz', fromHz], ['toHz', toHz]] as const) {
    if (!(Number.isFinite(value) && value > 0)) throw new EcgError('METRIC_INVALID', metricsMessages.badSamplingRate(what, value));
  }
  const out = new Float32Array(length);
  const last = signal.length - 1;
  for (let n = 0; n < length; n++) {
    const x = (n * fromHz) / toHz;
    const i = Math.floor(x);
    const f = x - i;
    if (last < 0 || x >= signal.length) out[n] = NaN;
    else if (i >= last || f === 0) out[n] = signal[Math.min(i, last)] as number;
    else {
      const a = signal[i] as number;
      const b = signal[i + 1] as number;
      out[n] = a + f * (b - a);
    }
  }
  return out;
}
