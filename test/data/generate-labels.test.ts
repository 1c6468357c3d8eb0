/**
 * `generate signals`: a record with none of the 11 classes keeps an empty
 * `# Labels:` line (what the Challenge's prepare_ptbxl_data.py writes for
 * such a record; its helper_code takes a missing line for held-out data),
 * and every header reads back to the labels the generator drew.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import convict from 'convict';
import { SCHEMA, type Config } from '../../src/config/schema/index.js';
import { capturingLogger } from '../../src/core/logger.js';
import type { EcgRecord } from '../../src/core/ecg.js';
import { generateSignalsToFolder } from '../../src/data/generate-folder.js';
import { readEcgRecord } from '../../src/data/wfdb-ecg.js';

function defaults(): Config {
  return convict(JSON.parse(JSON.stringify(SCHEMA, (key, value) => (key === 'format' ? undefined : value))) as convict.Schema<Config>, { args: [], env: {} }).getProperties();
}

/** The Challenge 2024 helper_code's reading of a header's labels: (labels, has_labels). */
function challengeLabels(header: string): { labels: string[]; hasLabels: boolean } {
  const lines = header.split('\n').filter((l) => l.startsWith('# Labels:'));
  const labels = lines.flatMap((l) => l.slice('# Labels:'.length).split(',').map((s) => s.trim()).filter(Boolean));
  return { labels, hasLabels: lines.length > 0 };
}

test('records without a class keep an empty # Labels: line; all labels round-trip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-labels-'));
  const drawn: EcgRecord[] = [];
  await generateSignalsToFolder({ ...defaults(), seed: { data: 0, train: 0 } }, 30, dir, { logger: capturingLogger(), onRecord: (r) => drawn.push(r) });
  const empty = drawn.filter((r) => r.labels.length === 0);
  assert.ok(empty.length > 0 && empty.length < drawn.length, `seed 0 draws some records without a class (${empty.length} of ${drawn.length})`);
  for (const record of drawn) {
    const header = readFileSync(join(dir, `${record.name}.hea`), 'utf8');
    const read = challengeLabels(header);
    assert.ok(read.hasLabels, `${record.name}: the Challenge reader finds a Labels line`);
    assert.equal(read.labels, [...record.labels], record.name);
    assert.equal((await readEcgRecord(join(dir, record.name))).labels, record.labels, `${record.name} reads back`);
  }
  const header = readFileSync(join(dir, `${(empty[0] as EcgRecord).name}.hea`), 'utf8');
  assert.match(header, /^# Labels:\s*$/m);
});

test.run();
