/**
 * Loads the backend a config names, once per process and name; its tags go
 * on every run that trains. `selectBackend` prints which backend runs (and
 * why not a faster one) as its first line.
 */
import * as tf from '@tensorflow/tfjs';
import type { Io } from './command.js';
import type { Config } from '../config/schema/index.js';
import { selectBackend, backendTags } from '../backend/index.js';
import { BACKEND_NAMES, type BackendName } from '../backend/names.js';
import { EcgError } from '../core/errors.js';
import { backendMessages } from '../core/messages.js';

const loaded = new Map<string, { backend: string; tags: Record<string, string> }>();

export async function loadBackendFor(config: Config, io: Io): Promise<Record<string, string>> {
  const known = loaded.get(config.backend);
  if (known) {
    if (tf.getBackend() !== known.backend) await tf.setBackend(known.backend);
    return known.tags;
  }
  const info = await selectBackend(config.backend, io.logger, { verbose: io.verbose });
  const tags = backendTags(info);
  loaded.set(config.backend, { backend: tf.getBackend(), tags });
  return tags;
}

/** Load the backend `--backend` names, else the cell's own (config.backend): digitize and classify. */
export async function loadCellBackend(option: string | undefined, config: Config, io: Io): Promise<void> {
  if (option !== undefined && !(BACKEND_NAMES as readonly string[]).includes(option)) {
    throw new EcgError('USAGE', backendMessages.backendOptionInvalid(option, BACKEND_NAMES));
  }
  await loadBackendFor({ ...config, backend: (option as BackendName | undefined) ?? config.backend }, io);
}
