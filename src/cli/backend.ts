/** Loads the backend a config names, once per process; its tags go on the run. */
import * as tf from '@tensorflow/tfjs';
import type { Io } from './command.js';
import type { Config } from '../config/schema/index.js';

let loaded: Record<string, string> | undefined;

export async function loadBackendFor(config: Config, io: Io): Promise<Record<string, string>> {
  if (loaded) return loaded;
  const name = config.backend === 'auto' ? 'cpu' : config.backend;
  await tf.setBackend(name);
  await tf.ready();
  io.logger.info(`backend: ${tf.getBackend()}`);
  loaded = { 'ecg-lab.backend': tf.getBackend() };
  return loaded;
}
