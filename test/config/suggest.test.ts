import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compose, flattenBySchema, readExperiment, schemaLeafKeys } from '../../src/config/compose.js';
import { closestNames, editDistance } from '../../src/config/suggest.js';
import { expandSweep } from '../../src/config/sweep.js';
import { isEcgError } from '../../src/core/errors.js';
import { ROOT } from '../helpers/cli.js';
import { join } from 'node:path';

const COMMANDS = ['run', 'resume', 'status', 'config', 'runs', 'compare', 'sync', 'generate', 'digitize', 'classify', 'gc'];

test('edit distance: known values, a transposition costs one edit', () => {
  assert.is(editDistance('kitten', 'sitting'), 3);
  assert.is(editDistance('dip', 'dpi'), 1);
  assert.is(editDistance('rnu', 'run'), 1);
  assert.is(editDistance('', 'abc'), 3);
  assert.is(editDistance('same', 'same'), 0);
});

test('render.dip suggests render.dpi first, not render.noise', () => {
  const names = closestNames('render.dip', schemaLeafKeys());
  assert.is(names[0], 'render.dpi');
  assert.not.ok(names.includes('render.noise'), names.join(', '));
});

test('a mistyped command finds it; an unrelated word gets no guess', () => {
  assert.equal(closestNames('rnu', COMMANDS), ['run']);
  assert.equal(closestNames('comapre', COMMANDS), ['compare']);
  assert.equal(closestNames('banana', COMMANDS), []);
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isEcgError(error)) return error.message;
    throw error;
  }
  assert.unreachable('should have been refused');
  return '';
}

test('config refusals name the closest key first: command line, experiment values, sweep axes', () => {
  const experiment = readExperiment(join(ROOT, 'experiments', 'quickstart.yaml'));
  const configsDir = join(ROOT, 'configs');
  const onCommandLine = refusal(() => compose({ experiment, configsDir, overrides: { 'render.dip': 300 } }));
  assert.match(onCommandLine, /unknown config key 'render\.dip' \(command line\): did you mean render\.dpi\?/);
  const inSweep = refusal(() => expandSweep({ spec: { 'render.nosie': [0, 1] }, where: 'x.yaml' }));
  assert.match(inSweep, /did you mean render\.noise\?/);
  const inFile = refusal(() => flattenBySchema({ rendr: { dpi: 100 } }, 'x.yaml'));
  assert.match(inFile, /unknown config key 'rendr' \(x\.yaml\): did you mean render\?/);
});

test.run();
