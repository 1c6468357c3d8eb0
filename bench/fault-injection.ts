/**
 * Fault injection for issue 15 ("Nothing trusted that was not checked"): each
 * fault of the issue made real and the outcome observed, one table row per
 * case: case | expected | observed | ok/FAIL. The real `ecg-lab` command
 * from source does the work wherever a user would reach the fault (runs in
 * temp folders, the tiny test stages through ECG_LAB_PLUGINS, real PTB-XL
 * records from ../shared/data); library calls only where the CLI has no way
 * in (appending to a finished cell's metrics). Times are printed, never
 * judged. Exits 1 if any row failed; temp folders are removed.
 *
 *   node --import tsx bench/fault-injection.ts
 *   MLFLOW_TEST_URI=http://127.0.0.1:5000 node --import tsx bench/fault-injection.ts   (case 1 against a real MLflow)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fromCSV } from 'arquero';
import { RunStore } from '../src/tracking/run-store.js';
import { blackPng } from '../test/render/png-fixture.js';
import { forwardTo } from '../test/helpers/mlflow-forward.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const SHARED_DATA = resolve(ROOT, '..', 'shared', 'data');
const FOUNDATION = join(ROOT, 'test', 'fixtures', 'foundation');
const TINY = join(FOUNDATION, 'experiments', 'tiny.yaml');
const TINY_STAGES = join(FOUNDATION, 'stages.ts');
// Built at run time, so that a dirty tree's patch of this very file (a provenance artifact) does not hold it.
const SECRET = ['SEC', 'RET', '4711'].join('');

interface Row {
  readonly name: string;
  readonly expected: string;
  readonly observed: string;
  readonly ok: boolean;
}

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

const work = mkdtempSync(join(tmpdir(), 'ecg-fault-'));
const rows: Row[] = [];

/** `ecg-lab <args>` from source in a child process, asynchronously (case 1's server answers it from this process). */
function ecg(args: readonly string[], env: Record<string, string> = {}, timeoutS = 300): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, MLFLOW_TRACKING_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutS * 1000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done) => child.on('close', (status) => done({ status, stdout, stderr, seconds: (performance.now() - started) / 1000 })));
}

function folder(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const short = (hex: string | undefined) => (hex ?? '-').slice(0, 12);
const missing = (text: string, parts: readonly string[]) => parts.filter((part) => !text.includes(part));

/** The warning and error lines a command printed, joined, so a row can quote what a user reads. */
function said(run: CliRun, pattern: RegExp): string {
  return run.stderr.split('\n').filter((l) => pattern.test(l)).join(' / ');
}

interface CellView {
  readonly cellId: string;
  readonly status: string;
  readonly stages: Record<string, { key: string; cached: boolean; status: string }>;
  readonly tags: Record<string, string>;
}

/** The newest sweep of an experiment: its id and its cells' run.json. */
function latestSweep(runs: string, experiment: string): { id: string; cells: CellView[] } {
  const dir = join(runs, experiment);
  const sweeps = readdirSync(dir)
    .map((id) => JSON.parse(readFileSync(join(dir, id, 'sweep.json'), 'utf8')) as { id: string; createdAt: string; cells: { id: string }[] })
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  const sweep = sweeps.at(-1);
  if (!sweep) throw new Error(`no sweep of ${experiment} in ${runs}`);
  return { id: sweep.id, cells: sweep.cells.map((c) => JSON.parse(readFileSync(join(dir, sweep.id, 'cells', c.id, 'run.json'), 'utf8')) as CellView) };
}

function firstCell(runs: string, experiment: string): CellView {
  const cell = latestSweep(runs, experiment).cells[0];
  if (!cell) throw new Error(`the sweep of ${experiment} has no cell`);
  return cell;
}

/** What a case's body returns: one row, or several rows each with its own name and expectation. */
type Outcome = Pick<Row, 'observed' | 'ok'> & Partial<Pick<Row, 'name' | 'expected'>>;

async function attempt(name: string, expected: string, body: () => Promise<Outcome[] | Outcome>): Promise<void> {
  const started = performance.now();
  try {
    const outcome = await body();
    for (const row of Array.isArray(outcome) ? outcome : [outcome]) rows.push({ name, expected, ...row });
  } catch (error) {
    rows.push({ name, expected, observed: `threw: ${(error as Error).message}`, ok: false });
  }
  process.stderr.write(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Real PTB-XL records (100 Hz) copied with `# Labels:` lines from the manifest's challenge labels, as a wfdb-folder data set. */
function labelledPtbxlFolder(name: string, count: number): string {
  const dir = folder(name);
  const manifest = fromCSV(readFileSync(join(SHARED_DATA, 'manifest.csv'), 'utf8'), { parse: { challenge2024_labels: String, record: String } }).objects() as {
    record: string;
    challenge2024_labels: string;
  }[];
  const chosen = manifest.filter((r) => r.record.startsWith('ptb-xl/records100/') && r.challenge2024_labels).slice(0, count);
  for (const { record, challenge2024_labels: labels } of chosen) {
    const source = join(SHARED_DATA, record);
    const header = readFileSync(`${source}.hea`, 'utf8').replace(/\n*$/, '\n');
    writeFileSync(join(dir, `${basename(record)}.hea`), `${header}# Labels: ${labels.split(';').join(', ')}\n`);
    copyFileSync(`${source}.dat`, join(dir, `${basename(record)}.dat`));
  }
  return dir;
}

/** A copy of a real record whose every sample of every lead is WFDB's invalid marker -32768 (initial values and checksums to match). */
function addBlankRecord(dir: string, from: string, name: string): void {
  const lines = readFileSync(join(dir, `${from}.hea`), 'utf8').split('\n');
  const [record, nSignals, fs, nSamples] = (lines[0] ?? '').split(' ');
  const signals = lines.slice(1, 1 + Number(nSignals)).map((line) => {
    const fields = line.split(' ');
    fields[0] = `${name}.dat`;
    fields[5] = '-32768';
    fields[6] = '0'; // the sum of 1000 x -32768 is 0 modulo 65536
    return fields.join(' ');
  });
  if (record !== from) throw new Error(`${from}.hea names record ${record}`);
  writeFileSync(join(dir, `${name}.hea`), [`${name} ${nSignals} ${fs} ${nSamples}`, ...signals, ...lines.slice(1 + Number(nSignals))].join('\n'));
  const samples = Number(nSignals) * Number(nSamples);
  const dat = Buffer.alloc(2 * samples);
  for (let i = 0; i < samples; i++) dat.writeInt16LE(-32768, 2 * i);
  writeFileSync(join(dir, `${name}.dat`), dat);
}

/** An experiment of the real data stage alone over a wfdb-folder, in a folder without configs/ (the repo's configs apply). */
function dataOnlyExperiment(): string {
  const path = join(folder('experiments'), 'data-only.yaml');
  writeFileSync(path, 'defaults:\n  - data: wfdb-folder\nstages: [data]\n');
  return path;
}

// ---------------------------------------------------------------------------------------------------------------------

await attempt('0 page text without system fonts', 'a page rendered with fontconfig pointed at an empty config is byte-identical', async () => {
  const fonts = folder('fonts');
  const emptyConfig = join(fonts, 'fonts.conf');
  writeFileSync(emptyConfig, `<?xml version="1.0"?>\n<fontconfig><cachedir>${fonts}/cache</cachedir></fontconfig>\n`);
  const noFonts = { FONTCONFIG_FILE: emptyConfig, FONTCONFIG_PATH: fonts };
  const count = (env: Record<string, string>) => spawnSync('fc-list', [], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout?.split('\n').filter(Boolean).length;
  const generate = (out: string, env: Record<string, string>) => ecg(['generate', 'images', '--n', '1', '--out', out, 'render.noise=0.5', 'render.dpi=60', 'seed=5'], env);
  const [normal, bare] = [folder('fonts-normal'), folder('fonts-none')];
  const runs = await Promise.all([generate(normal, {}), generate(bare, noFonts)]);
  const failed = runs.find((r) => r.status !== 0);
  if (failed) return { observed: `generate images exit ${failed.status}: ${failed.stderr.trim().split('\n').at(-1)}`, ok: false };
  const names = readdirSync(normal).sort();
  const differing = names.filter((n) => !existsSync(join(bare, n)) || sha256(readFileSync(join(normal, n))) !== sha256(readFileSync(join(bare, n))));
  const page = names.find((n) => /\.(png|jpg)$/.test(n) && !/-(clean|mask)\.png$/.test(n)) ?? '';
  return {
    observed: `fc-list: ${count({})} fonts normally, ${count(noFonts)} with the empty config; ${names.length - differing.length}/${names.length} files identical${differing.length ? ` (differ: ${differing.join(', ')})` : ''}; page ${page} sha256 ${short(sha256(readFileSync(join(normal, page))))}`,
    ok: differing.length === 0 && names.length > 0 && readdirSync(bare).length === names.length,
  };
});

/** Answers as an MLflow tracking server does for what ecg-lab sends (as test/tracking/redact.test.ts's stand-in). */
function fakeMlflow(req: IncomingMessage, body: string, res: ServerResponse, state: { experiments: Map<string, string>; runs: number }): void {
  const send = (status: number, answer: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };
  const url = new URL(req.url ?? '/', 'http://x');
  const json = req.headers['content-type'] === 'application/json' && body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const route = `${req.method} ${url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '')}`;
  if (route === 'GET experiments/get-by-name') {
    const name = url.searchParams.get('experiment_name') ?? '';
    const id = state.experiments.get(name);
    if (id === undefined) return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `no experiment ${name}` });
    return send(200, { experiment: { experiment_id: id, name, artifact_location: `mlflow-artifacts:/${id}`, lifecycle_stage: 'active' } });
  }
  if (route === 'POST experiments/create') {
    const id = String(state.experiments.size + 1);
    state.experiments.set(String(json.name), id);
    return send(200, { experiment_id: id });
  }
  if (route === 'POST runs/search') return send(200, { runs: [] });
  if (route === 'POST runs/create') {
    const id = `run${++state.runs}`;
    const info = { run_id: id, experiment_id: json.experiment_id, run_name: json.run_name, status: 'RUNNING', start_time: json.start_time, artifact_uri: `mlflow-artifacts:/${String(json.experiment_id)}/${id}/artifacts`, lifecycle_stage: 'active' };
    return send(200, { run: { info } });
  }
  if (route === 'POST runs/log-batch') return send(200, {});
  if (route === 'POST runs/update') return send(200, { run_info: { run_id: json.run_id, status: json.status } });
  if (route === 'GET metrics/get-history') return send(200, { metrics: [] });
  if (req.method === 'PUT' && url.pathname.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) return send(200, {});
  return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: route });
}

await attempt('1 password in tracking.uri', 'exit 0; SECRET in no file under runs/, no request URL or body, nothing printed', async () => {
  const upstream = process.env['MLFLOW_TEST_URI']?.replace(/\/+$/, '');
  const received: { url: string; body: string; authorization: string | undefined }[] = [];
  const state = { experiments: new Map<string, string>(), runs: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ url: req.url ?? '', body, authorization: req.headers.authorization });
      if (!upstream) return fakeMlflow(req, body, res, state);
      forwardTo(upstream)(req, body, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const runs = folder('runs-1');
    const r = await ecg(['run', TINY, `tracking.uri=http://alice:${SECRET}@127.0.0.1:${port}`, 'render.noise=0,0.5', '--jobs', '2'], {
      ECG_LAB_RUNS: runs,
      ECG_LAB_PLUGINS: TINY_STAGES,
      TINY_EPOCH_MS: '0',
    });
    const files = filesUnder(runs);
    const leaking = files.filter((f) => readFileSync(f).includes(SECRET));
    const sent = received.filter((q) => q.url.includes(SECRET) || q.body.includes(SECRET));
    const basic = `Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}`;
    const authenticated = received.filter((q) => q.authorization === basic).length;
    const printed = `${r.stdout}${r.stderr}`.includes(SECRET);
    return {
      observed: `exit ${r.status} (${upstream ? `real MLflow ${upstream}` : 'stand-in server'}); ${leaking.length} of ${files.length} files, ${sent.length} of ${received.length} requests hold it; printed: ${printed ? 'yes' : 'no'}; ${authenticated}/${received.length} requests authenticated as alice`,
      ok: r.status === 0 && files.length > 0 && received.length > 0 && leaking.length === 0 && sent.length === 0 && !printed && authenticated === received.length,
    };
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
});

await attempt(
  '2 WFDB folder edited',
  'unchanged: data stage cached; one label edited (same size, mtime put back): re-runs, new data.digest; a record deleted: re-runs, new data.digest',
  async () => {
    const data = labelledPtbxlFolder('wfdb-2', 10);
    const experiment = dataOnlyExperiment();
    const runs = folder('runs-2');
    const run = async (): Promise<CellView> => {
      const r = await ecg(['run', experiment, `data.path=${data}`], { ECG_LAB_RUNS: runs });
      if (r.status !== 0) throw new Error(`run exit ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
      return firstCell(runs, 'data-only');
    };
    const first = await run();
    const again = await run();
    const header = readdirSync(data).filter((f) => f.endsWith('.hea')).map((f) => join(data, f)).find((f) => /^# Labels: .*NORM/m.test(readFileSync(f, 'utf8')));
    if (!header) throw new Error('no NORM record to relabel');
    const before = statSync(header);
    writeFileSync(header, readFileSync(header, 'utf8').replace(/^(# Labels: .*)NORM/m, '$1STTC'));
    utimesSync(header, before.atime, before.mtime);
    const sameSize = statSync(header).size === before.size;
    const relabelled = await run();
    const deleted = readdirSync(data).filter((f) => f.endsWith('.hea')).sort().at(-1) as string;
    rmSync(join(data, deleted));
    rmSync(join(data, deleted.replace(/\.hea$/, '.dat')));
    const fewer = await run();
    const digest = (c: CellView) => short(c.tags['data.digest']);
    const ranAgain = (c: CellView) => (c.stages['data']?.cached ? 'cached' : 're-ran');
    return {
      observed:
        `unchanged: ${ranAgain(again)}, digest ${digest(again)}; ${basename(header)} NORM->STTC (same size: ${sameSize ? 'yes' : 'no'}): ${ranAgain(relabelled)}, ` +
        `digest ${digest(first)} -> ${digest(relabelled)}; ${deleted.replace(/\.hea$/, '')} deleted: ${ranAgain(fewer)}, digest -> ${digest(fewer)}`,
      ok:
        again.stages['data']?.cached === true &&
        again.tags['data.digest'] === first.tags['data.digest'] &&
        sameSize &&
        relabelled.stages['data']?.cached === false &&
        relabelled.stages['data']?.key !== first.stages['data']?.key &&
        relabelled.tags['data.digest'] !== first.tags['data.digest'] &&
        fewer.stages['data']?.cached === false &&
        fewer.tags['data.digest'] !== relabelled.tags['data.digest'],
    };
  },
);

/** Tiny real models, 16 synthetic records at 50 DPI: a cell `classify` and `digitize` accept (digitizer on nominal boxes, no denoiser). */
const CELL_ARGS = [
  'data.records=16',
  'render.dpi=50',
  'model.hierarchy=false',
  'digitizer.roi=false',
  'digitizer.denoise=false',
  'model.classifier2d.widths=[8,16]',
  'model.digitizer.widths=[8,16]',
  'train.patience=0',
  'train.classifier2d.epochs=1',
  'train.digitizer.epochs=1',
];
const cellRuns = folder('runs-3');
let trainedCell: string | undefined;

await attempt(
  '3 cache file damaged',
  'next run warns naming the file, moves the entry to {key}.corrupt-*, rebuilds it (signals.f32 same-size edit; weights.bin cut short)',
  async () => {
    const experiment = join(folder('experiments'), 'cell.yaml');
    writeFileSync(experiment, 'defaults:\n  - data: synthetic\n  - render: clean\n  - model: small\nstages: [data, render, roi, denoise, digitizer, classifier2d]\n');
    const env = { ECG_LAB_RUNS: cellRuns };
    const trained = await ecg(['run', experiment, ...CELL_ARGS], env);
    if (trained.status !== 0) throw new Error(`training the tiny cell: exit ${trained.status}: ${trained.stderr.trim().split('\n').at(-1)}`);
    const first = firstCell(cellRuns, 'cell');
    const dataKey = first.stages['data']?.key ?? '';
    const classifierKey = first.stages['classifier2d']?.key ?? '';
    const signals = join(cellRuns, '.cache', 'data', dataKey, 'signals.f32');
    const bytes = readFileSync(signals);
    bytes.writeFloatLE(bytes.readFloatLE(400) + 1, 400);
    writeFileSync(signals, bytes);
    const weights = join(cellRuns, '.cache', 'classifier2d', classifierKey, 'model', 'classifier2d', 'weights.bin');
    const weightsSize = statSync(weights).size;
    truncateSync(weights, Math.floor(weightsSize / 2));

    const rerun = await ecg(['run', experiment, ...CELL_ARGS], env);
    const second = latestSweep(cellRuns, 'cell');
    const cell = second.cells[0] as CellView;
    trainedCell = `cell/${second.id}/${cell.cellId}`;
    const aside = (stage: string, key: string) => readdirSync(join(cellRuns, '.cache', stage)).filter((n) => n.startsWith(`${key}.corrupt-`));
    const warned = (file: string) => said(rerun, /^warning: .*/).split(' / ').find((l) => l.includes(file)) ?? '';
    const rebuiltWeights = join(cellRuns, '.cache', 'classifier2d', classifierKey, 'model', 'classifier2d', 'weights.bin');
    const row = (name: string, stage: string, key: string, file: string, extra: string, good: boolean) => ({
      name,
      expected: `next run warns naming ${file}, moves the ${stage} entry to {key}.corrupt-*, rebuilds it`,
      observed: `exit ${rerun.status}; ${warned(file) ? `warned "${warned(file).slice(0, 140)}…"` : 'no warning naming it'}; aside: ${aside(stage, key).join(', ') || 'none'}; ${stage} ${cell.stages[stage]?.cached ? 'cached' : 're-ran'}${extra}`,
      ok: rerun.status === 0 && warned(file) !== '' && aside(stage, key).length === 1 && cell.stages[stage]?.cached === false && good,
    });
    const sameDigest = cell.tags['data.digest'] === first.tags['data.digest'];
    return [
      row('3a signals.f32 edited, same size', 'data', dataKey, 'signals.f32', `, digest ${short(cell.tags['data.digest'])} (${sameDigest ? 'same as before the damage' : `was ${short(first.tags['data.digest'])}`})`, sameDigest),
      row('3b weights.bin cut short', 'classifier2d', classifierKey, 'weights.bin', `, weights.bin ${existsSync(rebuiltWeights) ? statSync(rebuiltWeights).size : 0} bytes (was ${weightsSize}, cut to ${Math.floor(weightsSize / 2)})`, existsSync(rebuiltWeights) && statSync(rebuiltWeights).size === weightsSize),
    ];
  },
);

await attempt(
  '4 torn metrics line',
  'runs and compare exit 0; a torn last line (no newline yet) is left out; once later points follow it, a warning names file:line',
  async () => {
    const runs = folder('runs-4');
    const made = await ecg(['run', TINY], { ECG_LAB_RUNS: runs, ECG_LAB_PLUGINS: TINY_STAGES, TINY_EPOCH_MS: '0' });
    if (made.status !== 0) throw new Error(`tiny run exit ${made.status}: ${made.stderr.trim().split('\n').at(-1)}`);
    const sweep = latestSweep(runs, 'tiny');
    const cellId = sweep.cells[0]?.cellId ?? '';
    const file = join(runs, 'tiny', sweep.id, 'cells', cellId, 'metrics.jsonl');
    const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
    const last = lines.at(-1) ?? '';
    const tornLine = lines.length;
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n${last.slice(0, Math.floor(last.length / 2))}`);
    const readers = async () => [await ecg(['runs', '--runs', runs]), await ecg(['compare', 'tiny', '--runs', runs, '--format', 'csv'])];
    const [runsTorn, compareTorn] = await readers();
    const store = new RunStore(runs);
    await store.appendMetrics({ experiment: 'tiny', sweepId: sweep.id, cellId }, [{ name: 'f1/macro', value: 0.987, step: 0, timestamp: Date.now(), stage: 'tiny-train' }]);
    const [runsAfter, compareAfter] = await readers();
    const warning = `warning: ${file}:${tornLine} `;
    const named = (r: CliRun | undefined) => (r?.stderr.includes(warning) ? 'warns file:line' : 'no file:line warning');
    return [
      {
        name: '4a torn last line in metrics.jsonl',
        expected: 'runs and compare exit 0; the torn point is left out (no newline yet: it may still be being written)',
        observed: `torn last line ("${last.slice(0, 20)}…" cut in half): runs exit ${runsTorn?.status}, compare exit ${compareTorn?.status}; ${named(runsTorn)} / ${named(compareTorn)}`,
        ok: runsTorn?.status === 0 && compareTorn?.status === 0,
      },
      {
        name: '4b torn line, then a later point',
        expected: 'runs and compare exit 0 with a warning naming file:line; the later point is shown',
        observed: `a point appended after it (RunStore.appendMetrics; no CLI appends to a finished cell): runs exit ${runsAfter?.status}, compare exit ${compareAfter?.status}; ${named(runsAfter)} / ${named(compareAfter)}: "${said(runsAfter as CliRun, /^warning: /).replace(work, '$TMP').slice(0, 120)}"; appended f1/macro shown: ${runsAfter?.stdout.includes('0.987') && compareAfter?.stdout.includes('0.987') ? 'yes' : 'no'}`,
        ok: runsAfter?.status === 0 && compareAfter?.status === 0 && !!runsAfter?.stderr.includes(warning) && !!compareAfter?.stderr.includes(warning) && !!runsAfter?.stdout.includes('0.987'),
      },
    ];
  },
);

for (const [label, args, parts] of [
  ['5a data.path missing', ['data.source=wfdb-folder', 'data.path=/no/such/folder'], ['data.path = "/no/such/folder"', 'does not exist']],
  ['5b model.roi.inputHeight=66', ['model.roi.inputHeight=66'], ['model.roi.inputHeight = 66', 'divisible by 4', '64 or 68']],
  ['5c model.classifier2d.inputHeight=0', ['model.classifier2d.inputHeight=0'], ['model.classifier2d.inputHeight = 0', 'integer >= 1']],
] as const) {
  await attempt(label, `exit 2 naming ${parts.map((p) => `"${p}"`).join(', ')}; no stack trace; runs/ stays empty`, async () => {
    const runs = folder(`runs-${label.slice(0, 2)}`);
    const r = await ecg(['run', TINY, ...args], { ECG_LAB_RUNS: runs, ECG_LAB_PLUGINS: TINY_STAGES });
    const lacking = missing(r.stderr, parts);
    const written = readdirSync(runs);
    const stack = r.stderr.includes('    at ');
    return {
      observed: `exit ${r.status}: "${r.stderr.trim().split('\n').at(-1)?.slice(0, 160)}"${lacking.length ? `; lacks ${lacking.join(', ')}` : ''}${stack ? '; stack trace' : ''}; runs/ ${written.length ? `holds ${written.join(', ')}` : 'empty'}`,
      ok: r.status === 2 && lacking.length === 0 && !stack && written.length === 0,
    };
  });
}

await attempt('6a 10,000-cell sweep without --yes', 'exit 2 in under 5 s naming 10000 cells and --yes; runs/ stays empty (time printed, not judged)', async () => {
  const runs = folder('runs-6a');
  const list = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from).join(',');
  const r = await ecg(['run', TINY, `seed=${list(100)}`, `data.records=${list(100, 1)}`], { ECG_LAB_RUNS: runs, ECG_LAB_PLUGINS: TINY_STAGES }, 60);
  const startup = await ecg(['--version']);
  const lacking = missing(r.stderr, ['10000 cells', '--yes']);
  const written = readdirSync(runs);
  return {
    observed: `exit ${r.status} after ${r.seconds.toFixed(1)} s (process start included; \`ecg-lab --version\` alone: ${startup.seconds.toFixed(1)} s): "${r.stderr.trim().split('\n').at(-1)?.slice(0, 150)}"${lacking.length ? `; lacks ${lacking.join(', ')}` : ''}; runs/ ${written.length ? `holds ${written.join(', ')}` : 'empty'}`,
    ok: r.status === 2 && lacking.length === 0 && written.length === 0,
  };
});

await attempt('6b experiment named ...yaml / .cache.yaml', 'both run; sweeps land in runs/experiment and runs/cache; nothing beside runs/, no sweep in runs/.cache', async () => {
  const tree = folder('names');
  mkdirSync(join(tree, 'experiments'));
  symlinkSync(join(FOUNDATION, 'configs'), join(tree, 'configs'));
  const home = folder('names-home');
  const runs = join(home, 'runs');
  const statuses: string[] = [];
  for (const file of ['...yaml', '.cache.yaml']) {
    copyFileSync(TINY, join(tree, 'experiments', file));
    const r = await ecg(['run', join(tree, 'experiments', file)], { ECG_LAB_RUNS: runs, ECG_LAB_PLUGINS: TINY_STAGES });
    statuses.push(`${file} exit ${r.status}`);
  }
  const beside = readdirSync(home);
  const inRuns = readdirSync(runs).sort();
  const sweepInCache = readdirSync(join(runs, '.cache')).some((entry) => existsSync(join(runs, '.cache', entry, 'sweep.json')));
  const sweepsIn = (name: string) => (existsSync(join(runs, name)) ? readdirSync(join(runs, name)).filter((s) => existsSync(join(runs, name, s, 'sweep.json'))).length : 0);
  return {
    observed: `${statuses.join(', ')}; home holds ${beside.join(', ')}; runs/ holds ${inRuns.join(', ')}; sweeps: experiment ${sweepsIn('experiment')}, cache ${sweepsIn('cache')}; sweep in runs/.cache: ${sweepInCache ? 'yes' : 'no'}`,
    ok: statuses.every((s) => s.endsWith('exit 0')) && beside.join() === 'runs' && inRuns.join() === '.cache,cache,experiment' && sweepsIn('experiment') === 1 && sweepsIn('cache') === 1 && !sweepInCache,
  };
});

await attempt('7a record with every lead -32768', 'data stage finishes; the record is left out with a warning naming it', async () => {
  const data = labelledPtbxlFolder('wfdb-7', 8);
  const source = readdirSync(data).find((f) => f.endsWith('.hea'))?.replace(/\.hea$/, '') ?? '';
  addBlankRecord(data, source, 'blank_lr');
  const runs = folder('runs-7a');
  const r = await ecg(['run', dataOnlyExperiment(), `data.path=${data}`], { ECG_LAB_RUNS: runs });
  const cell = firstCell(runs, 'data-only');
  const manifest = JSON.parse(readFileSync(join(runs, '.cache', 'data', cell.stages['data']?.key ?? '', 'manifest.json'), 'utf8')) as { records: { name: string }[] };
  const names = manifest.records.map((rec) => rec.name);
  const warning = said(r, /^warning: .*blank_lr/);
  return {
    observed: `exit ${r.status}; ${names.length} of 9 records kept, blank_lr ${names.includes('blank_lr') ? 'kept' : 'left out'}; "${warning.replace(work, '$TMP').slice(0, 150)}…"`,
    ok: r.status === 0 && names.length === 8 && !names.includes('blank_lr') && warning.includes('no valid sample'),
  };
});

await attempt('7b 20000 x 20000 PNG', 'classify and digitize refuse it naming 20000 x 20000, the limit 268,402,689 and --max-pixels 400000000', async () => {
  const png = blackPng(20_000, 20_000);
  try {
    if (!trainedCell) throw new Error('no trained cell from case 3');
    const parts = ['20000 x 20000', '268,402,689', '--max-pixels 400000000'];
    const env = { ECG_LAB_RUNS: cellRuns };
    const classify = await ecg(['classify', png, '--model', trainedCell], env);
    const digitize = await ecg(['digitize', png, '--model', trainedCell, '--out', folder('digitized')], env);
    const lacking = [...missing(classify.stdout + classify.stderr, parts).map((p) => `classify: ${p}`), ...missing(digitize.stdout + digitize.stderr, parts).map((p) => `digitize: ${p}`)];
    return {
      observed: `PNG of ${statSync(png).size} bytes; classify exit ${classify.status} in ${classify.seconds.toFixed(1)} s, digitize exit ${digitize.status} in ${digitize.seconds.toFixed(1)} s (the one image failed; help: exit 1); "${said(classify, /pixels/).replace(png, '$PNG').slice(0, 170)}…"${lacking.length ? `; lacks ${lacking.join(', ')}; classify said "${classify.stderr.trim().split('\n').at(-1)}"` : ''}`,
      ok: classify.status === 1 && digitize.status === 1 && lacking.length === 0,
    };
  } finally {
    rmSync(dirname(png), { recursive: true, force: true });
  }
});

await attempt('7c stage fails while writers run', 'the run reports the failure; no .tmp-* folder left in the stage cache', async () => {
  const plugin = join(folder('plugins'), 'faulty.ts');
  const mapLimited = pathToFileURL(join(ROOT, 'src', 'core', 'map-limited.ts')).href;
  writeFileSync(
    plugin,
    `import { mkdir, writeFile } from 'node:fs/promises';\n` +
      `import { join } from 'node:path';\n` +
      `import { setTimeout as sleep } from 'node:timers/promises';\n` +
      `import { mapLimited } from '${mapLimited}';\n` +
      `// Page workers: the first fails at once (a full disk), the others are still drawing and then write.\n` +
      `export const stages = [{ name: 'faulty-writers', version: 1, description: 'four writers, the first fails', reads: [], configKeys: [], writes: 'pages/*.png',\n` +
      `  async run(ctx) {\n` +
      `    await mapLimited([0, 1, 2, 3], 4, async (i) => {\n` +
      `      if (i === 0) throw new Error('ENOSPC: no space left on device');\n` +
      `      await sleep(50);\n` +
      `      await mkdir(join(ctx.outDir, 'pages'), { recursive: true });\n` +
      `      await writeFile(join(ctx.outDir, 'pages', i + '.png'), 'page');\n` +
      `    });\n` +
      `    return {};\n` +
      `  } }];\n`,
  );
  const experiment = join(folder('experiments'), 'faulty.yaml');
  writeFileSync(experiment, 'stages: [faulty-writers]\n');
  const runs = folder('runs-7c');
  const r = await ecg(['run', experiment], { ECG_LAB_RUNS: runs, ECG_LAB_PLUGINS: plugin });
  await new Promise((done) => setTimeout(done, 200));
  const cache = join(runs, '.cache', 'faulty-writers');
  const left = existsSync(cache) ? readdirSync(cache) : [];
  const temporaries = left.filter((n) => n.startsWith('.tmp-'));
  return {
    observed: `exit ${r.status}, ENOSPC reported: ${r.stderr.includes('ENOSPC') ? 'yes' : 'no'}; cache folder holds ${left.length ? left.join(', ') : 'nothing'}`,
    ok: r.status !== 0 && r.stderr.includes('ENOSPC') && existsSync(cache) && temporaries.length === 0 && left.length === 0,
  };
});

rmSync(work, { recursive: true, force: true });

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
console.log('| case | expected | observed | ok |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${cell(row.name)} | ${cell(row.expected)} | ${cell(row.observed)} | ${row.ok ? 'ok' : 'FAIL'} |`);
const failed = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - failed} of ${rows.length} rows ok${failed ? `, ${failed} FAIL` : ''}`);
process.exitCode = failed ? 1 : 0;
