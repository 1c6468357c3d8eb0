/**
 * A stage sees only the config keys it declared (train/scoped-config.ts):
 * reading any other key throws STAGE_UNDECLARED_KEY, through the real runner
 * too (a deliberately wrong plugin stage fails its cell and names the key);
 * the built-in stages pass through the guard in test/train/stages.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { compose, readExperiment } from '../../src/config/compose.js';
import { isEcgError } from '../../src/core/errors.js';
import { scopedConfig } from '../../src/train/scoped-config.js';
import { cli, ROOT } from '../helpers/cli.js';
import { sweepsIn, tinyEnv } from '../helpers/tiny-runs.js';

const EXPERIMENT = join(ROOT, 'test', 'fixtures', 'undeclared', 'experiment.yaml');
const config = compose({ experiment: readExperiment(EXPERIMENT), configsDir: join(ROOT, 'configs'), overrides: {} }).config;

function throwsUndeclared(read: () => unknown, key: string): void {
  try {
    read();
  } catch (error) {
    assert.ok(isEcgError(error, 'STAGE_UNDECLARED_KEY'), String(error));
    assert.ok((error as Error).message.includes(key), (error as Error).message);
    return;
  }
  assert.unreachable(`reading ${key} should throw`);
}

test('declared keys and whole groups read through; others throw and name the key', () => {
  const scoped = scopedConfig(config, 'probe', ['seed', 'render.noise', 'train.digitizer.*']);
  assert.is(scoped.seed, config.seed);
  assert.is(scoped.render.noise, config.render.noise);
  assert.is(scoped.train.digitizer.batchSize, config.train.digitizer.batchSize);
  assert.equal({ ...scoped.train.digitizer }, { ...config.train.digitizer });
  throwsUndeclared(() => scoped.render.dpi, 'render.dpi');
  throwsUndeclared(() => scoped.train.roi, 'train.roi');
  throwsUndeclared(() => scoped.data, 'data');
  throwsUndeclared(() => ({ ...scoped.render }), 'render.');
});

test('an object passed on stays guarded, and the config is read-only', () => {
  const scoped = scopedConfig(config, 'probe', ['digitizer.cropHeight']);
  const digitizer = scoped.digitizer;
  assert.is(digitizer.cropHeight, config.digitizer.cropHeight);
  throwsUndeclared(() => digitizer.columnsPerS, 'digitizer.columnsPerS');
  throwsUndeclared(() => {
    (scoped.digitizer as { cropHeight: number }).cropHeight = 1;
  }, 'digitizer.cropHeight');
});

test('a plugin stage that reads an undeclared key fails its cell, naming the stage and the key', () => {
  const { runs, env } = tinyEnv({ ECG_LAB_PLUGINS: join(ROOT, 'test', 'fixtures', 'undeclared', 'stages.ts') });
  const r = cli(['run', EXPERIMENT], { env });
  assert.is.not(r.status, 0);
  const [sweep] = sweepsIn(runs, 'experiment');
  const cell = sweep?.cells[0] as unknown as { status: string; error?: string };
  assert.is(cell.status, 'failed');
  assert.ok(cell.error?.includes('reads-undeclared') && cell.error.includes('render.dpi'), cell.error);
});

test.run();
