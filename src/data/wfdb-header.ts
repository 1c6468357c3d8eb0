/**
 * WFDB header (.hea) text: parse into a typed header and format back.
 * Reference: WFDB header(5) man page. Accepted quirks seen in real files:
 * lower-case units (`/mv`), gain without baseline (baseline = ADC zero),
 * base time/date fields in other forms (`04-Jun-2020 15:11:55`, kept as text),
 * `#Age:` and `# Age:` alike, checksums written signed or unsigned.
 */
import { EcgError } from '../core/errors.js';
import { dataMessages as msg } from '../core/messages.js';

export interface WfdbSignalSpec {
  /** Signal file name relative to the header's folder. */
  readonly file: string;
  readonly format: number;
  readonly samplesPerFrame: number;
  readonly skew: number;
  /** Bytes before the first sample (e.g. 24 for the Challenge's .mat container). */
  readonly byteOffset: number;
  /** ADC units per physical unit. */
  readonly gain: number;
  readonly baseline: number;
  /** Units as written, e.g. `mV`, `mv`, `uV`. */
  readonly units: string;
  readonly adcResolution: number;
  readonly adcZero: number;
  readonly initialValue?: number;
  readonly checksum?: number;
  readonly blockSize: number;
  readonly description: string;
}

export interface WfdbHeader {
  readonly recordName: string;
  readonly fsHz: number;
  readonly counterFreq?: number;
  readonly nSamples?: number;
  /** Base time and date as written (not validated: real files use other forms). */
  readonly baseTime?: string;
  readonly baseDate?: string;
  readonly signals: readonly WfdbSignalSpec[];
  /** Comment lines without the leading `#` and one optional space, in file order. */
  readonly comments: readonly string[];
}

const DEFAULT_GAIN = 200;
const SIGNAL_FORMAT = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/;
const GAIN_FIELD = /^([-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)(?:\((-?\d+)\))?(?:\/(\S+))?$/;
const INTEGER = /^[-+]?\d+$/;

export function parseWfdbHeader(text: string, file: string): WfdbHeader {
  const comments: string[] = [];
  const content: { text: string; line: number }[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      comments.push(trimmed.slice(1).replace(/^ /, ''));
      continue;
    }
    content.push({ text: trimmed.replace(/\s+#.*$/, ''), line: i + 1 });
  }
  const first = content[0];
  if (first === undefined) throw malformed(file, 1, 'the header is empty: expected a record line such as `00001_lr 12 100 1000`');
  const record = parseRecordLine(first.text, file, first.line);
  const signalLines = content.slice(1);
  if (signalLines.length !== record.nSignals) {
    const at = signalLines[record.nSignals]?.line ?? signalLines.at(-1)?.line ?? first.line;
    throw malformed(file, at, msg.wfdbSignalCount(record.nSignals, signalLines.length));
  }
  const signals = signalLines.map(({ text: line, line: at }) => parseSignalLine(line, file, at));
  return { ...record.header, signals, comments };
}

function parseRecordLine(text: string, file: string, line: number) {
  const tokens = text.split(/\s+/);
  const [nameToken, nsigToken, fsToken, nsampToken, baseTime, ...rest] = tokens;
  if (nameToken === undefined || nsigToken === undefined || !/^\d+$/.test(nsigToken) || nameToken.includes('/')) {
    throw malformed(file, line, msg.wfdbRecordLine(text));
  }
  let fsHz = 250;
  let counterFreq: number | undefined;
  if (fsToken !== undefined) {
    const match = /^(\d*\.?\d+)(?:\/(\d*\.?\d+))?(?:\((.*)\))?$/.exec(fsToken);
    if (!match) throw malformed(file, line, msg.wfdbRecordLine(text));
    fsHz = Number(match[1]);
    if (match[2] !== undefined) counterFreq = Number(match[2]);
    if (!(fsHz > 0)) throw malformed(file, line, msg.wfdbRecordLine(text));
  }
  let nSamples: number | undefined;
  if (nsampToken !== undefined) {
    if (!/^\d+$/.test(nsampToken)) throw malformed(file, line, msg.wfdbRecordLine(text));
    nSamples = Number(nsampToken);
  }
  const baseDate = rest.length > 0 ? rest.join(' ') : undefined;
  const header = {
    recordName: nameToken,
    fsHz,
    ...(counterFreq !== undefined ? { counterFreq } : {}),
    ...(nSamples !== undefined ? { nSamples } : {}),
    ...(baseTime !== undefined ? { baseTime } : {}),
    ...(baseDate !== undefined ? { baseDate } : {}),
  };
  return { header, nSignals: Number(nsigToken) };
}

function parseSignalLine(text: string, file: string, line: number): WfdbSignalSpec {
  const tokens = text.split(/\s+/);
  const [signalFile, formatToken, gainToken, resToken, zeroToken, initToken, checksumToken, blockToken, ...descriptionTokens] = tokens;
  const fail = (): never => {
    throw malformed(file, line, msg.wfdbSignalLine(text));
  };
  if (signalFile === undefined || formatToken === undefined) return fail();
  const format = SIGNAL_FORMAT.exec(formatToken) ?? fail();
  const integers = [resToken, zeroToken, initToken, checksumToken, blockToken];
  if (integers.some((token) => token !== undefined && !INTEGER.test(token))) fail();
  let gain = DEFAULT_GAIN;
  let baseline: number | undefined;
  let units = 'mV';
  if (gainToken !== undefined) {
    const g = GAIN_FIELD.exec(gainToken) ?? fail();
    gain = Number(g[1]) === 0 ? DEFAULT_GAIN : Number(g[1]);
    if (g[2] !== undefined) baseline = Number(g[2]);
    if (g[3] !== undefined) units = g[3];
  }
  const formatNumber = Number(format[1]);
  const adcResolution = resToken !== undefined ? Number(resToken) : defaultResolution(formatNumber);
  const adcZero = zeroToken !== undefined ? Number(zeroToken) : 0;
  return {
    file: signalFile,
    format: formatNumber,
    samplesPerFrame: format[2] !== undefined ? Number(format[2]) : 1,
    skew: format[3] !== undefined ? Number(format[3]) : 0,
    byteOffset: format[4] !== undefined ? Number(format[4]) : 0,
    gain,
    baseline: baseline ?? adcZero,
    units,
    adcResolution,
    adcZero,
    ...(initToken !== undefined ? { initialValue: Number(initToken) } : {}),
    ...(checksumToken !== undefined ? { checksum: Number(checksumToken) } : {}),
    blockSize: blockToken !== undefined ? Number(blockToken) : 0,
    description: descriptionTokens.join(' '),
  };
}

function defaultResolution(format: number): number {
  if (format === 212) return 12;
  if (format === 80) return 8;
  return 16;
}

function malformed(file: string, line: number, detail: string): EcgError {
  return new EcgError('WFDB_MALFORMED', msg.wfdbHeaderLine(file, line, detail));
}

/** Header text in the form wfdb-python and the WFDB library write. */
export function formatWfdbHeader(header: WfdbHeader): string {
  const first = [header.recordName, String(header.signals.length), formatFs(header)];
  if (header.nSamples !== undefined) first.push(String(header.nSamples));
  if (header.nSamples !== undefined && header.baseTime !== undefined) first.push(header.baseTime);
  if (header.nSamples !== undefined && header.baseTime !== undefined && header.baseDate !== undefined) first.push(header.baseDate);
  const lines = [first.join(' ')];
  for (const s of header.signals) {
    let format = String(s.format);
    if (s.samplesPerFrame !== 1) format += `x${s.samplesPerFrame}`;
    if (s.skew !== 0) format += `:${s.skew}`;
    if (s.byteOffset !== 0) format += `+${s.byteOffset}`;
    const fields = [s.file, format, `${s.gain}(${s.baseline})/${s.units}`, String(s.adcResolution), String(s.adcZero)];
    fields.push(String(s.initialValue ?? 0), String(s.checksum ?? 0), String(s.blockSize), s.description);
    lines.push(fields.join(' '));
  }
  for (const comment of header.comments) lines.push(`# ${comment}`);
  return `${lines.join('\n')}\n`;
}

function formatFs(header: WfdbHeader): string {
  return header.counterFreq !== undefined ? `${header.fsHz}/${header.counterFreq}` : String(header.fsHz);
}

/**
 * `key: value` facts from comment lines (`Age: 56`, `#Sex: Female`,
 * `Labels: NORM, STTC`); keys as written, first occurrence wins.
 */
export function commentFields(comments: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const comment of comments) {
    const match = /^\s*([A-Za-z][\w ]*?)\s*:\s*(.*)$/.exec(comment);
    if (match && !fields.has(match[1] as string)) fields.set(match[1] as string, (match[2] as string).trim());
  }
  return fields;
}

/** Multiplier from the header's units to mV; undefined for units that are not a voltage. */
export function unitsToMv(units: string): number | undefined {
  const u = units.trim();
  if (/^mv$/i.test(u)) return 1;
  if (/^(uv|µv|μv)$/i.test(u)) return 1e-3;
  if (/^v$/i.test(u)) return 1e3;
  if (/^nv$/i.test(u)) return 1e-6;
  return undefined;
}
