/**
 * Faults that a real MLflow server cannot be made to produce on demand: a
 * tiny local HTTP server answers 500, 429 or 401, or nothing listens at all.
 * Also the pure log-batch splitting. Needs no MLflow install.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isEcgError } from '../../src/core/errors.js';
import { capturingLogger } from '../../src/core/logger.js';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';
import { authFromEnv, endpoint, redactUri } from '../../src/tracking/mlflow/auth.js';
import { LOG_BATCH_LIMITS, splitBatch } from '../../src/tracking/mlflow/batch.js';
import { isMlflowError } from '../../src/tracking/mlflow/http.js';
import { freePort } from '../helpers/mlflow-server.js';

const fastRetry = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50, totalMs: 5_000, timeoutMs: 2_000 };

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** A local server whose n-th answer (0-based) is decided by `answer`. */
async function tinyServer(
  answer: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ uri: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
      answer(seen.length - 1, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    uri: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const experimentAnswer = { experiment: { experiment_id: '7', name: 'e', artifact_location: 'mlflow-artifacts:/7' } };

test('a 500 then a 200: the call is retried and succeeds', async () => {
  const server = await tinyServer((n, _req, res) =>
    n === 0 ? json(res, 500, { error_code: 'INTERNAL_ERROR', message: 'database is locked' }) : json(res, 200, experimentAnswer),
  );
  try {
    const logger = capturingLogger();
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry, logger });
    const exp = await client.getExperimentByName('e');
    assert.is(exp?.experimentId, '7');
    assert.is(server.seen.length, 2);
    assert.ok(logger.lines.some((l) => /database is locked; retrying/.test(l.message)), JSON.stringify(logger.lines));
  } finally {
    await server.close();
  }
});

test('a 429 with Retry-After is retried', async () => {
  const server = await tinyServer((n, _req, res) => {
    if (n === 0) {
      res.writeHead(429, { 'retry-after': '0' });
      res.end();
      return;
    }
    json(res, 200, experimentAnswer);
  });
  try {
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    assert.is((await client.getExperimentByName('e'))?.name, 'e');
    assert.is(server.seen.length, 2);
  } finally {
    await server.close();
  }
});

test('always 500: bounded attempts, then MLFLOW_ERROR with the status and what the server said', async () => {
  const server = await tinyServer((_n, _req, res) => json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try later' }));
  try {
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    const started = Date.now();
    await client.getExperimentByName('e').then(
      () => assert.unreachable('should fail'),
      (error: unknown) => {
        assert.ok(isEcgError(error, 'MLFLOW_ERROR'), String(error));
        assert.match(error.message, /HTTP 503/);
        assert.match(error.message, /TEMPORARILY_UNAVAILABLE: try later/);
        assert.match(error.message, /after 4 attempts/);
        assert.match(error.message, server.uri);
      },
    );
    assert.is(server.seen.length, fastRetry.attempts);
    assert.ok(Date.now() - started < fastRetry.totalMs);
  } finally {
    await server.close();
  }
});

test('retries stop at the time bound even when attempts remain', async () => {
  const server = await tinyServer((_n, _req, res) => json(res, 500, { error_code: 'INTERNAL_ERROR', message: 'boom' }));
  try {
    const client = new MlflowClient({
      uri: server.uri,
      retry: { attempts: 100, baseDelayMs: 100, maxDelayMs: 100, totalMs: 350, timeoutMs: 1_000 },
    });
    await client.getExperimentByName('e').then(
      () => assert.unreachable('should fail'),
      (error: unknown) => assert.ok(isEcgError(error, 'MLFLOW_ERROR')),
    );
    assert.ok(server.seen.length <= 5, `attempts: ${server.seen.length}`);
  } finally {
    await server.close();
  }
});

test('a 4xx is not retried and carries MLflow error_code and message', async () => {
  const server = await tinyServer((_n, _req, res) =>
    json(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: "Param 'render.noise' has changed" }),
  );
  try {
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry });
    await client.logBatch('run1', { params: [{ key: 'render.noise', value: '1' }] }).then(
      () => assert.unreachable('should fail'),
      (error: unknown) => {
        assert.ok(isMlflowError(error, 'INVALID_PARAMETER_VALUE'), String(error));
        assert.is(error.status, 400);
        assert.match(error.message, /runs\/log-batch/);
        assert.match(error.message, /Param 'render.noise' has changed/);
      },
    );
    assert.is(server.seen.length, 1);
  } finally {
    await server.close();
  }
});

test('a 404 without an MLflow body says the URI may not be an MLflow server', async () => {
  const server = await tinyServer((_n, _req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<h1>Not Found</h1>');
  });
  try {
    const client = new MlflowClient({ uri: `${server.uri}/wrong/prefix`, retry: fastRetry });
    await client.createExperiment('e').then(
      () => assert.unreachable('should fail'),
      (error: unknown) => {
        assert.ok(isEcgError(error, 'MLFLOW_ERROR'));
        assert.match(error.message, /is it an MLflow tracking server/);
      },
    );
  } finally {
    await server.close();
  }
});

test('nothing listening: MLFLOW_UNREACHABLE naming the URI, after the bounded retries', async () => {
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const client = new MlflowClient({ uri, retry: fastRetry });
  await client.getOrCreateExperiment('e').then(
    () => assert.unreachable('should fail'),
    (error: unknown) => {
      assert.ok(isEcgError(error, 'MLFLOW_UNREACHABLE'), String(error));
      assert.match(error.message, uri);
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /4 attempts/);
      assert.match(error.message, /MLFLOW_TRACKING_URI/);
      // The "ecg-lab sync" advice belongs to a run's stream warning (once per process), not to every caller of the client.
      assert.not.match(error.message, /ecg-lab sync/);
    },
  );
});

test('a URI that is not http(s) is MLFLOW_UNREACHABLE at once, naming it', () => {
  for (const bad of ['127.0.0.1:5000', 'file:///tmp/mlruns', 'databricks']) {
    try {
      new MlflowClient({ uri: bad });
      assert.unreachable(`accepted ${bad}`);
    } catch (error) {
      assert.ok(isEcgError(error, 'MLFLOW_UNREACHABLE'), String(error));
      assert.match((error as Error).message, bad);
    }
  }
});

test('a 401 is MLFLOW_AUTH, not retried, and never shows the secret', async () => {
  const server = await tinyServer((_n, _req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="mlflow"' });
    res.end('You are not authenticated.');
  });
  try {
    const token = 'sekret-token-123';
    const client = new MlflowClient({ uri: server.uri, retry: fastRetry, auth: authFromEnv({ MLFLOW_TRACKING_TOKEN: token }) });
    await client.getExperimentByName('e').then(
      () => assert.unreachable('should fail'),
      (error: unknown) => {
        assert.ok(isEcgError(error, 'MLFLOW_AUTH'), String(error));
        assert.match(error.message, /HTTP 401/);
        assert.match(error.message, /MLFLOW_TRACKING_TOKEN/);
        assert.not.match(error.message, token);
        assert.not.match(error.stack ?? '', token);
      },
    );
    assert.is(server.seen.length, 1);
    assert.is(server.seen[0]?.authorization, `Bearer ${token}`);
  } finally {
    await server.close();
  }
});

test('basic auth from the environment or the URI; the URI is printed without the password', async () => {
  const server = await tinyServer((_n, _req, res) => json(res, 403, { error_code: 'PERMISSION_DENIED', message: 'no access to e' }));
  try {
    const fromEnv = new MlflowClient({
      uri: server.uri,
      retry: fastRetry,
      auth: authFromEnv({ MLFLOW_TRACKING_USERNAME: 'ada', MLFLOW_TRACKING_PASSWORD: 'pw-1' }),
    });
    const withUserInfo = server.uri.replace('http://', 'http://bob:pw-2@');
    const fromUri = new MlflowClient({ uri: withUserInfo, retry: fastRetry });
    assert.is(fromUri.uri, server.uri);
    for (const client of [fromEnv, fromUri]) {
      await client.getExperimentByName('e').then(
        () => assert.unreachable('should fail'),
        (error: unknown) => {
          assert.ok(isMlflowError(error, 'PERMISSION_DENIED'), String(error));
          assert.is(error.code, 'MLFLOW_AUTH');
          assert.match(error.message, /no access to e/);
          assert.not.match(error.message, /pw-/);
        },
      );
    }
    assert.is(server.seen[0]?.authorization, `Basic ${Buffer.from('ada:pw-1').toString('base64')}`);
    assert.is(server.seen[1]?.authorization, `Basic ${Buffer.from('bob:pw-2').toString('base64')}`);
    assert.is(redactUri('https://u:p@host:5000/x'), 'https://host:5000/x');
    assert.is(endpoint('http://h:1/base/', { kind: 'none' }).uri, 'http://h:1/base');
  } finally {
    await server.close();
  }
});

test('splitBatch: every request within the limits, each kind complete and in order', () => {
  const metrics = Array.from({ length: 3456 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
  const params = Array.from({ length: 321 }, (_, i) => ({ key: `p${i}`, value: '' }));
  const tags = Array.from({ length: 123 }, (_, i) => ({ key: `t${i}`, value: '' }));
  const batches = splitBatch({ metrics, params, tags });
  for (const b of batches) {
    assert.ok(b.metrics.length <= LOG_BATCH_LIMITS.metrics);
    assert.ok(b.params.length <= LOG_BATCH_LIMITS.params);
    assert.ok(b.tags.length <= LOG_BATCH_LIMITS.tags);
    assert.ok(b.metrics.length + b.params.length + b.tags.length <= LOG_BATCH_LIMITS.entities);
  }
  assert.equal(batches.flatMap((b) => b.metrics.map((m) => m.value)), metrics.map((m) => m.value));
  assert.equal(batches.flatMap((b) => b.params.map((p) => p.key)), params.map((p) => p.key));
  assert.equal(batches.flatMap((b) => b.tags.map((t) => t.key)), tags.map((t) => t.key));
  assert.equal(splitBatch({}), []);
});

test.run();
