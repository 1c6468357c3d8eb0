/** The ablation table in Markdown on a small fixture store: exact text, seeds, failed/missing cells, baseline differences. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildComparison, loadLocalRuns, parseBaseline, pivotText, toCsvText, toMarkdown } from '../../src/report/index.js';
import { compareCommand } from '../../src/cli/commands/compare.js';
import { capturingLogger } from '../../src/core/logger.js';
import { buildFixtureStore, cellId, fixtureF1, fixtureSnr } from './fixture-store.js';

const dirs: string[] = [];
async function store(options: Parameters<typeof buildFixtureStore>[1]) {
  const root = await mkdtemp(join(tmpdir(), 'ecg-report-'));
  dirs.push(root);
  return { root, fixture: await buildFixtureStore(root, options) };
}

test('Markdown ablation table of a small case, exactly', async () => {
  const { root, fixture } = await store({ hierarchy: [false, true], roi: [true], noise: [0, 0.5], seeds: [0], failed: [cellId(true, true, 0.5, 0)] });
  const cmp = buildComparison(await loadLocalRuns(root, ['paper-ablation']), { baseline: parseBaseline('model.hierarchy=false') });
  const md = toMarkdown(cmp);
  const expected = `# Comparison: paper-ablation (sweep ${fixture.sweepId})

split: test · data: synthetic (digest a1b2c3d4e5f6) · noise: render.noise = 0, 0.5 (columns)

## Ablation: f1/macro / snr/mean, mean ± std over seeds

| model.hierarchy | digitizer.roi | render.noise=0 | render.noise=0.5 |
| --- | --- | --- | --- |
| false | true | 0.550 / 10.00 | 0.450 / 7.00 |
| true | true | 0.650 / 10.50 | failed |

## Differences against model.hierarchy=false (f1/macro / snr/mean)

| model.hierarchy | digitizer.roi | render.noise=0 | render.noise=0.5 |
| --- | --- | --- | --- |
| false | true | +0.000 / +0.00 | +0.000 / +0.00 |
| true | true | +0.100 / +0.50 | n/a / n/a |
`;
  assert.ok(md.startsWith(expected), md);
  const cells = md.slice(md.indexOf('## Cells'));
  assert.match(cells, /\| h1-roi1-n0\.5-s0 \| failed \| true \| true \| 0\.5 \| 0 \| failed \| failed \|/);
  assert.not.match(cells, /\| 0\.000 \|/);
});

test('mean and sample std over seeds; a partial group says how many scored', async () => {
  const { root } = await store({ hierarchy: [true], roi: [false], noise: [0], seeds: [0, 1, 2], failed: [] });
  const pivot = pivotText(buildComparison(await loadLocalRuns(root, ['paper-ablation'])));
  const f1 = [0, 1, 2].map((s) => fixtureF1(true, false, 0, s));
  const snr = [0, 1, 2].map((s) => fixtureSnr(true, false, 0, s));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
  assert.equal(pivot.rows, [['true', 'false', `${mean(f1).toFixed(3)} ± ${std(f1).toFixed(3)} / ${mean(snr).toFixed(2)} ± ${std(snr).toFixed(2)}`]]);
  assert.equal(pivot.header, ['model.hierarchy', 'digitizer.roi', 'render.noise=0']);

  const partial = await store({ hierarchy: [true], roi: [false], noise: [0], seeds: [0, 1, 2], failed: [cellId(true, false, 0, 2)], missing: [cellId(true, false, 0, 1)] });
  const text = pivotText(buildComparison(await loadLocalRuns(partial.root, ['paper-ablation']))).rows[0]?.[2];
  assert.is(text, `${fixtureF1(true, false, 0, 0).toFixed(3)} / ${fixtureSnr(true, false, 0, 0).toFixed(2)} (1/3; 1 failed, 1 missing)`);
});

test('never-run and failed cells are named, never zeros, in every format', async () => {
  const missing = [cellId(false, false, 0.5, 0), cellId(false, false, 0.5, 1)];
  const { root } = await store({ hierarchy: [false], roi: [false], noise: [0, 0.5], seeds: [0, 1], missing });
  const cmp = buildComparison(await loadLocalRuns(root, ['paper-ablation']));
  assert.is(pivotText(cmp).rows[0]?.[3], 'missing');
  const csv = toCsvText(cmp).split('\n');
  assert.match(csv[0] ?? '', /^# split: test/);
  const missingRow = csv.find((l) => l.startsWith(`${missing[0]},`)) ?? '';
  assert.match(missingRow, /^h0-roi0-n0\.5-s0,missing,false,false,0\.5,0,,/);
});

test('baseline differences match the closed form per noise level and seed', async () => {
  const { root } = await store({});
  const cmp = buildComparison(await loadLocalRuns(root, ['paper-ablation']), { baseline: parseBaseline('model.hierarchy=false,digitizer.roi=false') });
  const rows = cmp.table.objects() as Record<string, unknown>[];
  const row = rows.find((r) => r['cell'] === cellId(true, true, 0.5, 1)) as Record<string, number>;
  assert.ok(Math.abs((row['Δ f1/macro'] as number) - (fixtureF1(true, true, 0.5, 1) - fixtureF1(false, false, 0.5, 1))) < 1e-9);
  assert.ok(Math.abs((row['Δ snr/mean'] as number) - (fixtureSnr(true, true, 0.5, 1) - fixtureSnr(false, false, 0.5, 1))) < 1e-9);
  const unknown = buildComparison(await loadLocalRuns(root, ['paper-ablation']), { baseline: parseBaseline('model.hierarchy=maybe') });
  assert.equal(unknown.warnings.length, 1);
});

test('compare command: --pivot, --format json, unknown pivot key is a usage error', async () => {
  const { root } = await store({});
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), logger: capturingLogger(), progress: undefined as never, cwd: root, env: { ECG_LAB_RUNS: root }, verbose: false };
  const code = await compareCommand.run(['paper-ablation', '--runs', root, '--format', 'json', '--pivot', 'rows=model.hierarchy cols=digitizer.roi value=f1/macro'], io);
  assert.is(code, 0);
  const json = JSON.parse(out.join('\n')) as { pivot: { header: string[]; rows: string[][] } };
  assert.equal(json.pivot.header, ['model.hierarchy', 'digitizer.roi=false', 'digitizer.roi=true']);
  assert.is(json.pivot.rows[0]?.[1], '0.455 ± 0.058');
  try {
    await compareCommand.run(['paper-ablation', '--runs', root, '--pivot', 'rows=nope'], io);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /'nope' is not a swept key/);
  }
});

test.after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test.run();
