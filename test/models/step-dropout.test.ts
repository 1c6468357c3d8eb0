/**
 * StepDropout (models/step-dropout.ts): a new mask at every training call,
 * the same sequence of masks in another process for the same seed, identity
 * at inference, the expected keep rate and scaling, and it survives a
 * save/load round trip inside a model.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StepDropout } from '../../src/models/step-dropout.js';
import { useCpuBackend } from './helpers.js';

test.before(useCpuBackend);

const ROOT = resolve(import.meta.dirname, '..', '..');

function masks(layer: StepDropout, calls: number): string[] {
  const x = tf.ones([4, 64]);
  const out = Array.from({ length: calls }, () => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()).join(','));
  x.dispose();
  return out;
}

test('a new mask at every training step; identity at inference; keep rate and scale', () => {
  const layer = new StepDropout({ rate: 0.25, seed: 11 });
  const [first, second, third] = masks(layer, 3);
  assert.is.not(first, second);
  assert.is.not(second, third);
  const values = (first as string).split(',').map(Number);
  for (const v of values) assert.ok(v === 0 || Math.abs(v - 1 / 0.75) < 1e-6, `value ${v}`);
  const kept = values.filter((v) => v > 0).length / values.length;
  assert.ok(kept > 0.6 && kept < 0.9, `kept ${kept}`);
  const x = tf.ones([2, 8]);
  assert.equal(Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync()), new Array(16).fill(1));
  x.dispose();
});

test('the same seed gives the same sequence of masks in another process', () => {
  const mine = masks(new StepDropout({ rate: 0.5, seed: 3 }), 3);
  const dir = mkdtempSync(join(tmpdir(), 'ecg-dropout-'));
  const script = join(dir, 'masks.mts');
  writeFileSync(
    script,
    `import * as tf from '${pathToFileURL(join(ROOT, 'node_modules/@tensorflow/tfjs/dist/index.js')).href}';\n` +
      `import { StepDropout } from '${pathToFileURL(join(ROOT, 'src/models/step-dropout.ts')).href}';\n` +
      `await tf.setBackend('cpu');\n` +
      `const layer = new StepDropout({ rate: 0.5, seed: 3 });\n` +
      `const x = tf.ones([4, 64]);\n` +
      `for (let k = 0; k < 3; k++) console.log(Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()).join(','));\n`,
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  const theirs = child.stdout.split('\n').filter((line) => /^[0-9.,]+$/.test(line));
  assert.equal(theirs, mine);
});

test('a model with the layer saves and loads, keeping rate and seed', async () => {
  const input = tf.input({ shape: [6] });
  const out = new StepDropout({ rate: 0.3, seed: 9, name: 'drop' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const saved: tf.io.ModelArtifacts[] = [];
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved.push(artifacts);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved[0] as tf.io.ModelArtifacts));
  const layer = loaded.getLayer('drop') as StepDropout;
  assert.ok(layer instanceof StepDropout);
  assert.is(layer.rate, 0.3);
  assert.is(layer.seed, 9);
  model.dispose();
  loaded.dispose();
});

test.run();
