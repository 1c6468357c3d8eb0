/**
 * `ecg-lab digitize` and `ecg-lab classify` through the real CLI, with a
 * tiny model trained by the real stages (`ecg-lab run`, two cells:
 * hierarchy on and off) into a temporary run store: digitized leads score a
 * positive challenge SNR against the page's source record, the header names
 * the image copied beside it, every class gets a probability, a JPEG of
 * another size works, and a corrupt image or checkpoint is a clear error
 * naming the file while the other images are still processed. The ROI
 * boxes' arithmetic is checked in process against a heatmap of the known
 * boxes, and inference leaks no tensors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CHALLENGE_CLASSES } from '../../src/core/ecg.js';
import { silentLogger } from '../../src/core/logger.js';
import { createRng } from '../../src/core/rng.js';
import { readEcgRecord } from '../../src/data/wfdb-ecg.js';
import { recordSnr, snrSummary } from '../../src/metrics/index.js';
import { heatmapToBoxes, LAYOUT_GRIDS, rasterizeBoxes } from '../../src/page/roi-boxes.js';
import { nominalPlacements, refitTimeAxis, roiPlacements } from '../../src/page/lead-placement.js';
import { plottedSignals, type PageGroundTruth } from '../../src/render/ground-truth.js';
import { roiTargetBoxes } from '../../src/train/stages/page-truth.js';
import { loadTrainedCell, readCellConfig, resolveCellRef } from '../../src/inference/load-cell.js';
import { inferImage } from '../../src/inference/infer-image.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { loadBackend } from '../train/helpers.js';
import { blackPng } from '../render/png-fixture.js';

/**
 * Tiny models, 50 DPI pages of 16 synthetic records. The digitizer gets
 * more epochs than the stage tests give it (its SNR is asserted here), and
 * nominal boxes: a ROI model trained for a few steps on 11 pages does not
 * yet find the rows (the ROI path is checked below against known boxes).
 */
const TRAIN_ARGS = [
  'data.records=16',
  'render.dpi=50',
  'digitizer.roi=false',
  'digitizer.denoise=false',
  'model.classifier2d.widths=[8,16]',
  'model.digitizer.widths=[8,16]',
  'model.classifier1d.widths=[8,16]',
  'train.patience=0',
  'train.classifier2d.epochs=2',
  'train.digitizer.epochs=16',
  'train.classifier1d.epochs=2',
  'train.hierarchical.epochs=1',
];

const dir = mkdtempSync(join(tmpdir(), 'ecg-infer-'));
const runs = join(dir, 'runs');
const env = { ECG_LAB_RUNS: runs };
const pages = join(dir, 'pages');
let sweepId = '';
let onCell = '';
let offCell = '';

function page(name: string): string {
  return join(pages, `${name}.png`);
}

function groundTruth(name: string): PageGroundTruth {
  return JSON.parse(readFileSync(join(pages, `${name}.json`), 'utf8')) as PageGroundTruth;
}

async function snrOf(headerDir: string, record: string, gt: PageGroundTruth): Promise<number> {
  const digitized = await readEcgRecord(join(headerDir, record));
  assert.is(digitized.fsHz, gt.fsHz);
  return snrSummary([recordSnr(plottedSignals(gt), digitized.signals, gt.fsHz)]).mean;
}

function ok(result: CliResult, what: string): void {
  assert.is(result.status, 0, `${what}: exit ${result.status}\n${result.stderr}`);
}

test.before(async () => {
  writeFileSync(join(dir, 'infer.yaml'), 'defaults:\n  - data: synthetic\n  - render: clean\n  - model: small\nsweep:\n  model.hierarchy: [true, false]\n');
  ok(cli(['run', join(dir, 'infer.yaml'), ...TRAIN_ARGS], { env }), 'run');
  sweepId = readdirSync(join(runs, 'infer'))[0] ?? '';
  onCell = `infer/${sweepId}/c00`;
  offCell = `infer/${sweepId}/c01`;
  // Pages the model never saw (another seed), with their ground truth.
  ok(cli(['generate', 'images', '--n', '2', '--out', pages, 'render.dpi=50', 'seed=91']), 'generate images');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('digitize: WFDB leads with a positive challenge SNR against the source record; the header names the copied image', async () => {
  const out = join(dir, 'digitized');
  const result = cli(['digitize', page('syn-000000'), page('syn-000001'), '--model', onCell, '--out', out], { env });
  ok(result, 'digitize');
  for (const name of ['syn-000000', 'syn-000001']) {
    const header = readFileSync(join(out, `${name}.hea`), 'utf8');
    assert.match(header, new RegExp(`^# Image: ${name}-0\\.png$`, 'm'));
    assert.not.match(header, /# Labels:/, 'labels only with --classify');
    assert.ok(readFileSync(join(out, `${name}-0.png`)).equals(readFileSync(page(name))), 'the image is copied beside the header');
    assert.match(header.split('\n')[0] as string, new RegExp(`^${name} 12 100 1000`));
    const snr = await snrOf(out, name, groundTruth(name));
    assert.ok(snr > 0, `${name}: mean SNR ${snr.toFixed(2)} dB`);
  }
});

test('digitize --classify writes # Labels: with the challenge classes', () => {
  const out = join(dir, 'digitized-labels');
  ok(cli(['digitize', page('syn-000000'), '--model', offCell, '--out', out, '--classify'], { env }), 'digitize --classify');
  const header = readFileSync(join(out, 'syn-000000.hea'), 'utf8');
  const labels = /^# Labels:(.*)$/m.exec(header)?.[1]?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  assert.ok(labels !== undefined, header);
  for (const label of labels) assert.ok((CHALLENGE_CLASSES as readonly string[]).includes(label), label);
  assert.ok(header.indexOf('# Labels:') < header.indexOf('# Image:'), 'labels before the image line, as the challenge writes them');
});

test('classify prints the 11 classes with probabilities, hierarchical and image-only, table and JSON', () => {
  for (const [cell, model] of [[onCell, 'hierarchical'], [offCell, 'image']] as const) {
    const json = cli(['classify', page('syn-000000'), '--model', cell, '--json'], { env });
    ok(json, `classify --json ${cell}`);
    const [entry] = JSON.parse(json.stdout) as { ok: boolean; model: string; labels: string[]; probabilities: Record<string, number>; thresholds: Record<string, number> }[];
    assert.ok(entry?.ok);
    assert.is(entry?.model, model);
    assert.equal(Object.keys(entry?.probabilities ?? {}), [...CHALLENGE_CLASSES]);
    for (const cls of CHALLENGE_CLASSES) {
      const p = entry?.probabilities[cls] as number;
      assert.ok(p >= 0 && p <= 1, `${cls}: ${p}`);
      assert.is(entry?.labels.includes(cls), p >= (entry?.thresholds[cls] as number), `${cls}: label iff p >= threshold`);
    }
  }
  const table = cli(['classify', page('syn-000000'), '--model', onCell], { env });
  ok(table, 'classify');
  for (const cls of CHALLENGE_CLASSES) assert.match(table.stdout, new RegExp(`^${cls.replace('/', '\\/')}\\s+0\\.\\d{3}\\s+\\d\\.\\d{3}`, 'm'));
});

test('a JPEG of another size and aspect is digitized and classified', async () => {
  const jpeg = join(dir, 'photo of page.jpeg');
  await sharp(page('syn-000001')).resize(1000, 700, { fit: 'fill' }).jpeg({ quality: 85 }).toFile(jpeg);
  const out = join(dir, 'digitized-jpeg');
  ok(cli(['digitize', jpeg, '--model', onCell, '--out', out], { env }), 'digitize jpeg');
  const header = readFileSync(join(out, 'photo_of_page.hea'), 'utf8');
  assert.match(header, /^# Image: photo_of_page-0\.jpg$/m);
  assert.ok(existsSync(join(out, 'photo_of_page-0.jpg')));
  const snr = await snrOf(out, 'photo_of_page', groundTruth('syn-000001'));
  assert.ok(snr > 0, `resized JPEG: mean SNR ${snr.toFixed(2)} dB`);
  ok(cli(['classify', jpeg, '--model', onCell], { env }), 'classify jpeg');
});

test('a corrupt image is an IMAGE_INVALID error naming the file; the other images are still processed, exit 1', () => {
  const bad = join(dir, 'corrupt.png');
  const rng = createRng('corrupt image');
  writeFileSync(bad, Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rng.next() * 256))));
  const out = join(dir, 'digitized-mixed');
  const digitized = cli(['digitize', bad, page('syn-000000'), '--model', onCell, '--out', out], { env });
  assert.is(digitized.status, 1, digitized.stderr);
  assert.match(digitized.stderr, bad);
  assert.match(digitized.stderr, 'IMAGE_INVALID');
  assert.ok(existsSync(join(out, 'syn-000000.hea')), 'the good image is still written');
  assert.not.ok(existsSync(join(out, 'corrupt.hea')));
  const classified = cli(['classify', page('syn-000000'), bad, '--model', offCell, '--json'], { env });
  assert.is(classified.status, 1, classified.stderr);
  assert.match(classified.stderr, bad);
  const entries = JSON.parse(classified.stdout) as { ok: boolean; code?: string }[];
  assert.equal(entries.map((e) => e.ok), [true, false]);
  assert.is(entries[1]?.code, 'IMAGE_INVALID');
});

test('an image over the pixel limit names its size and --max-pixels; the option raises the limit', () => {
  const huge = blackPng(20_000, 20_000);
  const refused = cli(['classify', huge, '--model', offCell], { env });
  assert.is(refused.status, 1, refused.stderr);
  for (const part of ['20000 x 20000', '--max-pixels 400000000']) assert.ok(refused.stderr.includes(part), `"${refused.stderr}" lacks "${part}"`);
  const raised = cli(['classify', huge, '--model', offCell, '--max-pixels', '400000000', '--json'], { env });
  assert.not.match(raised.stderr, 'pixel limit');
});

test('a truncated checkpoint is a CHECKPOINT_CORRUPT error naming the file', () => {
  const copy = join(dir, 'copied-cell');
  mkdirSync(copy);
  cpSync(join(runs, 'infer', sweepId, 'cells', 'c00'), copy, { recursive: true });
  // c00 fine-tuned end to end: digitize reads the fine-tuned digitizer (load-cell.ts cellArtifacts), so that is the one to break.
  const weights = join(copy, 'artifacts', 'hierarchical', 'digitizer', 'weights.bin');
  truncateSync(weights, 100);
  const result = cli(['digitize', page('syn-000000'), '--model', copy, '--out', join(dir, 'never')], { env });
  assert.is(result.status, 1, result.stderr);
  assert.match(result.stderr, weights);
  assert.match(result.stderr, /truncated/);
  assert.not.ok(existsSync(join(dir, 'never', 'syn-000000.hea')));
});

test('--model: full reference, sweep/cell, prefixes and a cell folder name the cell; ambiguity and misses are refused', async () => {
  const want = join(runs, 'infer', sweepId, 'cells', 'c00');
  for (const ref of [onCell, `${sweepId}/c00`, `${sweepId.slice(0, 10)}/c00`, `infer/${sweepId.slice(0, 10)}/c00`, want]) {
    assert.is((await resolveCellRef(ref, runs, dir)).dir, want, ref);
  }
  for (const ref of ['infer', sweepId.slice(0, 10), `${sweepId}/c0`, 'nothing/here']) {
    await resolveCellRef(ref, runs, dir).then(
      () => assert.unreachable(ref),
      (error: { code: string; message: string }) => {
        assert.is(error.code, 'RUN_NOT_FOUND');
        if (ref !== 'nothing/here') assert.match(error.message, 'c01');
      },
    );
  }
});

test('ROI boxes: a heatmap of the layout\'s target bands gives back the nominal crops and baselines', () => {
  const gt = groundTruth('syn-000000');
  const size = { width: gt.width, height: gt.height };
  const heatmap = { data: rasterizeBoxes(roiTargetBoxes(gt), 128, 160), height: 128, width: 160 };
  const found = heatmapToBoxes(heatmap, LAYOUT_GRIDS['3x4']);
  assert.is(found.length, 13);
  const nominal = nominalPlacements(gt.render, size);
  const placed = roiPlacements(nominal, found, size);
  placed.forEach((p, i) => {
    const n = nominal[i]!;
    assert.is(p.leadIndex, n.leadIndex);
    // Within a heatmap pixel (page / 128 rows, page / 160 columns) of the nominal box and baseline.
    assert.ok(Math.abs(p.box.y1 - n.box.y1) < 2 / 128 && Math.abs(p.box.y2 - n.box.y2) < 2 / 128, `lead ${i} rows`);
    assert.ok(Math.abs(p.box.x1 - n.box.x1) < 2 / 160 && Math.abs(p.box.x2 - n.box.x2) < 2 / 160, `lead ${i} columns`);
    assert.ok(Math.abs(p.baselineY - n.baselineY) < (2 * gt.height) / 128, `lead ${i} baseline ${p.baselineY} vs ${n.baselineY}`);
  });
});

test('time axis at the page scale: ROI boxes moved and stretched within a row come back to one axis at px per second, placed by their mean offset', () => {
  const gt = groundTruth('syn-000000');
  const size = { width: gt.width, height: gt.height };
  const nominal = nominalPlacements(gt.render, size);
  const pxPerS = gt.pxPerS;
  // Every box moved 3 px right, each edge jittered by 1 px either way (so panels up to 2 px too wide or narrow).
  const jittered = nominal.map((p, i) => {
    const x1 = p.box.x1 * (size.width - 1) + 3 + (i % 2 ? 1 : -1);
    const x2 = p.box.x2 * (size.width - 1) + 3 + (i % 3 ? -1 : 1);
    return { ...p, box: { ...p.box, x1: x1 / (size.width - 1), x2: x2 / (size.width - 1) } };
  });
  const refit = refitTimeAxis(jittered, size, pxPerS);
  refit.forEach((p, i) => {
    const n = nominal[i]!;
    const px = (v: number) => v * (size.width - 1);
    assert.ok(Math.abs(px(p.box.x2) - px(p.box.x1) - (p.endS - p.startS) * pxPerS) < 1e-6, `lead ${i}: width at the page scale`);
    assert.ok(Math.abs(px(p.box.x1) - px(n.box.x1) - 3) <= 1 + 1e-6, `lead ${i}: start ${px(p.box.x1)} vs ${px(n.box.x1)} + 3`);
    assert.is(p.box.y1, n.box.y1);
    assert.is(p.baselineY, n.baselineY);
  });
  // Panels of one row share one axis: each starts where the previous one ends.
  const row0 = refit.filter((p) => p.row === 0).sort((a, b) => a.startS - b.startS);
  for (let k = 1; k < row0.length; k++) assert.ok(Math.abs(row0[k]!.box.x1 - row0[k - 1]!.box.x2) < 1e-9);
  assert.throws(() => refitTimeAxis(jittered, size, 0), /pxPerS must be > 0/);
});

test('digitize --time-axis: page-scale and image are read; another value is refused naming the allowed ones', () => {
  const bad = cli(['digitize', page('syn-000000'), '--model', onCell, '--out', join(dir, 'axis-bad'), '--time-axis', 'ruler'], { env });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, 'time-axis');
  assert.match(bad.stderr, 'page-scale');
  const good = cli(['digitize', page('syn-000000'), '--model', onCell, '--out', join(dir, 'axis'), '--time-axis', 'page-scale'], { env });
  ok(good, 'digitize --time-axis page-scale');
  assert.ok(existsSync(join(dir, 'axis', 'syn-000000.hea')));
  const image = cli(['digitize', page('syn-000000'), '--model', onCell, '--out', join(dir, 'axis-image'), '--time-axis', 'image'], { env });
  ok(image, 'digitize --time-axis image');
  assert.ok(existsSync(join(dir, 'axis-image', 'syn-000000.hea')));
});

test('digitize --rectify: rotation and perspective are read; another value is refused naming the allowed ones', () => {
  const bad = cli(['digitize', page('syn-000000'), '--model', onCell, '--out', join(dir, 'rectify-bad'), '--rectify', 'affine'], { env });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, 'rectify');
  assert.match(bad.stderr, 'perspective');
  for (const how of ['rotation', 'perspective']) {
    const good = cli(['digitize', page('syn-000000'), '--model', onCell, '--out', join(dir, `rectify-${how}`), '--rectify', how], { env });
    ok(good, `digitize --rectify ${how}`);
    assert.ok(existsSync(join(dir, `rectify-${how}`, 'syn-000000.hea')));
  }
});

test('given placements replace the found ones: the same placements read the same leads, placements a row band off the traces read worse', async () => {
  await loadBackend();
  const cell = await loadTrainedCell(await resolveCellRef(offCell, runs, dir), { digitize: true, classify: false, logger: silentLogger });
  try {
    const gt = groundTruth('syn-000000');
    const reference = plottedSignals(gt);
    const found = await inferImage(cell, page('syn-000000'), { logger: silentLogger });
    let seen = 0;
    const same = await inferImage(cell, page('syn-000000'), {
      logger: silentLogger,
      placements: (_size, placements) => {
        seen = placements.length;
        return [...placements];
      },
    });
    assert.is(seen, 13);
    assert.equal(same.signals, found.signals);
    const moved = await inferImage(cell, page('syn-000000'), {
      logger: silentLogger,
      placements: (_size, placements) => placements.map((p) => ({ ...p, box: { ...p.box, y1: p.box.y1 + 0.07, y2: p.box.y2 + 0.07 } })),
    });
    const snr = (signals: readonly Float32Array[] | null) => snrSummary([recordSnr(reference, signals ?? undefined, gt.fsHz)]).mean;
    assert.ok(snr(moved.signals) < snr(found.signals) - 3, `moved ${snr(moved.signals)} dB, found ${snr(found.signals)} dB`);
  } finally {
    cell.dispose();
  }
});

test('inference leaks no tensors', async () => {
  await loadBackend();
  const ref = await resolveCellRef(onCell, runs, dir);
  await readCellConfig(ref);
  const cell = await loadTrainedCell(ref, { digitize: true, classify: true, logger: silentLogger });
  try {
    await inferImage(cell, page('syn-000000'), { logger: silentLogger });
    const before = tf.memory().numTensors;
    const result = await inferImage(cell, page('syn-000001'), { logger: silentLogger });
    assert.is(tf.memory().numTensors, before);
    assert.is(result.signals?.length, 12);
    assert.is(result.classification?.model, 'hierarchical');
  } finally {
    cell.dispose();
  }
});

test.run();
