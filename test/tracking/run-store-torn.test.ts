/**
 * One torn line in metrics.jsonl (a full disk, a kill mid-write) costs that
 * point only: the next append starts on a new line, readers skip the bad
 * line with a warning naming file and line, and `runs` and `compare` still
 * work on the store.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturingLogger } from '../../src/core/logger.js';
import { RunStore, type MetricPoint } from '../../src/tracking/run-store.js';
import { cli } from '../helpers/cli.js';
import { buildFixtureStore, EXPERIMENT } from '../report/fixture-store.js';

const CELL = { experiment: 'e', sweepId: 's', cellId: 'c00' };

function point(name: string, value: number, step = 0): MetricPoint {
  return { name, value, step, timestamp: 1_700_000_000_000 + step, stage: 'train' };
}

function metricsFile(store: RunStore, cell: typeof CELL): string {
  return join(store.cellDir(cell.experiment, cell.sweepId, cell.cellId), 'metrics.jsonl');
}

/** A line cut short: the first half of a point's JSON, no newline. */
function tear(file: string): void {
  const whole = JSON.stringify(point('loss', 0.123456789, 9));
  appendFileSync(file, whole.slice(0, Math.floor(whole.length / 2)));
}

test('an append after a torn last line starts on a new line; the reader skips the torn one and names file:line', async () => {
  const logger = capturingLogger();
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'ecg-torn-')), logger);
  await store.appendMetrics(CELL, [point('loss', 1, 0), point('loss', 0.5, 1)]);
  const file = metricsFile(store, CELL);
  tear(file);
  await store.appendMetrics(CELL, [point('loss', 0.25, 2), point('f1/macro', 0.7)]);

  const lines = readFileSync(file, 'utf8').split('\n');
  assert.is(lines.length, 6, 'two points, the torn line, two points, and the empty string after the last newline');
  assert.equal(JSON.parse(lines[3] as string), point('loss', 0.25, 2), 'the new point is a line of its own');

  const points = await store.readMetrics(CELL);
  assert.equal(points.map((p) => [p.name, p.value]), [['loss', 1], ['loss', 0.5], ['loss', 0.25], ['f1/macro', 0.7]]);
  assert.equal(await store.latestMetrics(CELL), { loss: 0.25, 'f1/macro': 0.7 });
  const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  assert.is(warnings.length, 1, `one warning for the one bad line, however often it is read: ${JSON.stringify(warnings)}`);
  assert.ok(warnings[0]?.includes(`${file}:3`), warnings[0]);
});

test('a last line still without its newline is left out without a warning (it may be being written)', async () => {
  const logger = capturingLogger();
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'ecg-torn-')), logger);
  await store.appendMetrics(CELL, [point('loss', 1, 0)]);
  tear(metricsFile(store, CELL));
  assert.equal((await store.readMetrics(CELL)).map((p) => p.value), [1]);
  assert.equal(logger.lines, []);
});

test('a line that is JSON but not a point is skipped with its line number', async () => {
  const logger = capturingLogger();
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'ecg-torn-')), logger);
  await store.appendMetrics(CELL, [point('loss', 1, 0)]);
  appendFileSync(metricsFile(store, CELL), '{"value":2}\n');
  await store.appendMetrics(CELL, [point('loss', 3, 1)]);
  assert.equal((await store.readMetrics(CELL)).map((p) => p.value), [1, 3]);
  assert.ok(logger.lines[0]?.message.includes(`${metricsFile(store, CELL)}:2`), JSON.stringify(logger.lines));
});

test('concurrent appends keep every point whole on its own line', async () => {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'ecg-torn-')));
  await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendMetrics(CELL, [point('loss', i, i), point('acc', i, i)])));
  const points = await store.readMetrics(CELL);
  assert.is(points.length, 80);
  assert.equal(points.filter((p) => p.name === 'loss').map((p) => p.step).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
});

test('`ecg-lab runs` and `ecg-lab compare` on a store with a torn line exit 0, show the good points and print the warning', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ecg-torn-cli-'));
  const fixture = await buildFixtureStore(root);
  const cell = { experiment: EXPERIMENT, sweepId: fixture.sweepId, cellId: fixture.cellIds[0] as string };
  const file = metricsFile(fixture.store, cell);
  const tornLine = readFileSync(file, 'utf8').split('\n').length;
  tear(file);
  await fixture.store.appendMetrics(cell, [{ ...point('f1/macro', 0.987), stage: 'hierarchical' }]);

  const runs = cli(['runs', '--runs', root]);
  assert.is(runs.status, 0, runs.stderr);
  assert.ok(runs.stderr.includes(`warning: ${file}:${tornLine} `), runs.stderr);
  const row = runs.stdout.split('\n').find((l) => l.includes(cell.cellId));
  assert.ok(row?.includes('0.987'), `the point appended after the torn line is the cell's f1/macro: ${row}`);

  const compare = cli(['compare', EXPERIMENT, '--runs', root, '--format', 'csv']);
  assert.is(compare.status, 0, compare.stderr);
  assert.ok(compare.stderr.includes(`warning: ${file}:${tornLine} `), compare.stderr);
  assert.ok(compare.stdout.includes('0.987'), compare.stdout);
});

test.run();
