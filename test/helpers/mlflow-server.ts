/**
 * A real MLflow tracking server for tests.
 *
 *   const server = await mlflowServerForTests('client round trips');
 *   if (!server) return;          // skipped: printed why (never in CI)
 *   ... server.uri ...
 *   await server.stop();
 *
 * With MLFLOW_TEST_URI set, tests use that server (e.g. one started by
 * `bash scripts/mlflow-server.sh start` in .ci/run) and stop() does nothing.
 * Otherwise the helper starts its own: `mlflow server` from the project's
 * venv (.venv/mlflow, made by scripts/mlflow-setup.sh) on 127.0.0.1 with a
 * free port, an SQLite backend store and proxied artifacts in a temp folder.
 * A missing venv skips the test with a printed reason, except under CI=true,
 * where it is an error: CI must test against a real server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_TIMEOUT_MS = 120_000;

export interface MlflowTestServer {
  uri: string;
  /** True when the helper started the server (and so can stop and restart it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface OwnedMlflowServer extends MlflowTestServer {
  owned: true;
  port: number;
  dir: string;
  /** Kill the server process but keep its store, so start() brings the same server back. */
  halt(): Promise<void>;
  start(): Promise<void>;
}

export function mlflowVenvBin(): string {
  return join(process.env.ECG_LAB_MLFLOW_VENV ?? join(repoRoot, '.venv', 'mlflow'), 'bin');
}

/** The server a test should use, or undefined (after printing why) when it must be skipped. */
export async function mlflowServerForTests(testName: string): Promise<MlflowTestServer | undefined> {
  const external = process.env.MLFLOW_TEST_URI;
  if (external) return { uri: external.replace(/\/+$/, ''), owned: false, stop: async () => {} };
  return ownedMlflowServerForTests(testName);
}

/** A server this process starts and controls (for tests that stop it mid-way), or undefined when skipped. */
export async function ownedMlflowServerForTests(testName: string): Promise<OwnedMlflowServer | undefined> {
  const bin = mlflowVenvBin();
  if (!existsSync(join(bin, 'mlflow'))) {
    const reason = `no MLflow venv at ${dirname(bin)}: run bash scripts/mlflow-setup.sh`;
    if (process.env.CI === 'true') throw new Error(`${testName}: needs a real MLflow server, and ${reason}`);
    console.log(`SKIP ${testName}: ${reason} (or set MLFLOW_TEST_URI)`);
    return undefined;
  }
  return startMlflowServer(bin);
}

export async function startMlflowServer(bin: string = mlflowVenvBin()): Promise<OwnedMlflowServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-lab-mlflow-test-'));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const log = openSync(join(dir, 'server.log'), 'a');
    child = spawn(
      join(bin, 'mlflow'),
      [
        'server',
        '--host', '127.0.0.1',
        '--port', String(port),
        '--workers', '1',
        '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`,
        '--serve-artifacts',
        '--artifacts-destination', join(dir, 'artifacts'),
      ],
      { detached: true, stdio: ['ignore', log, log], cwd: dir, env: serverEnv() },
    );
    closeSync(log);
    const spawned = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await healthy(uri))) {
      if (spawned.exitCode !== null || spawned.signalCode !== null || Date.now() > deadline) {
        await halt();
        throw new Error(`mlflow server did not come up at ${uri}; its log:\n${tail(join(dir, 'server.log'))}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  // SIGKILL: a server that dies, as in a crash (a graceful stop would wait for
  // the client's keep-alive connections to close).
  const halt = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((r) => running.once('exit', () => r()));
    killGroup(running.pid, 'SIGKILL');
    await exited;
  };

  const onExit = () => {
    if (child?.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  };
  process.once('exit', onExit);

  await start();
  return {
    uri,
    owned: true,
    port,
    dir,
    start,
    halt,
    stop: async () => {
      await halt();
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** MLflow 3's job runner (huey workers for GenAI jobs) is not needed for tracking: off saves ~1.5 GB. */
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' };
}

async function healthy(uri: string): Promise<boolean> {
  try {
    const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '(no log)';
  }
}
