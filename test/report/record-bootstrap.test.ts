/**
 * The bootstrap over test records (compare --stats): the statistics against
 * the metrics' own definitions, the resampling against a straightforward
 * reimplementation (the same seeded draws, numpy's linear percentile) and a
 * hand value, and end to end on a fixture store whose cells carry
 * per-record files: per arm over its seeds, paired against the baseline on
 * the same records, a file that is not the cell's figure left out, cells on
 * different data never paired.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHALLENGE_CLASSES, LEADS, type ChallengeClass } from '../../src/core/ecg.js';
import { createRng } from '../../src/core/rng.js';
import { macroFMeasure } from '../../src/metrics/index.js';
import { buildComparison, loadLocalRuns } from '../../src/report/index.js';
import { macroF1Statistic, meanSnrStatistic, recordBootstrap } from '../../src/report/stats/record-bootstrap.js';
import { predictionsCsv, recordSnrCsv, type RecordSnr } from '../../src/report/stats/record-outputs.js';
import { bootstrapCi } from '../../src/report/stats/stats.js';
import { coordsKey } from '../../src/report/baseline.js';
import { RunStore } from '../../src/tracking/run-store.js';
import { cli } from '../helpers/cli.js';
import { buildFixtureStore, cellId } from './fixture-store.js';

const near = (actual: number | undefined, expected: number, tolerance: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

/** Random multi-label records: labels, and predictions that flip each label with probability `flip`. */
function labelled(records: number, flip: number, seed: number): { labels: ChallengeClass[][]; predicted: ChallengeClass[][] } {
  const rng = createRng(seed);
  // Every record has a label: unlabelled ones are left out of the score (tested in stages.test.ts).
  const labels = Array.from({ length: records }, () => {
    const l = CHALLENGE_CLASSES.filter((_, k) => rng.next() < (k < 3 ? 0.4 : 0.1));
    return l.length > 0 ? l : (['NORM'] as ChallengeClass[]);
  });
  const predicted = labels.map((l) => CHALLENGE_CLASSES.filter((c) => (rng.next() < flip ? !l.includes(c) : l.includes(c))));
  return { labels, predicted };
}

const matrix = (rows: readonly (readonly string[])[]) => Uint8Array.from(rows.flatMap((l) => CHALLENGE_CLASSES.map((c) => (l.includes(c) ? 1 : 0))));

/** numpy.percentile(x, 100 q) with its default linear interpolation. */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return (sorted[lo] as number) + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] as number) - (sorted[lo] as number));
}

/** The bootstrap written out plainly: per resample, one draw of n indices per key in first-seen order. */
function plainBootstrap(samples: { key: string; n: number; f: (i: number[]) => number }[], resamples: number, seed: string): { low: number; high: number } {
  const rng = createRng(seed);
  const keys = [...new Set(samples.map((s) => s.key))];
  const out: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const draws = new Map<string, number[]>();
    for (const key of keys) {
      const n = samples.find((s) => s.key === key)!.n;
      draws.set(key, Array.from({ length: n }, () => rng.int(0, n - 1)));
    }
    out.push(samples.reduce((sum, s) => sum + s.f(draws.get(s.key)!), 0) / samples.length);
  }
  return { low: percentile(out, 0.025), high: percentile(out, 0.975) };
}

test('macro F1 of a resample is the challenge metric on the resampled records; mean SNR ignores NaN pairs', () => {
  const { labels, predicted } = labelled(40, 0.25, 1);
  const stat = macroF1Statistic(matrix(labels), matrix(predicted));
  const all = Array.from({ length: 40 }, (_, i) => i);
  near(stat(all), macroFMeasure(labels, predicted).macro, 1e-12, 'all records');
  // A resample with repeats and without some classes scores only the classes in its reference.
  const picked = [3, 3, 7, 0, 12, 12, 12, 39];
  near(stat(picked), macroFMeasure(picked.map((i) => labels[i]!), picked.map((i) => predicted[i]!)).macro, 1e-12, 'a resample');
  const rows = [[1, NaN, 3], [NaN, NaN, NaN], [5, 6, 7]];
  near(meanSnrStatistic(rows)([0, 1, 2]), (1 + 3 + 5 + 6 + 7) / 5, 1e-12, 'NaN pairs dropped');
  near(meanSnrStatistic(rows)([0, 0, 2]), (1 + 3 + 1 + 3 + 5 + 6 + 7) / 7, 1e-12, 'a repeated record counts twice');
});

test('bootstrapCi is the plain resampling, unpaired and paired; a hand value', () => {
  const values = Array.from({ length: 25 }, (_, i) => Math.cos(i * 2.3) * 2 + i * 0.05);
  const other = values.map((v, i) => v - 0.3 + 0.2 * Math.sin(i));
  const mean = (xs: readonly number[]) => (idx: ArrayLike<number>) => Array.from(idx).reduce((s, i) => s + (xs[i] as number), 0) / idx.length;
  const plainMean = (xs: readonly number[]) => (idx: number[]) => idx.reduce((s, i) => s + (xs[i] as number), 0) / idx.length;
  const one = bootstrapCi([{ key: 'a', records: 25, value: mean(values) }], { resamples: 1000, seed: 's' });
  const plain = plainBootstrap([{ key: 'a', n: 25, f: plainMean(values) }], 1000, 's');
  near(one.low, plain.low, 1e-12, 'low');
  near(one.high, plain.high, 1e-12, 'high');
  near(one.estimate, values.reduce((s, v) => s + v, 0) / 25, 1e-12, 'estimate');
  // Paired: the same indices for both arms; unpaired (different keys): a draw each, in order.
  const paired = bootstrapCi([{ key: 'r', records: 25, value: (i) => mean(values)(i) - mean(other)(i) }], { resamples: 1000, seed: 'p' });
  const plainPaired = plainBootstrap([{ key: 'r', n: 25, f: (i) => plainMean(values)(i) - plainMean(other)(i) }], 1000, 'p');
  near(paired.low, plainPaired.low, 1e-12, 'paired low');
  near(paired.high, plainPaired.high, 1e-12, 'paired high');
  const two = bootstrapCi([{ key: 'x', records: 25, value: mean(values) }, { key: 'y', records: 25, value: mean(other) }], { resamples: 500, seed: 't' });
  const plainTwo = plainBootstrap([{ key: 'x', n: 25, f: plainMean(values) }, { key: 'y', n: 25, f: plainMean(other) }], 500, 't');
  near(two.low, plainTwo.low, 1e-12, 'two keys low');
  // The differences vary little record to record, so pairing narrows the interval a lot.
  const unpairedWidth = (() => {
    const a = bootstrapCi([{ key: 'x', records: 25, value: (i) => mean(values)(i) }, { key: 'y', records: 25, value: (i) => -mean(other)(i) }], { resamples: 1000, seed: 'u' });
    return 2 * (a.high - a.low);
  })();
  assert.ok(paired.high - paired.low < unpairedWidth / 3, `paired ${paired.high - paired.low} vs unpaired ${unpairedWidth}`);
  // Hand value: two records 0 and 1; a resample's mean is 0, 0.5 or 1 (1/4, 1/2, 1/4), so the 95% interval is [0, 1].
  const hand = bootstrapCi([{ key: 'h', records: 2, value: mean([0, 1]) }], { resamples: 2000, seed: 1 });
  assert.equal([hand.low, hand.estimate, hand.high], [0, 0.5, 1]);
  const constant = bootstrapCi([{ key: 'c', records: 5, value: mean([2, 2, 2, 2, 2]) }]);
  assert.equal([constant.low, constant.high], [2, 2]);
});

// End to end: hierarchy on/off x seeds 0, 1 on one data digest; the cells' figures are what their files say.
const root = mkdtempSync(join(tmpdir(), 'ecg-boot-'));
const runs = join(root, 'runs');
const RECORDS = 30;
const records = Array.from({ length: RECORDS }, (_, i) => `rec-${String(i).padStart(3, '0')}`);

function snrRows(seed: number, offset: number): RecordSnr[] {
  const rng = createRng(seed);
  return records.map((record) => ({ record, split: 'test', snr: LEADS.map(() => (rng.next() < 0.1 ? Number.NaN : rng.normal(8 + offset, 3))) }));
}

async function writeCellFiles(store: RunStore, sweepId: string, id: string, hierarchy: boolean, seed: number, options: { lie?: boolean; digest?: string } = {}): Promise<void> {
  const { labels, predicted } = labelled(RECORDS, hierarchy ? 0.12 : 0.3, 100 * seed + (hierarchy ? 1 : 0));
  const thresholds = Object.fromEntries(CHALLENGE_CLASSES.map((c) => [c, 0.5])) as Record<ChallengeClass, number>;
  const rows = records.map((record, i) => ({ record, split: 'test', labels: labels[i]!, predicted: predicted[i]!, probabilities: CHALLENGE_CLASSES.map((c) => (predicted[i]!.includes(c) ? 0.9 : 0.1)) }));
  const val = { record: 'val-000', split: 'val', labels: ['NORM' as ChallengeClass], predicted: [], probabilities: CHALLENGE_CLASSES.map(() => 0.2) };
  const snr = snrRows(7 + seed * 2 + (hierarchy ? 1 : 0), hierarchy ? 1 : 0);
  const run = (await store.readCell('paper-ablation', sweepId, id))!;
  const dir = join(store.artifactsDir(run), 'hierarchical');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'predictions.csv'), predictionsCsv({ rows: [val, ...rows], thresholds }));
  writeFileSync(join(dir, 'per-record-snr.csv'), recordSnrCsv(snr));
  const f1 = macroF1Statistic(matrix(labels), matrix(predicted))(records.map((_, i) => i));
  const finite = snr.flatMap((r) => r.snr.filter(Number.isFinite).map((v) => Number(v.toFixed(4))));
  const snrMean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const t = Date.parse('2025-01-02T00:00:00Z');
  await store.appendMetrics(run, [
    { name: 'f1/macro', value: options.lie ? f1 + 0.05 : f1, step: 1, timestamp: t, stage: 'hierarchical' },
    { name: 'snr/mean', value: snrMean, step: 1, timestamp: t, stage: 'hierarchical' },
  ]);
  if (options.digest) await store.writeCell({ ...run, tags: { ...run.tags, 'data.digest': options.digest } });
}

test('per arm over its seeds and paired against the baseline, as the plain resampling computes it', async () => {
  const fixture = await buildFixtureStore(runs, { roi: [true], noise: [0] });
  for (const h of [false, true]) for (const seed of [0, 1]) await writeCellFiles(fixture.store, fixture.sweepId, cellId(h, true, 0, seed), h, seed);
  const set = await loadLocalRuns(runs, ['paper-ablation']);
  const cmp = buildComparison(set, { baseline: { 'model.hierarchy': false }, stats: true });
  const report = cmp.stats!;
  const boot = await recordBootstrap(report, { resamples: 400 });
  assert.equal(boot.notes, []);
  const arm = (h: boolean) => report.arms.find((a) => a.coords['model.hierarchy'] === h)!;
  for (const h of [false, true]) {
    const cells = [...arm(h).cells].sort((a, b) => (a.cellId < b.cellId ? -1 : 1));
    const statOf = (c: (typeof cells)[number]) => {
      const seed = Number(c.coords['seed']);
      const { labels, predicted } = labelled(RECORDS, h ? 0.12 : 0.3, 100 * seed + (h ? 1 : 0));
      return (i: number[]) => macroF1Statistic(matrix(labels), matrix(predicted))(i);
    };
    const interval = boot.arms.find((x) => x.metric === 'f1/macro' && x.coords['model.hierarchy'] === h)!;
    assert.is(interval.cells, 2);
    assert.is(interval.records, 2 * RECORDS);
    // Same digest, same records: the two seeds' cells share one draw per resample.
    const plain = plainBootstrap(arm(h).cells.map((c) => ({ key: 'shared', n: RECORDS, f: statOf(cells.find((x) => x.cellId === c.cellId)!) })), 400, `${coordsKey(arm(h).coords, report.armKeys)}|f1/macro`);
    near(interval.interval?.low, plain.low, 1e-12, `h=${h} low`);
    near(interval.interval?.high, plain.high, 1e-12, `h=${h} high`);
    near(interval.interval?.estimate, arm(h).metrics['f1/macro']!.mean, 1e-9, `h=${h}: the estimate is the arm's mean`);
  }
  const difference = boot.differences[report.comparisons.findIndex((c) => c.metric === 'snr/mean')]!;
  assert.ok(difference.interval, difference.why);
  near(difference.interval!.estimate, report.comparisons.find((c) => c.metric === 'snr/mean')!.paired!.difference.mean, 1e-3, 'paired estimate');
  assert.ok(difference.interval!.low < difference.interval!.estimate && difference.interval!.estimate < difference.interval!.high);
});

test('a file that is not the cell\'s figure is left out; cells on different data are not paired; the CLI prints both', async () => {
  const store = new RunStore(runs);
  const sweepId = (await store.listSweeps('paper-ablation'))[0]!.id;
  await writeCellFiles(store, sweepId, cellId(false, true, 0, 0), false, 0, { lie: true, digest: 'other-data' });
  const set = await loadLocalRuns(runs, ['paper-ablation']);
  const report = buildComparison(set, { baseline: { 'model.hierarchy': false }, stats: true }).stats!;
  const boot = await recordBootstrap(report, { resamples: 200 });
  assert.ok(boot.notes.some((n) => n.includes('predictions.csv') && n.includes('left out')), boot.notes.join('\n'));
  const snrDifference = boot.differences[report.comparisons.findIndex((c) => c.metric === 'snr/mean')]!;
  assert.is(snrDifference.interval, null);
  assert.match(snrDifference.why ?? '', 'different records or data');
  const out = cli(['compare', 'paper-ablation', '--runs', runs, '--stats', '--baseline', 'model.hierarchy=false', '--bootstrap', '200', '--format', 'json']);
  assert.is(out.status, 0, out.stderr);
  const json = JSON.parse(out.stdout) as { stats: Record<string, unknown>[]; bootstrap: { resamples: number } };
  assert.is(json.bootstrap.resamples, 200);
  const on = json.stats.find((r) => r['model.hierarchy'] === true && r['metric'] === 'f1/macro')!;
  assert.ok(typeof on['boot_ci_low'] === 'number' && typeof on['boot_ci_high'] === 'number' && on['boot_records'] === 2 * RECORDS, JSON.stringify(on));
  const md = cli(['compare', 'paper-ablation', '--runs', runs, '--stats', '--baseline', 'model.hierarchy=false', '--bootstrap', '200']);
  assert.match(md.stdout, '[95% paired bootstrap over test records]');
  assert.match(md.stdout, 'different records or data');
});

test.run();
