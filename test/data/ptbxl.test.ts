import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, writeFile, copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPtbxl } from '../../src/data/ptbxl.js';
import { readCsv } from '../../src/data/csv.js';
import { parseScpCodes, parseStringList } from '../../src/data/python-literal.js';
import { challengeLabels } from '../../src/data/ptbxl-labels.js';
import { assignSplits } from '../../src/data/split.js';
import { capturingLogger } from '../../src/core/logger.js';
import { isEcgError } from '../../src/core/errors.js';
import { measureIntervals } from '../../src/data/rpeaks.js';
import { sharedDataOrSkip } from './shared-data.js';

const data = sharedDataOrSkip('PTB-XL loader');

test('Python literals: scp_codes dicts and 12SL lists; anything else refused', () => {
  assert.equal([...parseScpCodes("{'IMI': 35.0, 'ABQRS': 0.0, 'SR': 0.0}")], [['IMI', 35], ['ABQRS', 0], ['SR', 0]]);
  assert.equal(parseStringList("['NSR', 'LVH']"), ['NSR', 'LVH']);
  for (const bad of ["{'A': x}", "{'A': 1.0", "['A'] extra"]) {
    try {
      parseScpCodes(bad);
      assert.unreachable(bad);
    } catch (error) {
      assert.ok(isEcgError(error, 'DATA_INVALID'));
    }
  }
});

test('labels of the 160 PTB-XL records equal manifest.csv challenge2024_labels (MI -> Old MI without PTB-XL+)', async () => {
  if (!data) return;
  const logger = capturingLogger();
  const { records, acuteMiResolved } = await loadPtbxl({ path: join(data, 'ptb-xl'), fsHz: 100, durationS: 10, limit: 0, logger });
  assert.is(records.length, 160);
  assert.is(acuteMiResolved, false);
  assert.is(logger.lines.filter((l) => l.level === 'warn').length, 1, 'one warning for the whole load');
  const manifest = await readCsv(join(data, 'manifest.csv'));
  const expected = new Map(
    manifest.rows.filter((r) => r['dataset'] === 'PTB-XL').map((r) => [r['record_name'], (r['challenge2024_labels'] ?? '').split(';').filter(Boolean).map((l) => (l === 'MI' ? 'Old MI' : l))]),
  );
  let compared = 0;
  for (const record of records) {
    assert.equal([...record.labels], expected.get(record.name), record.name);
    compared++;
  }
  assert.is(compared, 160);
  const first = records[0]!;
  assert.is(first.patientId, '15709');
  assert.is(first.stratFold, 3);
  assert.is(first.meta?.['sex'], 'F');
});

test('Acute MI comes from PTB-XL+ 12SL statements when the files are present', async () => {
  if (!data) return;
  const root = await mkdtemp(join(tmpdir(), 'ptbxl-'));
  const records = join(root, 'records100', '00000');
  await mkdir(records, { recursive: true });
  await mkdir(join(root, 'labels', 'mapping'), { recursive: true });
  await copyFile(join(data, 'ptb-xl/scp_statements.csv'), join(root, 'scp_statements.csv'));
  const rows = ['ecg_id,patient_id,age,sex,scp_codes,strat_fold,filename_lr,filename_hr'];
  for (const [id, codes] of [[8, "{'IMI': 35.0, 'ABQRS': 0.0, 'SR': 0.0}"], [9, "{'IMI': 100.0}"], [10, "{'NORM': 100.0}"]] as const) {
    const name = `000${String(id).padStart(2, '0')}_lr`;
    await copyFile(join(data, 'ptb-xl/records100/00000/00001_lr.dat'), join(records, `${name}.dat`));
    const header = await readFile(join(data, 'ptb-xl/records100/00000/00001_lr.hea'), 'utf8');
    await writeFile(join(records, `${name}.hea`), header.replaceAll('00001_lr', name));
    rows.push(`${id},${id}.0,50.0,0,"${codes}",${id},records100/00000/${name},records500/00000/${name.replace('lr', 'hr')}`);
  }
  await writeFile(join(root, 'ptbxl_database.csv'), rows.join('\n') + '\n');
  await writeFile(join(root, 'labels', '12sl_statements.csv'), `ecg_id,statements\n8,"['SR', 'IMI', 'ACUTE']"\n9,"['SR', 'OLDIMI']"\n10,"['ACUTEX']"\n`);
  await writeFile(join(root, 'labels', 'mapping', '12slv23ToSNOMED.csv'), `StatementNumber,Acronym,SNOMED\n821,ACUTE,1\n700,OLDIMI,2\n`);
  const logger = capturingLogger();
  const loaded = await loadPtbxl({ path: root, fsHz: 100, durationS: 10, limit: 0, logger });
  assert.is(loaded.acuteMiResolved, true);
  assert.is(logger.lines.length, 0);
  assert.equal(loaded.records.map((r) => r.labels), [['Acute MI'], ['Old MI'], ['NORM']]);
  const split = assignSplits(loaded.records, { method: 'strat_fold', val: 0, test: 0, seed: 0 });
  assert.equal(split, ['train', 'val', 'test']);
});

test('challengeLabels: every code counts whatever its likelihood; rhythm codes map as the Challenge does', () => {
  const superclass = new Map([['NORM', 'NORM'], ['IMI', 'MI'], ['NDT', 'STTC']]);
  assert.equal(challengeLabels(['NORM', 'SBRAD', 'PAC'], superclass), ['NORM', 'PAC', 'BRADY']);
  assert.equal(challengeLabels(['IMI', 'NDT', 'AFLT', 'PSVT', 'PVC'], superclass), ['Old MI', 'STTC', 'PVC', 'AFIB/AFL', 'TACHY']);
  assert.equal(challengeLabels(['PACE'], superclass), []);
});

test('seeded split keeps patients together and is reproducible', async () => {
  if (!data) return;
  const { records } = await loadPtbxl({ path: join(data, 'ptb-xl'), fsHz: 100, durationS: 10, limit: 0, logger: capturingLogger() });
  const options = { method: 'seeded' as const, val: 0.15, test: 0.2, seed: 4 };
  const a = assignSplits(records, options);
  assert.equal(a, assignSplits(records, options));
  const byPatient = new Map<string, Set<string>>();
  records.forEach((r, i) => byPatient.set(r.patientId!, (byPatient.get(r.patientId!) ?? new Set()).add(a[i]!)));
  assert.ok([...byPatient.values()].every((s) => s.size === 1));
  assert.ok(Math.abs(a.filter((s) => s === 'test').length - 32) <= 3);
  assert.throws(() => assignSplits(records.map(({ stratFold, ...r }) => r), { ...options, method: 'strat_fold' }), /strat_fold/);
});

test('the detector finds sinus bradycardia in PTB-XL 00002_lr (SBRAD) and a normal rate in 00001_lr', async () => {
  if (!data) return;
  const { records } = await loadPtbxl({ path: join(data, 'ptb-xl'), fsHz: 100, durationS: 10, limit: 2, logger: capturingLogger() });
  const [norm, brady] = records.map((r) => measureIntervals(r.signals, 100).heartRateBpm);
  assert.ok(norm! >= 60 && norm! <= 100, `00001_lr ${norm}`);
  assert.ok(brady! < 60, `00002_lr ${brady}`);
});

test.run();
