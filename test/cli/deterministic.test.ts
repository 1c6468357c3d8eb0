/**
 * `deterministic: true` with `--no-cache`: two runs of one tiny real cell
 * into different run folders train from scratch and log the same numbers,
 * on the native tensorflow backend (skipped where it is not set up).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyExperiment, TINY_ARGS } from '../train/helpers.js';
import { nativeSetupStatus } from '../../src/backend/native-status.js';

const native = nativeSetupStatus('tensorflow')?.ok === true;

function metricValues(runs: string): [string, number, number][] {
  const [sweep] = readdirSync(join(runs, 'det'));
  const lines = readFileSync(join(runs, 'det', sweep as string, 'cells', 'c00', 'metrics.jsonl'), 'utf8').trim().split('\n');
  return lines.map((line) => JSON.parse(line) as { name: string; step: number; value: number }).map((m) => [m.name, m.step, m.value]);
}

test('two --no-cache runs of a tiny cell with deterministic true give identical metrics.jsonl values (tensorflow)', () => {
  if (!native) {
    console.log('  skipped: the native tensorflow backend is not set up');
    return;
  }
  const values = ['a', 'b'].map(() => {
    const { path, runs } = tinyExperiment('det', 'stages: [classifier2d]\n');
    const r = cli(['run', path, ...TINY_ARGS, 'backend=tensorflow', 'deterministic=true', '--no-cache', '--runs', runs]);
    assert.is(r.status, 0, r.stderr);
    const run = JSON.parse(readFileSync(join(runs, 'det', readdirSync(join(runs, 'det'))[0] as string, 'cells', 'c00', 'run.json'), 'utf8'));
    assert.is(run.tags['ecg-lab.deterministic'], 'true');
    assert.is(run.tags['ecg-lab.backend'], 'tensorflow');
    return metricValues(runs);
  });
  assert.ok(values[0]!.some(([name]) => name === 'classifier2d/loss'), 'the cell trained');
  assert.equal(values[0], values[1]);
});

test.run();
