/**
 * `compare --expect FILE`: expected numbers (a paper's table, an earlier
 * release) beside the reproduced ones, each with a tolerance and a source,
 * judged PASS / FAIL / MISSING. The file (YAML; docs/reproducibility.md):
 *
 *   source: Dege, Rohr, Hoog Antink, CinC 2024   # default of every check
 *   data: the Challenge's hidden test set        # what the expected number was measured on
 *   checks:
 *     - arm: { model.hierarchy: true }           # config values the arm's cells have
 *       metric: f1/macro
 *       expected: 0.66
 *       tolerance: { abs: 0.1 }                  # and/or ci: k, or sd: k
 *       source: paper, abstract
 *
 * An arm (the cells that differ only in seeds) is checked when its cells
 * have every value the check names (swept or not); a check names a subset,
 * so it checks every arm that matches, one row each. The reproduced value
 * is the arm's mean over its seeds; it passes when
 *
 *   |mean - expected| <= abs + ci x (half-width of the 95% t interval) + sd x (sd over seeds)
 *
 * (terms absent count 0). A spread term needs two seeds: with one, the check
 * uses abs alone where it has one, else it is MISSING, as it is when no
 * finished cell of the arm has the metric. A file that names an unknown
 * metric or key, an arm that matches no cell, or a bad tolerance is refused
 * before anything is judged, naming the file, the check and what is allowed.
 */
import YAML from 'yaml';
import { CHALLENGE_CLASSES, LEADS } from '../../core/ecg.js';
import { EcgError } from '../../core/errors.js';
import { reportMessages as msg } from '../../core/messages.js';
import { closestNames } from '../../config/suggest.js';
import { coordsKey } from '../baseline.js';
import { metricValue } from '../cells-table.js';
import { coordText, coordValue, isSeedKey, type CellResult, type CoordValue, type RunSet } from '../run-set.js';
import { meanCi, type MeanCi } from './stats.js';
import { intervalText } from './stats-table.js';
import type { TextTable } from '../comparison.js';

export interface Tolerance {
  readonly abs?: number;
  /** Multiples of the half-width of the 95% t interval over seeds. */
  readonly ci?: number;
  /** Multiples of the standard deviation over seeds. */
  readonly sd?: number;
}

export interface ExpectCheck {
  /** Where it is in the file: `checks[2]`. */
  readonly where: string;
  readonly arm: Record<string, CoordValue>;
  readonly metric: string;
  readonly expected: number;
  readonly tolerance: Tolerance;
  readonly source: string;
  readonly data: string;
}

export interface ExpectFile {
  readonly file: string;
  readonly checks: readonly ExpectCheck[];
}

export type ExpectStatus = 'PASS' | 'FAIL' | 'MISSING';

export interface ExpectResult {
  readonly check: ExpectCheck;
  /** The matched arm's coordinates (every swept key but the seeds). */
  readonly coords: Record<string, CoordValue>;
  readonly reproduced: MeanCi;
  /** The largest |mean - expected| that passes; NaN when it cannot be computed. */
  readonly allowed: number;
  readonly status: ExpectStatus;
  readonly note: string;
}

export interface ExpectReport {
  readonly file: string;
  readonly results: readonly ExpectResult[];
}

const TOP_KEYS = ['source', 'data', 'checks'] as const;
const CHECK_KEYS = ['arm', 'metric', 'expected', 'tolerance', 'source', 'data'] as const;
const TOLERANCE_KEYS = ['abs', 'ci', 'sd'] as const;

/** The result metrics every cell may have, whichever runs are loaded. */
export const KNOWN_METRICS: readonly string[] = [
  'f1/macro',
  'f1/constant_macro',
  'snr/mean',
  ...LEADS.map((l) => `snr/${l}`),
  ...CHALLENGE_CLASSES.map((c) => `f1/${c}`),
  'digitizer/snr/mean',
  ...LEADS.map((l) => `digitizer/snr/${l}`),
];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(file: string, where: string, detail: string): never {
  throw new EcgError('USAGE', msg.badExpect(file, where, detail));
}

function unknownKeys(file: string, where: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) refuse(file, `${where}.${key}`, msg.notOneOf('key', allowed));
}

function parseTolerance(file: string, where: string, value: unknown): Tolerance {
  if (!isRecord(value)) refuse(file, where, msg.badTolerance());
  unknownKeys(file, where, value, TOLERANCE_KEYS);
  const out: Record<string, number> = {};
  for (const key of TOLERANCE_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) refuse(file, `${where}.${key}`, `${JSON.stringify(v)} is not a number >= 0`);
    out[key] = v;
  }
  if (Object.keys(out).length === 0) refuse(file, where, msg.badTolerance());
  return out;
}

function text(file: string, where: string, value: unknown, fallback: string | undefined): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') refuse(file, where, 'needs a text (where the number comes from)');
  return value;
}

/** Parse an expect file's text; its shape only (metrics and arms are checked against the runs by evaluateExpect). */
export function parseExpect(source: string, file: string): ExpectFile {
  let doc: unknown;
  try {
    doc = YAML.parse(source);
  } catch (error) {
    refuse(file, '(file)', (error as Error).message);
  }
  if (!isRecord(doc)) refuse(file, '(file)', `needs a mapping with ${TOP_KEYS.join(', ')}`);
  unknownKeys(file, '(file)', doc, TOP_KEYS);
  const defaultSource = doc['source'] === undefined ? undefined : text(file, 'source', doc['source'], undefined);
  const defaultData = doc['data'] === undefined ? undefined : text(file, 'data', doc['data'], undefined);
  const checks = doc['checks'];
  if (!Array.isArray(checks) || checks.length === 0) refuse(file, 'checks', 'needs a list of at least one check (arm, metric, expected, tolerance, source)');
  return {
    file,
    checks: checks.map((check, i): ExpectCheck => {
      const where = `checks[${i}]`;
      if (!isRecord(check)) refuse(file, where, `needs a mapping with ${CHECK_KEYS.join(', ')}`);
      unknownKeys(file, where, check, CHECK_KEYS);
      const arm = check['arm'] ?? {};
      if (!isRecord(arm)) refuse(file, `${where}.arm`, 'needs a mapping of config keys to values, e.g. { model.hierarchy: true, render.noise: 0 }');
      const metric = check['metric'];
      if (typeof metric !== 'string' || metric === '') refuse(file, `${where}.metric`, `needs a metric name, e.g. ${KNOWN_METRICS.slice(0, 3).join(', ')}`);
      const expected = check['expected'];
      if (typeof expected !== 'number' || !Number.isFinite(expected)) refuse(file, `${where}.expected`, `${JSON.stringify(expected)} is not a number`);
      return {
        where,
        arm: Object.fromEntries(Object.entries(arm).map(([k, v]) => [k, coordValue(v)])),
        metric,
        expected,
        tolerance: parseTolerance(file, `${where}.tolerance`, check['tolerance']),
        source: text(file, `${where}.source`, check['source'], defaultSource),
        data: check['data'] === undefined ? (defaultData ?? 'not stated') : text(file, `${where}.data`, check['data'], undefined),
      };
    }),
  };
}

/** A cell's value of a config key: its sweep coordinate, else its config. */
const valueOf = (cell: CellResult, key: string): CoordValue | undefined => (key in cell.coords ? cell.coords[key] : cell.params[key]);

function sameValue(a: CoordValue | undefined, b: CoordValue): boolean {
  if (a === undefined) return false;
  return coordText(a) === coordText(b);
}

/** Check every named key and metric against the runs, then judge each matched arm. */
export function evaluateExpect(expect: ExpectFile, set: RunSet): ExpectReport {
  const started = set.cells.filter((c) => c.status !== 'missing');
  const knownKeys = [...new Set([...set.sweptKeys, ...started.flatMap((c) => Object.keys(c.params))])];
  const logged = new Set(started.flatMap((c) => Object.keys(c.metrics)));
  const armKeys = set.sweptKeys.filter((k) => !isSeedKey(k));
  const results: ExpectResult[] = [];
  for (const check of expect.checks) {
    if (!KNOWN_METRICS.includes(check.metric) && !logged.has(check.metric)) {
      const near = closestNames(check.metric, [...KNOWN_METRICS, ...logged]);
      refuse(expect.file, `${check.where}.metric`, msg.unknownExpectMetric(check.metric, near, ['f1/macro', 'f1/<class>', 'snr/mean', 'snr/<lead>', 'digitizer/snr/mean']));
    }
    for (const key of Object.keys(check.arm)) {
      if (!knownKeys.includes(key)) refuse(expect.file, `${check.where}.arm.${key}`, msg.unknownArmKey(key, closestNames(key, knownKeys), set.sweptKeys));
    }
    const cells = set.cells.filter((c) => Object.entries(check.arm).every(([k, v]) => sameValue(valueOf(c, k), v)));
    if (cells.length === 0) {
      const seen = Object.keys(check.arm).map((k) => `${k}: ${[...new Set(started.map((c) => coordText(valueOf(c, k))))].join(', ')}`);
      refuse(expect.file, `${check.where}.arm`, msg.armMatchesNothing(check.arm, seen));
    }
    const arms = new Map<string, CellResult[]>();
    for (const cell of cells) {
      const key = coordsKey(cell.coords, armKeys);
      arms.set(key, [...(arms.get(key) ?? []), cell]);
    }
    for (const armCells of arms.values()) results.push(judge(check, armCells, armKeys));
  }
  return { file: expect.file, results };
}

function judge(check: ExpectCheck, cells: readonly CellResult[], armKeys: readonly string[]): ExpectResult {
  const coords = Object.fromEntries(armKeys.map((k) => [k, cells[0]?.coords[k] ?? null]));
  const values = cells.map((c) => metricValue(c, check.metric)).filter((v): v is number => v !== null);
  const reproduced = meanCi(values);
  const base = { check, coords, reproduced };
  if (values.length === 0) return { ...base, allowed: Number.NaN, status: 'MISSING', note: msg.expectNoValue(check.metric, cells.map((c) => c.status)) };
  const { abs, ci, sd } = check.tolerance;
  const spread = (ci ? ci * ((reproduced.high - reproduced.low) / 2) : 0) + (sd ? sd * reproduced.sd : 0);
  const needsSpread = (ci ?? 0) > 0 || (sd ?? 0) > 0;
  let allowed = (abs ?? 0) + spread;
  let note = '';
  if (needsSpread && reproduced.n < 2) {
    if (abs === undefined) return { ...base, allowed: Number.NaN, status: 'MISSING', note: msg.expectNeedsSeeds() };
    allowed = abs;
    note = msg.expectAbsOnly();
  }
  const status: ExpectStatus = Math.abs(reproduced.mean - check.expected) <= allowed + 1e-12 ? 'PASS' : 'FAIL';
  return { ...base, allowed, status, note };
}

/** The exit code of `compare --expect`: 0 every check passed, 1 one failed, 3 none failed but one could not be judged. */
export function expectExitCode(report: ExpectReport): number {
  if (report.results.some((r) => r.status === 'FAIL')) return 1;
  return report.results.some((r) => r.status === 'MISSING') ? 3 : 0;
}

export function expectTitle(report: ExpectReport): string {
  return `Expected numbers (${report.file}): PASS / FAIL / MISSING`;
}

function toleranceText(t: Tolerance): string {
  return [t.abs !== undefined ? `± ${t.abs}` : '', t.ci !== undefined ? `± ${t.ci} x CI half-width` : '', t.sd !== undefined ? `± ${t.sd} x sd` : ''].filter(Boolean).join(' + ');
}

const armText = (coords: Record<string, CoordValue>) => Object.entries(coords).map(([k, v]) => `${k}=${coordText(v)}`).join(', ') || '(all cells)';
const num = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** One row per check and matched arm. */
export function expectText(report: ExpectReport): TextTable {
  return {
    header: ['arm', 'metric', 'expected', 'tolerance', 'reproduced (mean [95% CI])', 'difference', 'allowed', 'status', 'source', 'expected on', 'note'],
    rows: report.results.map((r) => [
      armText(r.coords),
      r.check.metric,
      String(r.check.expected),
      toleranceText(r.check.tolerance),
      intervalText(r.reproduced),
      num(r.reproduced.mean - r.check.expected),
      num(r.allowed),
      r.status,
      r.check.source,
      r.check.data,
      r.note,
    ]),
  };
}

/** The checks as flat rows (CSV, JSON): the same columns as expectText, numbers as numbers. */
export function expectRows(report: ExpectReport): Record<string, CoordValue>[] {
  const value = (v: number) => (Number.isFinite(v) ? v : null);
  return report.results.map((r) => ({
    ...r.coords,
    check: r.check.where,
    metric: r.check.metric,
    expected: r.check.expected,
    tolerance_abs: r.check.tolerance.abs ?? null,
    tolerance_ci: r.check.tolerance.ci ?? null,
    tolerance_sd: r.check.tolerance.sd ?? null,
    n: r.reproduced.n,
    reproduced: value(r.reproduced.mean),
    ci_low: value(r.reproduced.low),
    ci_high: value(r.reproduced.high),
    difference: value(r.reproduced.mean - r.check.expected),
    allowed: value(r.allowed),
    status: r.status,
    source: r.check.source,
    expected_on: r.check.data,
    note: r.note,
  }));
}
