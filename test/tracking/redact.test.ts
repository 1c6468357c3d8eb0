/**
 * Credentials in `tracking.uri` (http://alice:SECRET@host) are used to send
 * the run, in the Authorization header, and are found nowhere else: not in
 * any file of the run store, not in any request URL or body the server gets,
 * not in what the command prints. The server is a recording stand-in on
 * 127.0.0.1 that answers as MLflow does, or, with MLFLOW_TEST_URI set,
 * forwards to that real MLflow server. Plus the redaction functions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSecretName, redactArgs, redactSecrets, redactUri, REDACTED } from '../../src/core/redact.js';
import { cliSpawn, type CliResult } from '../helpers/cli.js';
import { sweepsIn, tinyEnv, TINY } from '../helpers/tiny-runs.js';
import { forwardTo } from '../helpers/mlflow-forward.js';

// Built at run time, so that a dirty tree's patch of this very file (a provenance artifact) does not hold it.
const SECRET = ['SEC', 'RET', '4711'].join('');
const BASIC = `Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}`;

test('redactUri removes user-info from every URI in a text, up to the last @ of the authority', () => {
  assert.is(redactUri('http://alice:SECRET@host:5000'), 'http://host:5000');
  assert.is(redactUri('https://u:p@host:5000/x?y=1#z'), 'https://host:5000/x?y=1#z');
  assert.is(redactUri('http://alice:p@ss@host/a@b'), 'http://host/a@b', 'an @ in the password; an @ in the path stays');
  assert.is(redactUri('http://token@host'), 'http://host');
  assert.is(redactUri('server http://a:b@h1 and https://c:d@h2/p down'), 'server http://h1 and https://h2/p down');
  assert.is(redactUri('http://host:5000/path'), 'http://host:5000/path');
  assert.is(redactUri('alice@example.org'), 'alice@example.org', 'not a URI');
});

test('isSecretName: token, password, secret, apikey as words of the last part of a name', () => {
  for (const name of ['tracking.token', 'MLFLOW_TRACKING_PASSWORD', 'passwd', 'apiKey', 'api_key', 'x.API-KEY', 'apikey', 'client_secret', 'secretKey', 'accessToken', 'aws.credentials']) {
    assert.ok(isSecretName(name), name);
  }
  for (const name of ['tracking.uri', 'model.tokenizer', 'secretary.name', 'render.noise', 'ecg-lab.args', 'keyboard', 'git.dirty']) {
    assert.not.ok(isSecretName(name), name);
  }
});

test('redactSecrets: URIs at any depth lose user-info, secret-named keys read ***, the rest and the input are unchanged', () => {
  const input = {
    tracking: { uri: 'http://alice:SECRET@host:5000', runsDir: 'runs', token: 'abc', password: '' },
    'tracking.uri': 'http://bob:pw@h',
    list: ['https://x:y@h/p', 3, null, { apiKey: 42 }],
    render: { noise: 0.5, on: true },
  };
  const copy = structuredClone(input);
  assert.equal(redactSecrets(input), {
    tracking: { uri: 'http://host:5000', runsDir: 'runs', token: REDACTED, password: '' },
    'tracking.uri': 'http://h',
    list: ['https://h/p', 3, null, { apiKey: REDACTED }],
    render: { noise: 0.5, on: true },
  });
  assert.equal(input, copy, 'the input is not modified');
});

test('redactArgs: key=value with a secret-named key, and URIs anywhere', () => {
  assert.equal(
    redactArgs(['tracking.uri=http://alice:SECRET@host:5000', 'render.noise=0,0.5', 'x.token=abc', '--api-key=k', 'render=clean', 'empty.token=']),
    ['tracking.uri=http://host:5000', 'render.noise=0,0.5', `x.token=${REDACTED}`, `--api-key=${REDACTED}`, 'render=clean', 'empty.token='],
  );
});

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** Answers as an MLflow tracking server does for what ecg-lab sends (experiments, runs, log-batch, artifact uploads). */
function fakeMlflow(): (req: IncomingMessage, body: string, res: ServerResponse) => void {
  const experiments = new Map<string, string>();
  const runs = new Map<string, { info: Record<string, unknown>; tags: Record<string, string> }>();
  const send = (res: ServerResponse, status: number, answer: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };
  return (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = req.headers['content-type'] === 'application/json' ? (JSON.parse(body) as Record<string, unknown>) : {};
    const route = `${req.method} ${url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '')}`;
    if (route === 'GET experiments/get-by-name') {
      const name = url.searchParams.get('experiment_name') ?? '';
      const id = experiments.get(name);
      if (id === undefined) return send(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `no experiment ${name}` });
      return send(res, 200, { experiment: { experiment_id: id, name, artifact_location: `mlflow-artifacts:/${id}`, lifecycle_stage: 'active' } });
    }
    if (route === 'POST experiments/create') {
      const id = String(experiments.size + 1);
      experiments.set(String(json.name), id);
      return send(res, 200, { experiment_id: id });
    }
    if (route === 'POST runs/search') {
      const key = /= '(.*)'$/.exec(String(json.filter ?? ''))?.[1];
      const found = [...runs.values()].filter((r) => key !== undefined && r.tags['ecg-lab.key'] === key);
      return send(res, 200, { runs: found.map((r) => ({ info: r.info })) });
    }
    if (route === 'POST runs/create') {
      const id = `run${runs.size + 1}`;
      const info = {
        run_id: id,
        experiment_id: json.experiment_id,
        run_name: json.run_name,
        status: 'RUNNING',
        start_time: json.start_time,
        artifact_uri: `mlflow-artifacts:/${String(json.experiment_id)}/${id}/artifacts`,
        lifecycle_stage: 'active',
      };
      const tags = Object.fromEntries(((json.tags ?? []) as { key: string; value: string }[]).map((t) => [t.key, t.value]));
      runs.set(id, { info, tags });
      return send(res, 200, { run: { info } });
    }
    if (route === 'POST runs/log-batch') return send(res, 200, {});
    if (route === 'POST runs/update') {
      const run = runs.get(String(json.run_id));
      if (run) run.info = { ...run.info, status: json.status, end_time: json.end_time };
      return send(res, 200, { run_info: run?.info ?? {} });
    }
    if (route === 'GET metrics/get-history') return send(res, 200, { metrics: [] });
    if (req.method === 'PUT' && url.pathname.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) return send(res, 200, {});
    return send(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: route });
  };
}

async function recordingServer(): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const upstream = process.env.MLFLOW_TEST_URI?.replace(/\/+$/, '');
  const answer = upstream ? forwardTo(upstream) : fakeMlflow();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      answer(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The command in a child process, without blocking this one: the server in this process must answer it. */
function cliAsync(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const child = cliSpawn(args, { env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

for (const [label, jobs] of [
  ['in this process', '1'],
  ['in child processes (--jobs 2)', '2'],
] as const) {
  test(`a password in tracking.uri authenticates the run ${label} and is stored, sent and printed nowhere`, async () => {
    const server = await recordingServer();
    try {
      const { runs, env } = tinyEnv({ MLFLOW_TRACKING_URI: '', TINY_EPOCH_MS: '0' });
      const r = await cliAsync(['run', TINY, `tracking.uri=http://alice:${SECRET}@127.0.0.1:${server.port}`, 'render.noise=0,0.5', '--jobs', jobs], env);
      assert.is(r.status, 0, r.stderr);

      const [sweep] = sweepsIn(runs, 'tiny');
      assert.is(sweep?.cells.length, 2);
      const files = filesUnder(runs);
      for (const name of ['sweep.json', 'run.json', 'config.json', 'config.yaml', 'metrics.jsonl']) {
        assert.ok(files.some((f) => f.endsWith(name)), `the run store has a ${name}`);
      }
      const leaking = files.filter((f) => readFileSync(f).includes(SECRET));
      assert.equal(leaking, [], 'no file of the run store holds the password');
      const config = JSON.parse(readFileSync(files.find((f) => f.endsWith('config.json')) as string, 'utf8'));
      assert.is(config.tracking.uri, `http://127.0.0.1:${server.port}`, 'the stored URI still names the server');
      assert.not.ok(`${r.stdout}${r.stderr}`.includes(SECRET), 'nothing printed holds it');

      const calls = server.received.map((q) => `${q.method} ${q.url.replace(/\?.*$/, '')}`);
      assert.ok(calls.filter((c) => c.endsWith('/runs/create')).length >= 3, `a parent and two cell runs were created: ${calls.join(', ')}`);
      assert.ok(server.received.some((q) => q.url.endsWith('/runs/log-batch') && q.body.includes('ecg-lab.args')), 'the sweep args were sent');
      assert.ok(server.received.some((q) => q.url.includes('/config.yaml')), 'the config artifact was sent');
      assert.equal(server.received.filter((q) => q.url.includes(SECRET) || q.body.includes(SECRET)).map((q) => q.url), [], 'no URL or body holds it');
      assert.equal(server.received.filter((q) => q.authorization !== BASIC).map((q) => q.url), [], 'every request authenticates as alice');
    } finally {
      await server.close();
    }
  });
}

test.run();
