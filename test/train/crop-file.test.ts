/**
 * The crop file of the denoise and digitizer stages: crops appended, read
 * back by offset bit-exactly, replaced in place, and the scratch folder gone
 * after remove().
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CropFile } from '../../src/train/stages/crop-file.js';

test('append, read by offset, overwrite in place, remove', () => {
  const parent = mkdtempSync(join(tmpdir(), 'ecg-cropfile-'));
  const file = CropFile.create(join(parent, '.crops-'));
  const a = Float32Array.from({ length: 48 * 256 }, (_, i) => Math.sin(i) * 1e-3);
  const b = Float32Array.from({ length: 48 * 1024 }, (_, i) => i / 7);
  const c = new Float32Array([Number.NaN, -0, 1e-40, 3.4e38]);
  const offsets = [a, b, c].map((x) => file.append(x));
  assert.equal(offsets, [0, a.length, a.length + b.length]);
  assert.equal(file.read(offsets[1] as number, b.length), b);
  assert.equal(Array.from(file.read(offsets[2] as number, 4)).map(String), Array.from(c).map(String));
  const replaced = a.map((x) => x * 2);
  file.overwrite(0, replaced);
  assert.equal(file.read(0, a.length), replaced);
  assert.equal(file.read(offsets[1] as number, b.length), b, 'the neighbour is untouched');
  assert.throws(() => file.read(offsets[2] as number, 5), /past its end/);
  assert.is(readdirSync(parent).length, 1);
  file.remove();
  assert.equal(readdirSync(parent), []);
  assert.ok(existsSync(parent));
});

test.run();
