import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { compose, readExperiment, flattenConfig } from '../../src/config/compose.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { isEcgError } from '../../src/core/errors.js';
import { normalizeRenderOptions, type RenderConfigInput } from '../../src/render/options.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'foundation');
const CONFIGS = join(FIXTURES, 'configs');
const TINY = join(FIXTURES, 'experiments', 'tiny.yaml');

function composeWith(args: string[], experimentPath = TINY) {
  const parsed = parseOverrides(args);
  return compose({ experiment: readExperiment(experimentPath), configsDir: CONFIGS, overrides: parsed.values, groupChoices: parsed.groupChoices });
}

function experimentFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-compose-'));
  const path = join(dir, 'x.yaml');
  writeFileSync(path, text);
  return path;
}

function refused(fn: () => unknown, code: string, ...parts: string[]): void {
  try {
    fn();
  } catch (error) {
    assert.ok(isEcgError(error), `expected an EcgError, got ${String(error)}`);
    assert.is(error.code, code);
    for (const part of parts) assert.ok(error.message.includes(part), `message "${error.message}" should mention "${part}"`);
    return;
  }
  assert.unreachable('should have been refused');
}

test('layers apply in order: schema default < group option < experiment < command line', () => {
  const { config, sources } = composeWith([]);
  assert.is(config.data.records, 8, 'data.records from configs/data/small.yaml');
  assert.is(config.data.fsHz, 100, 'data.fsHz keeps the schema default');
  assert.is(config.render.noise, 0, 'render.noise from configs/render/clean.yaml');
  assert.is(config.render.dpi, 120, 'render.dpi: the experiment overrides the group option (100)');
  assert.is(config.train.epochs, 2, 'train.epochs from configs/train/default.yaml, taken without being named');
  assert.is(sources['render.dpi'], TINY);
  assert.is(sources['data.records'], 'configs/data/small.yaml');

  const over = composeWith(['render.dpi=300', 'data.records=5']);
  assert.is(over.config.render.dpi, 300);
  assert.is(over.config.data.records, 5);
  assert.is(over.sources['render.dpi'], 'command line');
});

test('group=option on the command line replaces the experiment choice', () => {
  const { config } = composeWith(['data=large', 'render=noisy']);
  assert.is(config.data.records, 32);
  assert.is(config.data.fsHz, 500);
  assert.is(config.render.noise, 0.5);
  assert.is(config.render.dpi, 120, 'the experiment value still beats the group option');
});

test('override values are typed: numbers, booleans, lists', () => {
  const { config } = composeWith(['model.hierarchy=false', 'model.classifier2d.widths=[8,16]', 'train.learningRate=3e-4']);
  assert.is(config.model.hierarchy, false);
  assert.equal(config.model.classifier2d.widths, [8, 16]);
  assert.is(config.train.learningRate, 3e-4);
});

test('seed is the shorthand for seed.data and seed.train: `seed=3` and YAML `seed: 3` set both, `seed.train=1` one', () => {
  const both = composeWith(['seed=3']);
  assert.equal(both.config.seed, { data: 3, train: 3 });
  assert.is(both.sources['seed.data'], 'command line');
  assert.equal(composeWith(['seed.train=1']).config.seed, { data: 0, train: 1 });
  assert.equal(composeWith(['seed=3', 'seed.train=1']).config.seed, { data: 3, train: 1 }, 'later overrides win, leaf by leaf');
  const yaml = experimentFile('seed: 3\n');
  const fromFile = composeWith([], yaml);
  assert.equal(fromFile.config.seed, { data: 3, train: 3 });
  assert.is(fromFile.sources['seed.train'], yaml);
  assert.equal(composeWith([], experimentFile('seed:\n  data: 5\n')).config.seed, { data: 5, train: 0 });
  assert.equal(composeWith(['seed.data=2'], yaml).config.seed, { data: 2, train: 3 });
  refused(() => composeWith(['seed=-1']), 'CONFIG_INVALID', 'seed.data');
});

test('flattened config has every schema leaf as a dotted key', () => {
  const flat = flattenConfig(composeWith([]).config);
  assert.is(flat['render.noise'], 0);
  assert.is(flat['model.hierarchy'], true);
  assert.is(flat['digitizer.roi'], true);
  assert.ok(Object.keys(flat).every((k) => typeof flat[k] !== 'object' || Array.isArray(flat[k]) || k === 'data.synthetic.priors'));
});

test('unknown key is refused naming the key and where it came from', () => {
  refused(() => composeWith(['render.nosie=0.5']), 'CONFIG_INVALID', 'render.nosie', 'command line', 'render.noise');
  const bad = experimentFile('render:\n  colour: red\n');
  refused(() => composeWith([], bad), 'CONFIG_INVALID', 'render.colour', bad);
});

test('value out of range is refused with key, value, allowed range and source', () => {
  refused(() => composeWith(['render.noise=1.5']), 'CONFIG_INVALID', 'render.noise = 1.5', '[0, 1]', 'command line');
  const bad = experimentFile('render:\n  noise: -0.1\n');
  refused(() => composeWith([], bad), 'CONFIG_INVALID', 'render.noise = -0.1', bad);
});

test('a render option is refused at compose with the message the renderer gives a library caller', () => {
  const cases: [override: string, config: RenderConfigInput][] = [
    ['render.distort.rotationDeg=50', { distort: { rotationDeg: 50 } }],
    ['render.traceColour=sparkly', { traceColour: 'sparkly' }],
    ['render.speedMmPerS=0', { speedMmPerS: 0 }],
    ['render.distort.creases=2.5', { distort: { creases: 2.5 } }],
  ];
  for (const [override, config] of cases) {
    let rendererSays = '';
    try {
      normalizeRenderOptions(config);
    } catch (error) {
      assert.ok(isEcgError(error, 'RENDER_INVALID'), String(error));
      rendererSays = error.message;
    }
    assert.ok(rendererSays.startsWith(override.split('=')[0] as string), `the renderer refused ${override}: '${rendererSays}'`);
    refused(() => composeWith([override]), 'CONFIG_INVALID', `${rendererSays} (command line)`);
  }
});

test('wrong type and wrong enum are refused with what is allowed', () => {
  refused(() => composeWith(['render.layout=4x3']), 'CONFIG_INVALID', 'render.layout', '4x3', '3x4', '6x2', '12x1');
  refused(() => composeWith(['data.records=many']), 'CONFIG_INVALID', 'data.records', 'many');
  refused(() => composeWith(['model.hierarchy=maybe']), 'CONFIG_INVALID', 'model.hierarchy', 'maybe');
  refused(() => composeWith(['data.synthetic.priors={AFIB: 0.2}']), 'CONFIG_INVALID', 'AFIB', 'AFIB/AFL');
});

test('unknown group, unknown option and broken YAML are refused', () => {
  refused(() => composeWith(['render=blurry']), 'CONFIG_INVALID', "'render' has no option 'blurry'", 'clean', 'noisy');
  refused(() => composeWith([], experimentFile('defaults:\n  - colours: red\n')), 'CONFIG_INVALID', "'colours' is not a config group");
  refused(() => readExperiment(experimentFile('render: [1, 2\n')), 'CONFIG_INVALID', 'cannot parse YAML');
  refused(() => readExperiment('/nonexistent/x.yaml'), 'CONFIG_NOT_FOUND', '/nonexistent/x.yaml');
  refused(() => parseOverrides(['render.noise']), 'USAGE', 'key=value');
});

test.run();
