/**
 * A dead MLflow server costs a run one warning per sweep stream, and the
 * advice to run `ecg-lab sync` later is given once per process (the
 * tracker's streams share it), not once per stream nor twice in one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturingLogger } from '../../src/core/logger.js';
import { MlflowClient } from '../../src/tracking/mlflow/client.js';
import { MlflowTracker } from '../../src/tracking/mlflow/tracker.js';
import { RunStore } from '../../src/tracking/run-store.js';

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('two sweeps against a dead server: two warnings, the sync hint in the first only, once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dead-hint-'));
  const store = new RunStore(root);
  const logger = capturingLogger();
  const client = new MlflowClient({ uri: `http://127.0.0.1:${await deadPort()}`, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2, totalMs: 500, timeoutMs: 500 } });
  const tracker = new MlflowTracker({ client, runsDir: root, logger });
  for (const experiment of ['a', 'b']) {
    const sweep = await store.createSweep({ experiment, experimentPath: `${experiment}.yaml`, status: 'running', args: [], stages: [], cells: [], tags: {} });
    await tracker.sweepStarted(sweep);
    await tracker.sweepEnded(sweep);
  }
  const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  assert.is(warnings.length, 2, warnings.join('\n'));
  const hints = warnings.map((w) => w.split('ecg-lab sync').length - 1);
  assert.equal(hints, [1, 0], warnings.join('\n'));
  for (const w of warnings) assert.match(w, /unreachable/);
});

test.run();
