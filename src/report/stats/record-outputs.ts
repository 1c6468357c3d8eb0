/**
 * The per-record outputs a cell keeps so that its figures can be
 * bootstrapped later (record-bootstrap.ts), small and columnar, one CSV per
 * stage that scores:
 *
 *   <stage>/predictions.csv   (classifier2d, classifier1d, hierarchical: the
 *     stage that makes the cell's final prediction) one row per validation
 *     and test record: record, split, labels (the reference, `;`-joined,
 *     empty = unlabelled: left out of the score), predicted (the classes at
 *     or above their threshold), p/<class> (the probability, 6 decimals) and
 *     threshold/<class> (chosen on validation; the same on every row).
 *   <stage>/per-record-snr.csv (digitizer: before fine-tuning; hierarchical:
 *     the digitizer the cell ends with) one row per validation and test
 *     record: record, split, I ... V6 (dB, 4 decimals; empty = NaN, a pair
 *     the challenge drops).
 *
 * Writers and readers live together so the two cannot drift; the stages
 * write, reports read.
 */
import { readFile } from 'node:fs/promises';
import { fromCSV, toCSV, from } from 'arquero';
import { CHALLENGE_CLASSES, LEADS, isChallengeClass, type ChallengeClass } from '../../core/ecg.js';
import { EcgError } from '../../core/errors.js';
import { reportMessages as msg } from '../../core/messages.js';

export const PREDICTIONS_FILE = 'predictions.csv';
export const RECORD_SNR_FILE = 'per-record-snr.csv';

/** One record's classification as stored. */
export interface RecordPrediction {
  readonly record: string;
  readonly split: string;
  readonly labels: readonly ChallengeClass[];
  readonly predicted: readonly ChallengeClass[];
  /** In CHALLENGE_CLASSES order. */
  readonly probabilities: ArrayLike<number>;
}

export interface RecordPredictions {
  readonly rows: readonly RecordPrediction[];
  readonly thresholds: Readonly<Record<ChallengeClass, number>>;
}

/** One record's SNR per lead (LEADS order; NaN = dropped). */
export interface RecordSnr {
  readonly record: string;
  readonly split: string;
  readonly snr: readonly number[];
}

const LABEL_SEPARATOR = ';';

export function predictionsCsv(value: RecordPredictions): string {
  const rows = value.rows.map((r) => ({
    record: r.record,
    split: r.split,
    labels: r.labels.join(LABEL_SEPARATOR),
    predicted: r.predicted.join(LABEL_SEPARATOR),
    ...Object.fromEntries(CHALLENGE_CLASSES.map((c, k) => [`p/${c}`, (r.probabilities[k] as number).toFixed(6)])),
    ...Object.fromEntries(CHALLENGE_CLASSES.map((c) => [`threshold/${c}`, value.thresholds[c].toFixed(6)])),
  }));
  return rows.length === 0 ? `${['record', 'split', 'labels', 'predicted'].join(',')}\n` : `${toCSV(from(rows)).replace(/\n*$/, '')}\n`;
}

export function recordSnrCsv(rows: readonly RecordSnr[]): string {
  const cell = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '');
  return [['record', 'split', ...LEADS].join(','), ...rows.map((r) => [r.record, r.split, ...r.snr.map(cell)].join(','))].join('\n') + '\n';
}

function csvRows(text: string): { columns: string[]; rows: Record<string, string>[] } {
  const table = fromCSV(text, { autoType: false });
  const columns = table.columnNames();
  const rows = (table.objects() as Record<string, unknown>[])
    .map((row) => Object.fromEntries(columns.map((c) => [c, row[c] == null ? '' : String(row[c])])))
    .filter((row) => Object.values(row).some((v) => v !== ''));
  return { columns, rows };
}

function requireColumns(file: string, columns: readonly string[], needed: readonly string[]): void {
  const absent = needed.filter((c) => !columns.includes(c));
  if (absent.length > 0) throw new EcgError('REPORT_INVALID', msg.badRecordFile(file, `no column ${absent.join(', ')}`));
}

function labelsOf(file: string, text: string, line: number): ChallengeClass[] {
  const labels = text === '' ? [] : text.split(LABEL_SEPARATOR);
  for (const label of labels) if (!isChallengeClass(label)) throw new EcgError('REPORT_INVALID', msg.badRecordFile(file, `line ${line}: '${label}' is not one of ${CHALLENGE_CLASSES.join(', ')}`));
  return labels as ChallengeClass[];
}

function numberOf(file: string, text: string, line: number, column: string, emptyIsNaN: boolean): number {
  if (text === '' && emptyIsNaN) return Number.NaN;
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new EcgError('REPORT_INVALID', msg.badRecordFile(file, `line ${line}, ${column}: '${text}' is not a number`));
  return value;
}

export function parsePredictionsCsv(text: string, file: string): RecordPredictions {
  const { columns, rows } = csvRows(text);
  const probability = CHALLENGE_CLASSES.map((c) => `p/${c}`);
  const threshold = CHALLENGE_CLASSES.map((c) => `threshold/${c}`);
  requireColumns(file, columns, ['record', 'split', 'labels', 'predicted', ...(rows.length > 0 ? [...probability, ...threshold] : [])]);
  const first = rows[0];
  const thresholds = Object.fromEntries(CHALLENGE_CLASSES.map((c, k) => [c, first ? numberOf(file, first[threshold[k] as string] ?? '', 2, threshold[k] as string, false) : Number.NaN])) as Record<ChallengeClass, number>;
  return {
    thresholds,
    rows: rows.map((row, i) => ({
      record: row['record'] ?? '',
      split: row['split'] ?? '',
      labels: labelsOf(file, row['labels'] ?? '', i + 2),
      predicted: labelsOf(file, row['predicted'] ?? '', i + 2),
      probabilities: Float64Array.from(probability, (c) => numberOf(file, row[c] ?? '', i + 2, c, false)),
    })),
  };
}

export function parseRecordSnrCsv(text: string, file: string): RecordSnr[] {
  const { columns, rows } = csvRows(text);
  requireColumns(file, columns, ['record', 'split', ...LEADS]);
  return rows.map((row, i) => ({ record: row['record'] ?? '', split: row['split'] ?? '', snr: LEADS.map((lead) => numberOf(file, row[lead] ?? '', i + 2, lead, true)) }));
}

export async function readPredictions(path: string): Promise<RecordPredictions> {
  return parsePredictionsCsv(await readFile(path, 'utf8'), path);
}

export async function readRecordSnr(path: string): Promise<RecordSnr[]> {
  return parseRecordSnrCsv(await readFile(path, 'utf8'), path);
}
