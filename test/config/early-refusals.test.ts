/**
 * Values a stage would break on are refused when the config is composed, for
 * every cell, before runs/ is touched: exit 2, the key, the value, what is
 * allowed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tinyEnv, TINY } from '../helpers/tiny-runs.js';
import { compose, readExperiment } from '../../src/config/compose.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { isEcgError } from '../../src/core/errors.js';

const CONFIGS = join(import.meta.dirname, '..', 'fixtures', 'foundation', 'configs');

function refusal(args: string[]): string {
  const parsed = parseOverrides(args);
  try {
    compose({ experiment: readExperiment(TINY), configsDir: CONFIGS, overrides: parsed.values, groupChoices: parsed.groupChoices });
  } catch (error) {
    assert.ok(isEcgError(error, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(error)}`);
    return error.message;
  }
  assert.unreachable(`${args.join(' ')} should have been refused`);
  return '';
}

function includesAll(text: string, parts: readonly string[]): void {
  for (const part of parts) assert.ok(text.includes(part), `"${text}" lacks "${part}"`);
}

for (const [args, parts] of [
  [['model.roi.inputHeight=66'], ['model.roi.inputHeight = 66', 'divisible by 4', 'model.roi.widths = [8, 16, 32]', '64 or 68', 'command line']],
  [['model.roi.inputWidth=100', 'model.roi.widths=[8,16,32,64]'], ['model.roi.inputWidth = 100', 'divisible by 8', '96 or 104']],
  [['digitizer.cropHeight=62'], ['digitizer.cropHeight = 62', 'divisible by 4', 'model.denoiser.widths', 'model.digitizer.widths']],
  [['model.digitizer.widths=[4,4,4,4,4,4,4,4]'], ['digitizer.cropHeight = 64', 'divisible by 128', 'model.digitizer.widths', '(defaults)']],
  [['model.classifier2d.inputHeight=0'], ['model.classifier2d.inputHeight = 0', 'integer >= 1']],
  [['model.classifier2d.inputWidth=0'], ['model.classifier2d.inputWidth = 0', 'integer >= 1']],
  [['data.durationS=0.001'], ['data.durationS = 0.001', 'at least 1']],
  [['data.records=0'], ['data.records = 0', 'synthetic', '>= 1', 'command line']],
  [['data.source=ptbxl'], ['data.path = ""', 'data.source = ptbxl', 'set data.path']],
  [['data.source=wfdb-folder', 'data.path=/no/such/folder'], ['data.path = "/no/such/folder"', 'does not exist']],
  [['data.source=wfdb-folder', `data.path=${TINY}`], [`data.path = "${TINY}"`, 'is a file, not a folder']],
  [['data.source=ptbxl', `data.path=${tmpdir()}`, 'data.ptbxlPlusPath=/no/plus'], ['data.ptbxlPlusPath = "/no/plus"', 'does not exist']],
] as const) {
  test(`compose refuses ${args.join(' ')}`, () => includesAll(refusal([...args]), parts));
}

test('one step from a refused value is allowed: 66 is refused and 68 composes, a missing folder is refused and an existing one composes', () => {
  includesAll(refusal(['model.roi.inputHeight=66']), ['model.roi.inputHeight = 66']);
  const folder = mkdtempSync(join(tmpdir(), 'ecg-wfdb-'));
  includesAll(refusal(['data.source=wfdb-folder', `data.path=${folder}/missing`]), ['does not exist']);
  const { config } = compose({
    experiment: readExperiment(TINY),
    configsDir: CONFIGS,
    overrides: parseOverrides(['model.roi.inputHeight=68', 'digitizer.cropHeight=48', 'data.source=wfdb-folder', `data.path=${folder}`]).values,
  });
  assert.is(config.model.roi.inputHeight, 68);
  assert.is(config.data.path, folder);
});

for (const [label, args, parts] of [
  ['U-Net size', ['model.roi.inputHeight=66'], ['model.roi.inputHeight = 66', 'divisible by 4']],
  ['zero classifier height', ['model.classifier2d.inputHeight=0'], ['model.classifier2d.inputHeight = 0', '>= 1']],
  ['missing data folder', ['data.source=ptbxl', 'data.path=/no/such/ptb-xl'], ['data.path = "/no/such/ptb-xl"', 'does not exist']],
] as const) {
  test(`run: ${label} exits 2 before anything is written`, () => {
    const { runs, env } = tinyEnv();
    const r = cli(['run', TINY, ...args], { env });
    assert.is(r.status, 2, r.stderr);
    includesAll(r.stderr, parts);
    assert.not.ok(r.stderr.includes('    at '), 'no stack trace');
    assert.equal(readdirSync(runs), [], 'runs/ stays empty');
  });
}

test('run: a sweep over data.path is refused when any cell names a missing folder, before the sweep folder exists', () => {
  const { runs, env } = tinyEnv();
  const present = mkdtempSync(join(tmpdir(), 'ecg-wfdb-'));
  writeFileSync(join(present, 'RECORDS'), '');
  const r = cli(['run', TINY, 'data.source=wfdb-folder', `data.path=${present},/no/such/second`], { env });
  assert.is(r.status, 2, r.stderr);
  includesAll(r.stderr, ['data.path = "/no/such/second"', 'sweep cell c01']);
  assert.equal(readdirSync(runs), [], 'runs/ stays empty');
});

test.run();
