/**
 * compare --expect on the fixture store (closed-form figures,
 * fixture-store.ts): f1/macro of model.hierarchy=true, digitizer.roi=true,
 * render.noise=0 is 0.65 and 0.66 over seeds 0 and 1 (mean 0.655, sd
 * 0.00707); snr/mean 10.5 and 10.7 (mean 10.6, sd 0.1414, 95% t half-width
 * 12.7062 x 0.1414 / sqrt 2 = 1.2706). Exit codes: 0 all pass, 1 a FAIL,
 * 3 a MISSING without FAIL, 2 a refused file (naming file, check, allowed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { buildFixtureStore, cellId } from './fixture-store.js';
import { evaluateExpect, parseExpect } from '../../src/report/stats/expect.js';
import { loadLocalRuns } from '../../src/report/index.js';
import { isEcgError } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'ecg-expect-'));
const runs = join(root, 'runs');
const failed = [cellId(true, true, 0.5, 0), cellId(true, true, 0.5, 1)];

function expectFile(name: string, body: string): string {
  const path = join(root, name);
  writeFileSync(path, body);
  return path;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isEcgError(error, 'USAGE'), String(error));
    return (error as Error).message;
  }
  assert.unreachable('not refused');
  return '';
}

const compare = (file: string, ...extra: string[]) => cli(['compare', 'paper-ablation', '--runs', runs, '--expect', file, ...extra]);

const ARM = '{ model.hierarchy: true, digitizer.roi: true, render.noise: 0 }';

test.before(async () => {
  await buildFixtureStore(runs, { failed });
});

test('tolerances: abs, CI units and sd units judged on the arm mean over seeds', async () => {
  const text = `source: made up
checks:
  - { arm: ${ARM}, metric: f1/macro, expected: 0.655, tolerance: { abs: 0.001 } }
  - { arm: ${ARM}, metric: snr/mean, expected: 9.4, tolerance: { ci: 1 }, source: table 2, data: hidden set }
  - { arm: ${ARM}, metric: snr/mean, expected: 10.5, tolerance: { sd: 0.5 } }
  - { arm: ${ARM}, metric: snr/mean, expected: 10.5, tolerance: { abs: 0.02, sd: 0.6 } }
`;
  const report = evaluateExpect(parseExpect(text, 'x.yaml'), await loadLocalRuns(runs, ['paper-ablation']));
  const [f1, ci, sd, both] = report.results;
  assert.is(report.results.length, 4, 'each check names one arm');
  assert.is(f1?.status, 'PASS');
  assert.ok(Math.abs((f1?.reproduced.mean ?? 0) - 0.655) < 1e-12);
  assert.is(f1?.check.source, 'made up', 'the file\'s source is the default');
  // 10.6 - 9.4 = 1.2 <= 1.2706: pass; the interval's half-width is the allowance.
  assert.is(ci?.status, 'PASS');
  assert.ok(Math.abs((ci?.allowed ?? 0) - 12.706204736174694 * Math.SQRT1_2 * 0.1414213562373095) < 1e-6, String(ci?.allowed));
  assert.is(ci?.check.data, 'hidden set');
  // 0.1 > 0.5 x 0.1414 = 0.0707: fail; 0.02 + 0.6 x 0.1414 = 0.1049 >= 0.1: pass.
  assert.is(sd?.status, 'FAIL');
  assert.is(both?.status, 'PASS');
});

test('exit 0 when every check passes, 1 when one fails; every format carries the verdicts', () => {
  const pass = expectFile('pass.yaml', `checks:\n  - { arm: ${ARM}, metric: f1/macro, expected: 0.66, tolerance: { abs: 0.01 }, source: t }\n`);
  const ok = compare(pass);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, '## Expected numbers');
  assert.match(ok.stdout, '| PASS |');
  const fail = expectFile('fail.yaml', `checks:\n  - { arm: ${ARM}, metric: f1/macro, expected: 0.7, tolerance: { abs: 0.01 }, source: t }\n  - { arm: ${ARM}, metric: f1/macro, expected: 0.66, tolerance: { abs: 0.01 }, source: t }\n`);
  const bad = compare(fail, '--format', 'csv');
  assert.is(bad.status, 1, bad.stderr);
  const lines = bad.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
  const header = lines[0]!.split(',');
  const status = header.indexOf('status');
  assert.equal(lines.slice(1).map((l) => l.split(',')[status]), ['FAIL', 'PASS']);
  const json = compare(fail, '--format', 'json');
  assert.is(json.status, 1);
  const checks = (JSON.parse(json.stdout) as { expect: { checks: { status: string; difference: number }[] } }).expect.checks;
  assert.equal(checks.map((c) => c.status), ['FAIL', 'PASS']);
  assert.ok(Math.abs((checks[0]?.difference ?? 0) + 0.045) < 1e-9);
  const html = compare(fail, '--format', 'html');
  assert.is(html.status, 1);
  assert.match(html.stdout, '<td class="failed">FAIL</td>');
});

test('MISSING (exit 3): an arm whose cells all failed; a spread tolerance on one seed', () => {
  const missing = expectFile('missing.yaml', `checks:\n  - { arm: { model.hierarchy: true, digitizer.roi: true, render.noise: 0.5 }, metric: f1/macro, expected: 0.6, tolerance: { abs: 0.1 }, source: t }\n`);
  const out = compare(missing);
  assert.is(out.status, 3, out.stderr);
  assert.match(out.stdout, 'MISSING');
  assert.match(out.stdout, '2 failed');
  const oneSeed = expectFile('one-seed.yaml', `checks:\n  - { arm: { model.hierarchy: true, digitizer.roi: true, render.noise: 0, seed: 0 }, metric: f1/macro, expected: 0.65, tolerance: { ci: 1 }, source: t }\n`);
  const seed = compare(oneSeed, '--format', 'json');
  assert.is(seed.status, 3, seed.stderr);
  assert.match(JSON.parse(seed.stdout).expect.checks[0].note, 'n = 1');
});

test('the paper\'s file: one row per arm with model.hierarchy=true, marked as the hidden set', () => {
  const out = compare(join(process.cwd(), 'experiments', 'expected', 'paper.yaml'), '--format', 'json');
  assert.ok(out.status === 0 || out.status === 1 || out.status === 3, out.stderr);
  const checks = JSON.parse(out.stdout).expect.checks as Record<string, unknown>[];
  assert.is(checks.length, 4);
  assert.ok(checks.every((c) => c['model.hierarchy'] === true && c['expected'] === 0.66 && String(c['expected_on']).includes('hidden')));
});

test('bad files are refused (exit 2) naming the file, the check and what is allowed', async () => {
  const set = await loadLocalRuns(runs, ['paper-ablation']);
  const cases: [string, string, RegExp[]][] = [
    ['metric.yaml', `checks:\n  - { arm: ${ARM}, metric: f1/macr, expected: 0.6, tolerance: { abs: 0.1 }, source: t }\n`, [/metric\.yaml, checks\[0\]\.metric/, /did you mean f1\/macro/, /allowed: f1\/macro, f1\/<class>/]],
    ['key.yaml', `checks:\n  - { arm: { model.hierachy: true }, metric: f1/macro, expected: 0.6, tolerance: { abs: 0.1 }, source: t }\n`, [/checks\[0\]\.arm\.model\.hierachy/, /did you mean model\.hierarchy/]],
    ['nothing.yaml', `checks:\n  - { arm: { render.noise: 0.25 }, metric: f1/macro, expected: 0.6, tolerance: { abs: 0.1 }, source: t }\n`, [/checks\[0\]\.arm: no cell has render\.noise = 0\.25; the runs have render\.noise: 0, 0\.5/]],
    ['tolerance.yaml', `checks:\n  - { arm: ${ARM}, metric: f1/macro, expected: 0.6, tolerance: { rel: 0.1 }, source: t }\n`, [/checks\[0\]\.tolerance\.rel/, /allowed: abs, ci, sd/]],
    ['negative.yaml', `checks:\n  - { arm: ${ARM}, metric: f1/macro, expected: 0.6, tolerance: { abs: -1 }, source: t }\n`, [/checks\[0\]\.tolerance\.abs: -1 is not a number >= 0/]],
    ['source.yaml', `checks:\n  - { arm: ${ARM}, metric: f1/macro, expected: 0.6, tolerance: { abs: 0.1 } }\n`, [/checks\[0\]\.source: needs a text/]],
  ];
  for (const [name, body, patterns] of cases) {
    const error = refusal(() => evaluateExpect(parseExpect(body, name), set));
    for (const p of patterns) assert.match(error, p, `${name}: ${error}`);
  }
  const out = compare(expectFile(cases[0]![0], cases[0]![1]));
  assert.is(out.status, 2, 'a refused file is bad usage');
  assert.match(out.stderr, 'did you mean f1/macro');
  const absent = compare(join(root, 'absent.yaml'));
  assert.is(absent.status, 2);
  assert.match(absent.stderr, 'absent.yaml');
});

test.run();
