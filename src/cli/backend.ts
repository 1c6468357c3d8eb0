/**
 * Loads the backend a config names, once per process and name; its tags go
 * on every run that trains. `selectBackend` prints which backend runs (and
 * why not a faster one) as its first line.
 */
import * as tf from '@tensorflow/tfjs';
import type { Io } from './command.js';
import type { Config } from '../config/schema/index.js';
import { selectBackend, backendTags } from '../backend/index.js';
import { DETERMINISTIC_ENV, nativeLoaded } from '../backend/native.js';
import { BACKEND_NAMES, type BackendName } from '../backend/names.js';
import { EcgError } from '../core/errors.js';
import { backendMessages } from '../core/messages.js';

const loaded = new Map<string, { backend: string; tags: Record<string, string> }>();
/** Whether the native TensorFlow of this process loaded with DETERMINISTIC_ENV (it reads it once). */
let nativeDeterministic: boolean | undefined;

/**
 * `deterministic: true` sets DETERMINISTIC_ENV before the native backend
 * loads; a process whose TensorFlow loaded one way refuses a config that
 * asks the other (cells of a sweep that vary it run with --jobs 2+).
 */
export async function loadBackendFor(config: Config, io: Io): Promise<Record<string, string>> {
  const deterministic = config.deterministic === true;
  if (nativeLoaded() !== undefined && nativeDeterministic !== undefined && nativeDeterministic !== deterministic) {
    throw new EcgError('BACKEND_UNAVAILABLE', backendMessages.deterministicChanged(nativeDeterministic));
  }
  const key = `${config.backend}/${deterministic}`;
  const known = loaded.get(key);
  if (known) {
    if (tf.getBackend() !== known.backend) await tf.setBackend(known.backend);
    return known.tags;
  }
  if (deterministic && nativeLoaded() === undefined) Object.assign(process.env, DETERMINISTIC_ENV);
  const info = await selectBackend(config.backend, io.logger, { verbose: io.verbose });
  if (nativeLoaded() !== undefined) nativeDeterministic ??= deterministic;
  const tags = { ...backendTags(info), 'ecg-lab.deterministic': String(deterministic) };
  loaded.set(key, { backend: tf.getBackend(), tags });
  return tags;
}

/** Load the backend `--backend` names, else the cell's own (config.backend): digitize and classify. */
export async function loadCellBackend(option: string | undefined, config: Config, io: Io): Promise<void> {
  if (option !== undefined && !(BACKEND_NAMES as readonly string[]).includes(option)) {
    throw new EcgError('USAGE', backendMessages.backendOptionInvalid(option, BACKEND_NAMES));
  }
  await loadBackendFor({ ...config, backend: (option as BackendName | undefined) ?? config.backend }, io);
}
