/**
 * WFDB records: read a header and its signal files into digital and physical
 * (mV) samples, checked against everything the header promises (file size,
 * initial values, checksums modulo 65536); write records that wfdb-python
 * and this reader accept. Phases of a read: parse header -> group signals by
 * file -> check size -> decode -> check initial values and checksums -> scale.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EcgError } from '../core/errors.js';
import { dataMessages as msg } from '../core/messages.js';
import { fileDigestSync } from '../core/file-hash.js';
import { writeFileAtomic } from '../core/fs.js';
import { parseWfdbHeader, formatWfdbHeader, unitsToMv, type WfdbHeader, type WfdbSignalSpec } from './wfdb-header.js';
import {
  byteLength,
  decodeSamples,
  digitalRange,
  encodeSamples,
  invalidSample,
  isSupportedFormat,
  type WfdbFormat,
} from './wfdb-formats.js';

export interface WfdbRecord {
  readonly header: WfdbHeader;
  /** Path of the .hea file. */
  readonly headerPath: string;
  readonly nSamples: number;
  /** Digital samples per signal, in header order. */
  readonly digital: readonly Int32Array[];
  /** Physical samples per signal in mV (NaN where the digital value is the format's invalid marker). */
  readonly physical: readonly Float32Array[];
}

/** The .hea path of a record given as `dir/name`, `dir/name.hea` or `dir/name.dat`. */
export function headerPathOf(recordPath: string): string {
  return recordPath.replace(/\.(hea|dat|mat)$/, '') + '.hea';
}

/** Signal file paths by header path and header sha256: a header is parsed once per process while unchanged. */
const signalFilesSeen = new Map<string, string[]>();

/**
 * The files readWfdbRecord reads for a record: its header, then the signal
 * files the header names. A header that cannot be read or parsed gives only
 * itself; reading the record reports what is wrong with it.
 */
export function recordFiles(recordPath: string): string[] {
  const headerPath = headerPathOf(recordPath);
  try {
    const seenAs = `${headerPath}\0${fileDigestSync(headerPath).sha256}`;
    let signalFiles = signalFilesSeen.get(seenAs);
    if (signalFiles === undefined) {
      const header = parseWfdbHeader(readFileSync(headerPath, 'utf8'), headerPath);
      signalFiles = [...new Set(header.signals.map((s) => join(dirname(headerPath), s.file)))];
      signalFilesSeen.set(seenAs, signalFiles);
    }
    return [headerPath, ...signalFiles];
  } catch {
    return [headerPath];
  }
}

export async function readWfdbRecord(recordPath: string): Promise<WfdbRecord> {
  const headerPath = headerPathOf(recordPath);
  const text = await readText(headerPath);
  const header = parseWfdbHeader(text, headerPath);
  const groups = signalGroups(header, headerPath);
  const digital: Int32Array[] = new Array(header.signals.length);
  let nSamples = header.nSamples;
  for (const group of groups) {
    const datPath = join(dirname(headerPath), group.file);
    const bytes = await readBytes(datPath);
    const n = nSamples && nSamples > 0 ? nSamples : inferSampleCount(bytes.length, group, datPath);
    nSamples = n;
    checkSize(bytes.length, group, n, datPath, headerPath);
    const stream = decodeSamples(group.format, bytes.subarray(group.byteOffset), n * group.indices.length);
    for (const [j, index] of group.indices.entries()) {
      digital[index] = deinterleave(stream, j, group.indices.length, n);
    }
  }
  const physical = header.signals.map((spec, i) => {
    const samples = digital[i] as Int32Array;
    checkPromises(spec, samples, headerPath);
    return toPhysical(spec, samples);
  });
  return { header, headerPath, nSamples: nSamples ?? 0, digital, physical };
}

interface SignalGroup {
  readonly file: string;
  readonly format: WfdbFormat;
  readonly byteOffset: number;
  readonly indices: number[];
}

function signalGroups(header: WfdbHeader, headerPath: string): SignalGroup[] {
  const groups: SignalGroup[] = [];
  for (const [i, spec] of header.signals.entries()) {
    if (!isSupportedFormat(spec.format)) {
      throw new EcgError('WFDB_UNSUPPORTED', msg.wfdbUnsupportedFormat(headerPath, i + 2, spec.format));
    }
    if (spec.samplesPerFrame !== 1 || spec.skew !== 0) {
      throw new EcgError('WFDB_UNSUPPORTED', msg.wfdbUnsupportedLayout(headerPath, `signal ${i + 1}: samples per frame ${spec.samplesPerFrame}, skew ${spec.skew}`));
    }
    const last = groups.at(-1);
    if (last && last.file === spec.file) {
      if (last.format !== spec.format || last.byteOffset !== spec.byteOffset) {
        throw new EcgError('WFDB_UNSUPPORTED', msg.wfdbUnsupportedLayout(headerPath, `mixed formats or offsets in ${spec.file}`));
      }
      last.indices.push(i);
    } else {
      groups.push({ file: spec.file, format: spec.format, byteOffset: spec.byteOffset, indices: [i] });
    }
  }
  return groups;
}

function inferSampleCount(size: number, group: SignalGroup, datPath: string): number {
  const payload = size - group.byteOffset;
  const perFrame = group.indices.length;
  const n = group.format === 212 ? Math.floor((2 * payload) / 3 / perFrame) : Math.floor(payload / byteLength(group.format, perFrame));
  if (n <= 0) throw new EcgError('WFDB_MALFORMED', msg.wfdbDatSize(datPath, size, group.byteOffset + 1, 'no samples after the byte offset'));
  return n;
}

function checkSize(size: number, group: SignalGroup, n: number, datPath: string, headerPath: string): void {
  const expected = group.byteOffset + byteLength(group.format, n * group.indices.length);
  if (size === expected) return;
  const detail = `${n} samples x ${group.indices.length} signals in format ${group.format}${group.byteOffset ? ` after a ${group.byteOffset}-byte offset` : ''}, as ${basename(headerPath)} says`;
  throw new EcgError('WFDB_MALFORMED', msg.wfdbDatSize(datPath, size, expected, detail));
}

function deinterleave(stream: Int32Array, j: number, stride: number, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let k = 0, at = j; k < n; k++, at += stride) out[k] = stream[at] as number;
  return out;
}

function checkPromises(spec: WfdbSignalSpec, samples: Int32Array, headerPath: string): void {
  if (spec.initialValue !== undefined && samples.length > 0 && samples[0] !== spec.initialValue) {
    throw new EcgError('WFDB_MALFORMED', msg.wfdbInitialValue(headerPath, spec.description, spec.initialValue, samples[0] as number));
  }
  if (spec.checksum === undefined) return;
  const actual = checksum16(samples);
  if (actual !== mod65536(spec.checksum)) {
    throw new EcgError('WFDB_MALFORMED', msg.wfdbChecksum(headerPath, spec.description, mod65536(spec.checksum), actual));
  }
}

/** WFDB checksum: the sum of the digital samples modulo 65536, in [0, 65535]. */
export function checksum16(samples: Int32Array): number {
  let sum = 0;
  for (let k = 0; k < samples.length; k++) sum = (sum + (samples[k] as number)) & 0xffff;
  return sum;
}

function mod65536(value: number): number {
  return ((value % 65536) + 65536) % 65536;
}

function toPhysical(spec: WfdbSignalSpec, samples: Int32Array): Float32Array {
  const scale = (unitsToMv(spec.units) ?? 1) / spec.gain;
  const invalid = isSupportedFormat(spec.format) ? invalidSample(spec.format) : Number.NaN;
  const out = new Float32Array(samples.length);
  for (let k = 0; k < samples.length; k++) {
    const d = samples[k] as number;
    out[k] = d === invalid ? Number.NaN : (d - spec.baseline) * scale;
  }
  return out;
}

async function readText(path: string): Promise<string> {
  return (await readBytes(path)).toString();
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new EcgError('WFDB_MALFORMED', msg.wfdbMissingFile(path), { cause: error });
    throw error;
  }
}

export interface WfdbWriteInput {
  readonly name: string;
  readonly fsHz: number;
  /** Physical samples in mV, one array per signal, all the same length. */
  readonly signals: readonly Float32Array[];
  readonly leads: readonly string[];
  readonly comments?: readonly string[];
}

export interface WfdbWriteOptions {
  readonly format?: WfdbFormat;
  /** ADC units per mV; default 1000 for format 16, 200 for 212, 50 for 80. */
  readonly gain?: number;
}

export function defaultGain(format: WfdbFormat): number {
  if (format === 16) return 1000;
  if (format === 212) return 200;
  return 50;
}

/** Header and signal bytes of a record (one .dat, interleaved), without touching the disk. */
export function encodeWfdbRecord(input: WfdbWriteInput, options: WfdbWriteOptions = {}): { header: string; dat: Uint8Array } {
  const format = options.format ?? 16;
  const gain = options.gain ?? defaultGain(format);
  const nsig = input.signals.length;
  const n = input.signals[0]?.length ?? 0;
  const [lo, hi] = digitalRange(format);
  const stream = new Int32Array(n * nsig);
  const specs: WfdbSignalSpec[] = [];
  for (let s = 0; s < nsig; s++) {
    const signal = input.signals[s] as Float32Array;
    const lead = input.leads[s] ?? `signal${s}`;
    const digital = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const x = signal[k] as number;
      const d = Number.isNaN(x) ? invalidSample(format) : Math.round(x * gain);
      if (!Number.isNaN(x) && (d < lo || d > hi)) throw new EcgError('DATA_INVALID', msg.wfdbRange(input.name, lead, format, d));
      digital[k] = d;
      stream[k * nsig + s] = d;
    }
    const sum = checksum16(digital);
    specs.push({
      file: `${input.name}.dat`,
      format,
      samplesPerFrame: 1,
      skew: 0,
      byteOffset: 0,
      gain,
      baseline: 0,
      units: 'mV',
      adcResolution: format === 16 ? 16 : format === 212 ? 12 : 8,
      adcZero: 0,
      initialValue: n > 0 ? (digital[0] as number) : 0,
      checksum: sum > 32767 ? sum - 65536 : sum,
      blockSize: 0,
      description: lead,
    });
  }
  const header: WfdbHeader = { recordName: input.name, fsHz: input.fsHz, nSamples: n, signals: specs, comments: input.comments ?? [] };
  return { header: formatWfdbHeader(header), dat: encodeSamples(format, stream) };
}

/** Write `<dir>/<name>.hea` and `<dir>/<name>.dat` (each atomically); returns the header path. */
export async function writeWfdbRecord(dir: string, input: WfdbWriteInput, options: WfdbWriteOptions = {}): Promise<string> {
  const { header, dat } = encodeWfdbRecord(input, options);
  await writeFileAtomic(join(dir, `${input.name}.dat`), dat);
  const headerPath = join(dir, `${input.name}.hea`);
  await writeFileAtomic(headerPath, header);
  return headerPath;
}
