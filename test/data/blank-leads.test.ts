/**
 * A record with a lead that holds nothing but WFDB's invalid marker (-32768 in
 * format 16, NaN once read) is left out of the data set with a warning naming
 * the record and the lead; a lead with only some invalid samples stays.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import convict from 'convict';
import { SCHEMA, type Config } from '../../src/config/schema/index.js';
import { LEADS } from '../../src/core/ecg.js';
import { isEcgError } from '../../src/core/errors.js';
import { capturingLogger } from '../../src/core/logger.js';
import { loadRecords } from '../../src/data/load-records.js';
import { generateRecord, syntheticOptions } from '../../src/data/synthetic/generator.js';
import { ecgRecordToWfdb } from '../../src/data/wfdb-ecg.js';
import { writeWfdbRecord } from '../../src/data/wfdb.js';

function dataConfig(path: string): Config['data'] {
  const defaults = convict(JSON.parse(JSON.stringify(SCHEMA, (key, value) => (key === 'format' ? undefined : value))) as convict.Schema<Config>, { args: [], env: {} }).getProperties();
  return { ...defaults.data, source: 'wfdb-folder', path, records: 0 };
}

/** Synthetic record i with the given leads replaced by NaN (from sample `from` on). */
async function writeRecord(dir: string, i: number, name: string, nanLeads: readonly number[], from = 0): Promise<string> {
  const record = generateRecord(i, syntheticOptions(dataConfig(dir), 1));
  const signals = record.signals.map((s, lead) => (nanLeads.includes(lead) ? s.map((v, k) => (k >= from ? Number.NaN : v)) : s));
  return writeWfdbRecord(dir, ecgRecordToWfdb({ ...record, name, signals }));
}

test('records with an all-invalid lead or all-invalid leads are left out, each with a warning; partly invalid leads stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blank-leads-'));
  await writeRecord(dir, 0, 'a_ok', []);
  const blankV3 = await writeRecord(dir, 1, 'b_blank_v3', [8]);
  await writeRecord(dir, 2, 'c_all_blank', LEADS.map((_, i) => i));
  await writeRecord(dir, 3, 'd_gap_in_ii', [1], 500);
  assert.match(readFileSync(blankV3, 'utf8'), / -32768 /, 'the writer stored the invalid marker as the initial value of V3');

  const logger = capturingLogger();
  const counts: number[] = [];
  let visited = 0;
  const { records } = await loadRecords(dataConfig(dir), 1, { logger, onCount: (n) => counts.push(n), onRecord: () => visited++ });
  assert.equal(records.map((r) => r.name), ['a_ok', 'd_gap_in_ii']);
  // The data stage's progress bar: the folder's record count before the first read (not 0), a tick per record kept.
  assert.equal(counts, [4]);
  assert.is(visited, 2);
  const gap = records[1]?.signals[1];
  assert.ok(gap && Number.isNaN(gap[700] as number) && Number.isFinite(gap[100] as number), 'the gap is NaN, the rest of lead II is kept');
  const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  assert.is(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /record b_blank_v3 .*lead V3 holds no valid sample/);
  assert.match(warnings[1] ?? '', /record c_all_blank .*no valid sample in any lead/);
});

test('a folder of blank records only is an error, not an empty data set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blank-leads-'));
  await writeRecord(dir, 0, 'only_blank', [0, 1]);
  const error = await loadRecords(dataConfig(dir), 1, { logger: capturingLogger() }).then(() => undefined, (e: unknown) => e);
  assert.ok(isEcgError(error, 'DATA_INVALID'), String(error));
});

test.run();
