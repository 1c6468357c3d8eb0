/**
 * The data stage's cache key sees the data: a label edited in one header (even
 * one that keeps the size and the mtime), a record deleted or a table row
 * changed gives a new key, the stage runs again and data.digest follows the
 * content.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import convict from 'convict';
import { SCHEMA, type Config } from '../../src/config/schema/index.js';
import { capturingLogger } from '../../src/core/logger.js';
import { generateSignalsToFolder } from '../../src/data/generate-folder.js';
import { dataFingerprint } from '../../src/data/fingerprint.js';
import { ptbxlFiles } from '../../src/data/ptbxl.js';
import { planSweep } from '../../src/train/plan.js';
import { createSweep, runCells } from '../../src/train/runner.js';
import type { CellRun } from '../../src/tracking/run-store.js';
import { ROOT } from '../helpers/cli.js';
import { runnerOptions, tinyExperiment } from '../train/helpers.js';
import { sharedDataOrSkip } from './shared-data.js';

function defaults(): Config {
  return convict(JSON.parse(JSON.stringify(SCHEMA, (key, value) => (key === 'format' ? undefined : value))) as convict.Schema<Config>, { args: [], env: {} }).getProperties();
}

/** A folder of 10 WFDB records with `# Labels:` lines, written by the project's writer. */
async function wfdbFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fingerprint-wfdb-'));
  await generateSignalsToFolder({ ...defaults(), seed: { data: 4, train: 4 } }, 10, dir, { logger: capturingLogger() });
  return dir;
}

/** Run an experiment of the data stage alone on `path`; the cell's data stage record and tags. */
async function runData(path: string, runs: string, experiment: string): Promise<CellRun> {
  const options = runnerOptions(runs);
  const plan = planSweep(experiment, ['data.source=wfdb-folder', `data.path=${path}`, 'data.records=0'], join(ROOT, 'configs'));
  const created = await createSweep(plan, options);
  const sweep = await runCells(created, created.cells.map((c) => c.id), options);
  const cell = (await options.store.readCell(sweep.experiment, sweep.id, sweep.cells[0]!.id)) as CellRun;
  assert.is(cell.status, 'finished', cell.error);
  return cell;
}

test('a label edited in one header (same size, mtime put back) gives a new data key, a re-run and a new data.digest', async () => {
  const folder = await wfdbFolder();
  const { path, runs } = tinyExperiment('data-only', 'stages: [data]\n');
  const first = await runData(folder, runs, path);
  const again = await runData(folder, runs, path);
  assert.is(again.stages['data']?.key, first.stages['data']?.key);
  assert.is(again.stages['data']?.cached, true, 'unchanged data comes from the cache');

  // A NORM record relabelled STTC: the same number of bytes; then the old mtime back, as `cp -p` or a checkout could leave it.
  const header = readdirSync(folder).filter((f) => f.endsWith('.hea')).map((f) => join(folder, f)).find((f) => /^# Labels: .*NORM/m.test(readFileSync(f, 'utf8')));
  assert.ok(header, 'a NORM record to relabel');
  const text = readFileSync(header, 'utf8');
  const before = statSync(header);
  writeFileSync(header, text.replace(/^(# Labels: .*)NORM/m, '$1STTC'));
  assert.is(statSync(header).size, before.size);
  utimesSync(header, before.atime, before.mtime);

  const relabelled = await runData(folder, runs, path);
  assert.is.not(relabelled.stages['data']?.key, first.stages['data']?.key, 'the key changed');
  assert.is(relabelled.stages['data']?.cached, false, 'the stage ran again');
  assert.ok(relabelled.tags['data.digest'], 'data.digest is set');
  assert.is.not(relabelled.tags['data.digest'], first.tags['data.digest'], 'data.digest follows the labels');
});

test('a deleted record gives a new data key, a re-run and a new data.digest', async () => {
  const folder = await wfdbFolder();
  const { path, runs } = tinyExperiment('data-only', 'stages: [data]\n');
  const first = await runData(folder, runs, path);
  rmSync(join(folder, 'syn-000007.hea'));
  rmSync(join(folder, 'syn-000007.dat'));
  const second = await runData(folder, runs, path);
  assert.is.not(second.stages['data']?.key, first.stages['data']?.key);
  assert.is(second.stages['data']?.cached, false);
  assert.is.not(second.tags['data.digest'], first.tags['data.digest']);
});

test('a signal file changed in place changes the fingerprint; synthetic data has none', async () => {
  const folder = await wfdbFolder();
  const data = { ...defaults().data, source: 'wfdb-folder' as const, path: folder, records: 0 };
  const before = dataFingerprint(data);
  assert.match(before ?? '', /^[0-9a-f]{64}$/);
  assert.is(dataFingerprint(data), before, 'the same files give the same fingerprint');
  const dat = join(folder, 'syn-000001.dat');
  const bytes = readFileSync(dat);
  bytes[100] = (bytes[100] as number) ^ 1;
  writeFileSync(dat, bytes);
  assert.is.not(dataFingerprint(data), before);
  assert.is(dataFingerprint({ ...defaults().data, source: 'synthetic' }), undefined);
});

test('ptbxl: the fingerprint covers the tables and exactly the chosen records, at the configured rate', () => {
  const shared = sharedDataOrSkip('ptbxl fingerprint');
  if (!shared) return;
  const dir = mkdtempSync(join(tmpdir(), 'fingerprint-ptbxl-'));
  cpSync(join(shared, 'ptb-xl'), dir, { recursive: true });
  const files = ptbxlFiles({ path: dir, plusPath: '', fsHz: 100, limit: 2 }).map((f) => f.slice(dir.length + 1));
  assert.equal(files, [
    'scp_statements.csv',
    'ptbxl_database_subset.csv',
    'records100/00000/00001_lr.hea',
    'records100/00000/00001_lr.dat',
    'records100/00000/00002_lr.hea',
    'records100/00000/00002_lr.dat',
  ]);
  const data = { ...defaults().data, source: 'ptbxl' as const, path: dir, records: 2 };
  const before = dataFingerprint(data);
  const table = join(dir, 'ptbxl_database_subset.csv');
  writeFileSync(table, readFileSync(table, 'utf8').replace("'NORM': 100.0", "'IMI': 100.0"));
  assert.is.not(dataFingerprint(data), before, 'a label changed in the table changes the fingerprint');
});

test.run();
