/**
 * WFDB signal file formats: frames of interleaved samples, decoded to and
 * encoded from plain Int32Array streams (sample k of signal s at k*nsig + s).
 *   16:  little-endian two's complement 16-bit; invalid sample -32768.
 *   212: two 12-bit samples in three bytes (low byte of the first, its high
 *        nibble and the second's in the middle byte, low byte of the second);
 *        invalid sample -2048.
 *   80:  8-bit offset binary (byte - 128); invalid sample -128.
 */
export const SUPPORTED_FORMATS = [16, 212, 80] as const;
export type WfdbFormat = (typeof SUPPORTED_FORMATS)[number];

export function isSupportedFormat(format: number): format is WfdbFormat {
  return (SUPPORTED_FORMATS as readonly number[]).includes(format);
}

/** Bytes that `count` samples take in `format`. */
export function byteLength(format: WfdbFormat, count: number): number {
  if (format === 16) return 2 * count;
  if (format === 212) return Math.ceil((3 * count) / 2);
  return count;
}

export function invalidSample(format: WfdbFormat): number {
  if (format === 16) return -32768;
  if (format === 212) return -2048;
  return -128;
}

/** The range of valid digital values of a format (the invalid marker excluded). */
export function digitalRange(format: WfdbFormat): [number, number] {
  if (format === 16) return [-32767, 32767];
  if (format === 212) return [-2047, 2047];
  return [-127, 127];
}

export function decodeSamples(format: WfdbFormat, bytes: Uint8Array, count: number): Int32Array {
  const out = new Int32Array(count);
  if (format === 16) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < count; k++) out[k] = view.getInt16(2 * k, true);
    return out;
  }
  if (format === 80) {
    for (let k = 0; k < count; k++) out[k] = (bytes[k] as number) - 128;
    return out;
  }
  for (let k = 0, b = 0; k < count; k += 2, b += 3) {
    const b0 = bytes[b] as number;
    const b1 = bytes[b + 1] as number;
    const first = ((b1 & 0x0f) << 8) | b0;
    out[k] = first > 2047 ? first - 4096 : first;
    if (k + 1 < count) {
      const second = ((b1 & 0xf0) << 4) | (bytes[b + 2] as number);
      out[k + 1] = second > 2047 ? second - 4096 : second;
    }
  }
  return out;
}

export function encodeSamples(format: WfdbFormat, samples: Int32Array): Uint8Array {
  const count = samples.length;
  const out = new Uint8Array(byteLength(format, count));
  if (format === 16) {
    const view = new DataView(out.buffer);
    for (let k = 0; k < count; k++) view.setInt16(2 * k, samples[k] as number, true);
    return out;
  }
  if (format === 80) {
    for (let k = 0; k < count; k++) out[k] = ((samples[k] as number) + 128) & 0xff;
    return out;
  }
  for (let k = 0, b = 0; k < count; k += 2, b += 3) {
    const first = (samples[k] as number) & 0xfff;
    out[b] = first & 0xff;
    if (k + 1 < count) {
      const second = (samples[k + 1] as number) & 0xfff;
      out[b + 1] = (first >> 8) | ((second >> 4) & 0xf0);
      out[b + 2] = second & 0xff;
    } else {
      out[b + 1] = first >> 8;
    }
  }
  return out;
}
