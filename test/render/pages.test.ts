import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGroundTruth, readRenderedPages, renderPagesToDir, renderPage, writeChallengeRecord, plottedSignals, defaultRenderConfig } from '../../src/render/index.js';
import { nominalLeadBoxes } from '../../src/page/layout.js';
import { readEcgRecord } from '../../src/data/wfdb-ecg.js';
import { readPtbxl00001, syntheticRecord } from './fixtures.js';

test('render pages to a folder and read them back by split, with ground truth', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-render-'));
  try {
    const jobs = [
      { split: 'train' as const, record: syntheticRecord('a') },
      { split: 'test' as const, record: syntheticRecord('b') },
    ];
    const manifest = await renderPagesToDir(dir, jobs, { noise: 0.3, dpi: 60 }, { seed: 1 });
    assert.equal(manifest.counts, { train: 1, val: 0, test: 1 });
    const test = await readRenderedPages(dir, 'test');
    assert.is(test.length, 1);
    assert.is(test[0]!.record, 'b');
    for (const p of [test[0]!.imagePath, test[0]!.cleanPath, test[0]!.maskPath]) assert.ok(p !== null && existsSync(p), String(p));
    const gt = await readGroundTruth(test[0]!);
    assert.is(gt.files.image, 'b.jpg', 'a noisy page is kept as the JPEG its distortions end in');
    assert.is(gt.files.clean, 'b-clean.png');
    const all = await readRenderedPages({ dir, manifest });
    assert.is(all.length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pages of splits outside cleanTwinSplits: no clean twin on disk or in the manifest, and the other files are the bytes written with twins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-render-'));
  try {
    const jobs = [{ split: 'train' as const, record: syntheticRecord('a') }, { split: 'val' as const, record: syntheticRecord('b') }];
    for (const [sub, cleanTwinSplits] of [['with', undefined], ['without', []]] as const) await renderPagesToDir(join(dir, sub), jobs, { noise: 0.5, dpi: 60 }, { seed: 2, cleanTwinSplits });
    const names = readdirSync(join(dir, 'without')).sort();
    assert.equal(names, ['a-mask.png', 'a.jpg', 'a.json', 'b-mask.png', 'b.jpg', 'b.json', 'manifest.json']);
    assert.ok(readdirSync(join(dir, 'with')).includes('a-clean.png'));
    const pages = await readRenderedPages(join(dir, 'without'));
    assert.ok(pages.every((p) => p.clean === null && p.cleanPath === null));
    for (const page of pages) {
      const gt = await readGroundTruth(page);
      assert.is(gt.files.clean, null);
      const withTwin = JSON.parse(await readFile(join(dir, 'with', page.groundTruth), 'utf8'));
      assert.equal({ ...gt, files: withTwin.files }, withTwin, 'the ground truth differs only in files.clean');
      for (const file of [page.image, page.mask]) assert.ok((await readFile(join(dir, 'without', file))).equals(await readFile(join(dir, 'with', file))), file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('plotted signals: the shown samples of each lead, NaN elsewhere', async () => {
  const record = readPtbxl00001();
  const { groundTruth } = await renderPage(record, { dpi: 60 }, { seed: 0 });
  const signals = plottedSignals(groundTruth);
  assert.ok(Number.isNaN(signals[0]![300]!), 'lead I is shown at 0-2.5 s only');
  assert.ok(Math.abs(signals[0]![100]! - record.signals[0]![100]!) < 1e-4);
  assert.ok(signals[1]!.every((v) => Number.isFinite(v)), 'lead II is shown in full by the rhythm strip');
});

test('nominal lead boxes scale to a requested image size and match the ground truth nominal boxes', async () => {
  const config = { ...defaultRenderConfig(), dpi: 100 };
  const { groundTruth } = await renderPage(readPtbxl00001(), config, { seed: 0 });
  const boxes = nominalLeadBoxes(config);
  assert.is(boxes.length, 13);
  boxes.forEach((b, i) => b.box.forEach((v, k) => assert.ok(Math.abs(v - groundTruth.leads[i]!.nominalBox[k]!) < 0.02)));
  const small = nominalLeadBoxes(config, { width: groundTruth.width / 2, height: groundTruth.height / 2 });
  assert.ok(Math.abs(small[5]!.box[2] + 0.5 - (boxes[5]!.box[2] + 0.5) / 2) < 1e-9);
});

test('challenge arrangement: .hea/.dat with # Image: and the PNG, readable as WFDB', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-challenge-'));
  try {
    const record = readPtbxl00001();
    const page = await renderPage(record, { dpi: 60 }, { seed: 0 });
    const header = await writeChallengeRecord(dir, record, page);
    const text = await readFile(header, 'utf8');
    assert.ok(text.includes('# Image: 00001_lr-0.png'), text);
    assert.ok((await readFile(join(dir, '00001_lr-0.png'))).equals(page.image));
    const back = await readEcgRecord(join(dir, '00001_lr'));
    assert.ok(Math.abs(back.signals[6]![123]! - record.signals[6]![123]!) < 1e-3);
    const noisy = await renderPage(record, { dpi: 60, noise: 0.5 }, { seed: 0 });
    const noisyHeader = await readFile(await writeChallengeRecord(join(dir, 'noisy'), record, { image: noisy.image }), 'utf8');
    assert.ok(noisyHeader.includes('# Image: 00001_lr-0.jpg'), noisyHeader);
    assert.ok((await readFile(join(dir, 'noisy', '00001_lr-0.jpg'))).equals(noisy.image));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
