/**
 * The HTML report in real headless Chromium (Debian's package, installed by
 * scripts/setup-chromium.sh): it loads with no console errors and its
 * screenshot is not blank. A page with a deliberate error checks the check.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildComparison, loadLocalRuns, parseBaseline, toHtml } from '../../src/report/index.js';
import { buildFixtureStore, cellId } from './fixture-store.js';

const CHROMIUM = process.env.ECG_LAB_CHROMIUM ?? '/usr/bin/chromium';
const root = await mkdtemp(join(tmpdir(), 'ecg-html-'));

/** Load a page headless: its console messages (from Chromium's log) and a screenshot. */
function loadInChromium(page: string, shot: string): { consoleLines: string[]; status: number | null } {
  const profile = join(root, `profile-${Date.now()}`);
  const result = spawnSync(
    CHROMIUM,
    [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0',
      '--window-size=1280,2000', '--virtual-time-budget=3000', `--screenshot=${shot}`, `file://${page}`,
    ],
    { encoding: 'utf8', timeout: 90_000 },
  );
  const consoleLines = `${result.stderr}`.split('\n').filter((l) => /CONSOLE|Uncaught|Failed to load resource|net::ERR_/.test(l));
  return { consoleLines, status: result.status };
}

const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === 'true') throw new Error(`no Chromium at ${CHROMIUM}: run bash scripts/setup-chromium.sh`);
  console.log(`SKIP html report: no Chromium at ${CHROMIUM} (bash scripts/setup-chromium.sh)`);
}

test('the report is one self-contained page with every section', async () => {
  await buildFixtureStore(root, { failed: [cellId(true, true, 0.5, 1)], missing: [cellId(false, true, 0.5, 0)], example: true });
  const cmp = buildComparison(await loadLocalRuns(root, ['paper-ablation']), { baseline: parseBaseline('model.hierarchy=false,digitizer.roi=false') });
  const html = await toHtml(cmp);
  await writeFile(join(root, 'report.html'), html);
  assert.not.match(html, /(src|href)="(https?:|\/\/|file:)/);
  for (const section of ['Ablation:', 'Differences against', 'Plots', 'Example pages', 'Cells', 'split: test']) assert.ok(html.includes(section), section);
  assert.is((html.match(/<img src="data:image\/svg\+xml;base64,/g) ?? []).length, 7);
  assert.is((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 1);
});

test('Chromium loads it with no console errors and the screenshot is not blank', async () => {
  if (!available) return;
  const shot = join(root, 'report.png');
  const { consoleLines, status } = loadInChromium(join(root, 'report.html'), shot);
  assert.is(status, 0);
  assert.equal(consoleLines, []);
  const meta = await sharp(shot).metadata();
  assert.equal([meta.width, meta.height], [1280, 2000]);
  const stats = await sharp(shot).stats();
  assert.ok(stats.channels.slice(0, 3).every((c) => c.stdev > 10), `blank screenshot: ${stats.channels.map((c) => c.stdev.toFixed(1))}`);
  if (process.env.ECG_LAB_KEEP_SCREENSHOT) await writeFile(process.env.ECG_LAB_KEEP_SCREENSHOT, await readFile(shot));
});

test('the console check sees an error when there is one', () => {
  if (!available) return;
  return (async () => {
    const page = join(root, 'broken.html');
    await writeFile(page, '<!doctype html><html><body><p>x</p><script>console.error("broken on purpose"); undefinedFn();</script></body></html>');
    const { consoleLines } = loadInChromium(page, join(root, 'broken.png'));
    assert.ok(consoleLines.some((l) => l.includes('broken on purpose')), consoleLines.join('\n'));
  })();
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test.run();
