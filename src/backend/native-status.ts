/**
 * What the native setup (scripts/setup-native.mjs) last recorded in
 * .native/status.json: whether each native backend was set up and, if not,
 * why and how to fix it. ecg-lab reads it to say why it runs on WASM.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeSetupStatus {
  readonly ok: boolean;
  readonly tensorflowVersion?: string;
  readonly reason?: string;
  readonly hint?: string;
  readonly at?: string;
}

/** src/backend/ and dist/backend/ both sit two levels below the package root. */
const STATUS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.native', 'status.json');

export function nativeSetupStatus(backend: 'tensorflow' | 'tensorflow-gpu', file: string = STATUS_FILE): NativeSetupStatus | undefined {
  try {
    const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, NativeSetupStatus>;
    return all[backend];
  } catch {
    return undefined;
  }
}
