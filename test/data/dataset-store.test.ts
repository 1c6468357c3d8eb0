import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import convict from 'convict';
import { SCHEMA, type Config } from '../../src/config/schema/index.js';
import { dataStage } from '../../src/train/stages/data.js';
import type { StageContext } from '../../src/train/stage.js';
import { openDataset, readDataset, readManifest, type DataManifest } from '../../src/data/dataset-store.js';
import { eachRecord, READ_WINDOW } from '../../src/data/record-source.js';
import { findHeaders } from '../../src/data/wfdb-folder.js';
import { generateSignalsToFolder } from '../../src/data/generate-folder.js';
import { loadWfdbFolder } from '../../src/data/wfdb-folder.js';
import { generateRecord, syntheticOptions } from '../../src/data/synthetic/generator.js';
import { capturingLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';

/** Schema defaults (no config files), with a few data keys set. */
function config(data: Partial<Config['data']> = {}, seed = 3): Config {
  const defaults = convict(JSON.parse(JSON.stringify(SCHEMA, (key, value) => (key === 'format' ? undefined : value))) as convict.Schema<Config>, { args: [], env: {} }).getProperties();
  return { ...defaults, seed: { data: seed, train: seed }, data: { ...defaults.data, ...data } };
}

let lastStageDir: string | undefined;

async function runStage(cfg: Config): Promise<{ dir: string; manifest: DataManifest; metrics: Record<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'data-stage-'));
  lastStageDir = dir;
  const metrics: Record<string, number> = {};
  const tags: Record<string, string> = {};
  const ctx = {
    config: cfg,
    outDir: dir,
    inputs: {},
    logger: capturingLogger(),
    progress: silentProgress,
    metrics: { log: (name: string, value: number) => void (metrics[name] = value) },
    artifacts: { add: async () => {} },
    tags: { set: (name: string, value: string) => void (tags[name] = value) },
    signal: new AbortController().signal,
    backend: {},
  } as unknown as StageContext;
  const manifest = await dataStage.run(ctx);
  if (tags['data.digest'] !== manifest.digest) throw new Error(`data.digest tag ${tags['data.digest']} differs from the manifest's digest`);
  return { dir, manifest, metrics };
}

test('data stage: synthetic records split, stored, read back sample for sample; digest reproducible', async () => {
  const cfg = config({ records: 40 });
  const { dir, manifest, metrics } = await runStage(cfg);
  assert.equal((await readdir(dir)).sort(), ['manifest.json', 'signals.f32']);
  assert.equal(await readManifest(dir), manifest);
  assert.is(manifest.records.length, 40);
  assert.is(manifest.counts.train + manifest.counts.val + manifest.counts.test, 40);
  assert.is(manifest.counts.test, 8);
  assert.is(metrics['data/test'], 8);
  const splits = await readDataset({ dir, manifest });
  const options = syntheticOptions(cfg.data, cfg.seed.data);
  for (const record of [...splits.train, ...splits.val, ...splits.test]) {
    const fresh = generateRecord(Number(record.name.slice(4)), options);
    assert.equal(record.labels, fresh.labels);
    for (let s = 0; s < 12; s++) assert.equal(Array.from(record.signals[s]!), Array.from(fresh.signals[s]!));
  }
  const again = await runStage(cfg);
  assert.is(again.manifest.digest, manifest.digest);
  const other = await runStage(config({ records: 40 }, 4));
  assert.is.not(other.manifest.digest, manifest.digest);
});

test('data stage declares its config keys (every data.* leaf of the schema and the seed) and reads nothing', () => {
  const leaves = (tree: object, prefix: string): string[] =>
    Object.entries(tree).flatMap(([k, v]) => ('doc' in (v as object) ? [`${prefix}${k}`] : leaves(v as object, `${prefix}${k}.`)));
  const keys = leaves((SCHEMA as Record<string, object>)['data']!, 'data.');
  assert.equal([...dataStage.configKeys].sort(), ['seed.data', ...keys].sort());
  assert.equal(dataStage.reads, []);
});

test('generate signals to a folder, load it back as data.source = wfdb-folder with the same labels', async () => {
  const out = await mkdtemp(join(tmpdir(), 'gen-'));
  const cfg = config({ records: 6 }, 9);
  const names = await generateSignalsToFolder(cfg, 6, out, { logger: capturingLogger() });
  assert.is(names.length, 6);
  const { records } = await loadWfdbFolder({ path: out, fsHz: 100, durationS: 10, limit: 0 });
  const options = syntheticOptions(cfg.data, cfg.seed.data);
  for (const record of records) {
    const fresh = generateRecord(Number(record.name.slice(4)), options);
    assert.equal(record.labels, fresh.labels);
    const worst = Math.max(...record.signals.map((s, i) => Math.max(...Array.from(s, (x, k) => Math.abs(x - fresh.signals[i]![k]!)))));
    assert.ok(worst <= 0.0005 + 1e-6, `${record.name}: quantisation error ${worst} mV`);
  }
});

test('eachRecord: records are read a window at a time, in order, and each window is visited before the next is read', async () => {
  const options = syntheticOptions(config().data, 1);
  let read = 0;
  let visited = 0;
  let mostAhead = 0;
  const source = { count: 29, acuteMiResolved: true, read: async (i: number) => (read++, generateRecord(i, options)) };
  const names: string[] = [];
  await eachRecord(source, (record) => {
    mostAhead = Math.max(mostAhead, read - visited);
    visited++;
    names.push(record.name);
  });
  assert.is(visited, 29);
  assert.equal(names, Array.from({ length: 29 }, (_, i) => generateRecord(i, options).name));
  assert.ok(mostAhead <= READ_WINDOW, `${mostAhead} records were held at once, more than the window of ${READ_WINDOW}`);
});

test('openDataset reads each record as readDataset does; a truncated signals file is refused naming the record', async () => {
  const { dir, manifest } = await runStage(config({ records: 12 }));
  const whole = await readDataset({ dir, manifest });
  const reader = await openDataset({ dir });
  try {
    for (const entry of manifest.records) {
      const one = await reader.read(entry);
      const same = whole[entry.split].find((r) => r.name === entry.name)!;
      assert.equal(one.labels, same.labels);
      for (let lead = 0; lead < 12; lead++) assert.equal(Array.from(one.signals[lead]!), Array.from(same.signals[lead]!));
    }
  } finally {
    await reader.close();
  }
  await truncate(join(dir, 'signals.f32'), 4 * 12 * 1000 * 11 + 8);
  const cut = await openDataset({ dir, manifest });
  const last = manifest.records[11]!;
  const error = await cut.read(last).then(() => undefined, (e: unknown) => e);
  await cut.close();
  assert.match(String((error as Error)?.message), new RegExp(`record ${last.name} ends at float ${last.offset + 12000}, but signals.f32 holds`));
});

test('data stage: a record that cannot be read mid-stream fails the stage and leaves no data set, no temporary file', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'gen-bad-'));
  await generateSignalsToFolder(config(), 20, folder, { logger: capturingLogger() });
  const header = findHeaders(folder)[13]!;
  await writeFile(header, 'not a WFDB header\n');
  const cfg = config({ source: 'wfdb-folder', path: folder, records: 0 });
  const error = await runStage(cfg).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Error, 'the stage should fail on the broken header');
  assert.match(String((error as Error).message), /syn-000013\.hea:1: malformed record line/);
  const left = await readdir(lastStageDir!);
  assert.equal(left, [], `left behind: ${left.join(', ')}`);
});

test.run();
