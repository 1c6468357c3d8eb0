/**
 * Change a signal's sampling rate between the rates ecg-lab uses (100, 250,
 * 257, 360, 500, 1000 Hz...). Down: windowed-sinc low-pass at 0.45 of the new
 * rate (Hann window, 2*8 taps per output period), then evaluation at the new
 * instants; up: the same kernel interpolates. Output length round(n * to / from).
 */
export function resampleSinc(signal: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (fromHz === toHz) return signal;
  const n = signal.length;
  const m = Math.round((n * toHz) / fromHz);
  const out = new Float32Array(m);
  const cutoff = (0.45 * Math.min(fromHz, toHz)) / fromHz;
  const halfWidth = Math.ceil(8 / (2 * cutoff));
  for (let j = 0; j < m; j++) {
    const center = (j * fromHz) / toHz;
    const lo = Math.max(0, Math.ceil(center - halfWidth));
    const hi = Math.min(n - 1, Math.floor(center + halfWidth));
    let sum = 0;
    let weight = 0;
    for (let k = lo; k <= hi; k++) {
      const x = k - center;
      const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
      const w = sinc * (0.5 + 0.5 * Math.cos((Math.PI * x) / halfWidth));
      sum += w * (signal[k] as number);
      weight += w;
    }
    out[j] = weight !== 0 ? sum / weight : 0;
  }
  return out;
}
