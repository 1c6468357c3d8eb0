import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWfdbRecord, writeWfdbRecord, encodeWfdbRecord } from '../../src/data/wfdb.js';
import { parseWfdbHeader, commentFields } from '../../src/data/wfdb-header.js';
import { readEcgRecord } from '../../src/data/wfdb-ecg.js';
import { isEcgError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { sharedDataOrSkip } from './shared-data.js';

const data = sharedDataOrSkip('real WFDB records');

function randomSignals(nsig: number, n: number, amplitudeMv: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: nsig }, () => Float32Array.from({ length: n }, () => rng.uniform(-amplitudeMv, amplitudeMv)));
}

async function expectError(run: () => Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(isEcgError(error), `expected an EcgError, got ${String(error)}`);
    assert.is(error.code, code, error.message);
    for (const part of parts) assert.ok(error.message.includes(part), `message '${error.message}' should mention '${part}'`);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

for (const [format, gain, amplitude, odd] of [
  [16, 1000, 5, 999],
  [212, 200, 9, 999],
  [80, 50, 2.5, 1000],
] as const) {
  test(`round trip format ${format}: same digital samples, physical within half a step`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfdb-'));
    const signals = randomSignals(3, odd, amplitude, format);
    signals[1]![7] = Number.NaN;
    await writeWfdbRecord(dir, { name: 'rt', fsHz: 250, signals, leads: ['I', 'II', 'V1'], comments: ['Labels: NORM', 'free text'] }, { format, gain });
    const record = await readWfdbRecord(join(dir, 'rt'));
    assert.is(record.nSamples, odd);
    assert.equal(record.header.comments, ['Labels: NORM', 'free text']);
    for (let s = 0; s < 3; s++) {
      for (let k = 0; k < odd; k++) {
        const x = signals[s]![k]!;
        const y = record.physical[s]![k]!;
        if (Number.isNaN(x)) assert.ok(Number.isNaN(y));
        else assert.ok(Math.abs(x - y) <= 0.5 / gain + 1e-6, `signal ${s} sample ${k}: ${x} vs ${y}`);
        if (!Number.isNaN(x)) assert.is(record.digital[s]![k], Math.round(x * gain));
      }
    }
    const again = encodeWfdbRecord({ name: 'rt', fsHz: 250, signals: record.physical, leads: ['I', 'II', 'V1'], comments: ['Labels: NORM', 'free text'] }, { format, gain });
    assert.equal(Buffer.from(again.dat), await readFile(join(dir, 'rt.dat')));
  });
}

test('header quirks: lower-case mv, gain without baseline, odd base time, #Age: and # Age:', () => {
  const header = parseWfdbHeader(
    'HR00001 12 500 5000 04-Jun-2020 15:11:55\n' +
      Array.from({ length: 12 }, (_, i) => `HR00001.dat 16 1000/mv 16 7 0 0 0 L${i}`).join('\n') +
      '\n#Age: 56\n# Sex: Female\n',
    'x.hea',
  );
  assert.is(header.baseTime, '04-Jun-2020');
  assert.is(header.baseDate, '15:11:55');
  assert.is(header.signals[0]!.baseline, 7);
  assert.is(header.signals[0]!.units, 'mv');
  const fields = commentFields(header.comments);
  assert.is(fields.get('Age'), '56');
  assert.is(fields.get('Sex'), 'Female');
});

test('malformed header is refused with file, line and the expected form', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wfdb-'));
  await writeFile(join(dir, 'bad.hea'), 'bad 2 100 10\nbad.dat 16 1000/mV 16 0 0 0 0 I\nbad.dat 16 lots/mV 16 0 0 0 0 II\n');
  await expectError(() => readWfdbRecord(join(dir, 'bad')), 'WFDB_MALFORMED', 'bad.hea:3', 'GAIN[(BASELINE)][/UNITS]');
  await writeFile(join(dir, 'short.hea'), 'short 3 100 10\nshort.dat 16 1000/mV 16 0 0 0 0 I\n');
  await expectError(() => readWfdbRecord(join(dir, 'short')), 'WFDB_MALFORMED', 'short.hea', 'announces 3 signals but 1');
  await writeFile(join(dir, 'fmt.hea'), 'fmt 1 100 10\nfmt.dat 310 1000/mV 12 0 0 0 0 I\n');
  await expectError(() => readWfdbRecord(join(dir, 'fmt')), 'WFDB_UNSUPPORTED', 'fmt.hea:2', 'supported formats: 16, 212, 80');
});

test('a signal file of the wrong size or with a wrong checksum is refused, never zero-filled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wfdb-'));
  await writeWfdbRecord(dir, { name: 'r', fsHz: 100, signals: randomSignals(2, 100, 1, 1), leads: ['I', 'II'] });
  const dat = await readFile(join(dir, 'r.dat'));
  await writeFile(join(dir, 'r.dat'), dat.subarray(0, dat.length - 4));
  await expectError(() => readWfdbRecord(join(dir, 'r')), 'WFDB_MALFORMED', 'r.dat', 'has 396 bytes, expected 400', '100 samples x 2 signals in format 16');
  const changed = Buffer.from(dat);
  changed[10] = (changed[10]! + 1) & 0xff;
  await writeFile(join(dir, 'r.dat'), changed);
  await expectError(() => readWfdbRecord(join(dir, 'r')), 'WFDB_MALFORMED', 'checksum of signal');
});

test('PTB-XL 00001_lr reads with the values its header promises (bytes decoded by hand)', async () => {
  if (!data) return;
  const path = join(data, 'ptb-xl/records100/00000/00001_lr');
  const record = await readEcgRecord(path);
  const bytes = await readFile(`${path}.dat`);
  const int16 = (at: number) => ((bytes[at]! | (bytes[at + 1]! << 8)) << 16) >> 16;
  assert.is(int16(0), -119);
  assert.is(int16(2 * 3), 86);
  assert.is(int16(2 * 5), 4);
  assert.equal(record.signals.length, 12);
  assert.is(record.fsHz, 100);
  assert.is(record.signals[0]!.length, 1000);
  assert.ok(Math.abs(record.signals[0]![0]! - -0.119) < 1e-6);
  assert.ok(Math.abs(record.signals[3]![0]! - 0.086) < 1e-6, 'AVR is mapped to aVR');
  for (const [k, lead] of [[500, 6], [731, 11]] as const) {
    assert.ok(Math.abs(record.signals[lead]![k]! - int16(2 * (12 * k + lead)) / 1000) < 1e-6);
  }
});

test('the .mat container with a 24-byte offset (16x1+24) gives the samples of the plain .dat', async () => {
  if (!data) return;
  const mat = await readWfdbRecord(join(data, 'edge-cases/challenge-mat/E07500'));
  const dat = await readWfdbRecord(join(data, 'challenge-2021/E07500'));
  assert.is(mat.header.signals[0]!.byteOffset, 24);
  assert.is(mat.nSamples, 5000);
  for (let s = 0; s < 12; s++) assert.equal(mat.digital[s], dat.digital[s]);
});

test('sel100 (format 212, 2 signals, 250/360) decodes to the header initial values and checksums', async () => {
  if (!data) return;
  const record = await readWfdbRecord(join(data, 'edge-cases/qtdb/sel100'));
  assert.is(record.header.fsHz, 250);
  assert.is(record.header.counterFreq, 360);
  assert.is(record.nSamples, 225000);
  const bytes = await readFile(join(data, 'edge-cases/qtdb/sel100.dat'));
  const twelve = (v: number) => (v > 2047 ? v - 4096 : v);
  assert.is(twelve(bytes[0]! | ((bytes[1]! & 0x0f) << 8)), 945);
  assert.is(twelve(bytes[2]! | ((bytes[1]! & 0xf0) << 4)), 955);
  assert.is(record.digital[0]![0], 945);
  assert.is(record.digital[1]![0], 955);
  assert.ok(Math.abs(record.physical[0]![0]! - 945 / 200) < 1e-6);
  assert.equal(record.header.comments[1], 'Aldomet, Inderal');
});

test('every real record in ../shared/data reads (sizes, initial values and checksums as promised)', async () => {
  if (!data) return;
  const manifest = (await readFile(join(data, 'manifest.csv'), 'utf8')).split('\n').slice(1).filter(Boolean);
  let read = 0;
  for (const line of manifest) {
    const path = line.split(',')[0]!;
    const record = await readWfdbRecord(join(data, path));
    assert.ok(record.nSamples > 0);
    read++;
  }
  assert.is(read, 207);
});

test('HR00001 (odd base time, lower-case units) reads as a 12-lead record with age and sex', async () => {
  if (!data) return;
  const dir = await mkdtemp(join(tmpdir(), 'wfdb-'));
  for (const ext of ['hea', 'dat']) await copyFile(join(data, `challenge-2021/HR00001.${ext}`), join(dir, `HR00001.${ext}`));
  const record = await readEcgRecord(join(dir, 'HR00001'));
  assert.is(record.fsHz, 500);
  assert.equal(record.meta, { age: 56, sex: 'Female' });
  assert.ok(Math.abs(record.signals[0]![0]! - -0.115) < 1e-6);
});

test.run();
