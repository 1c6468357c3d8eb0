/**
 * Checkpoints in the TensorFlow.js format, written to a folder with node:fs
 * (tfjs's file:// handler lives in tfjs-node, which the pure-JS and WASM
 * backends do not have): `model.json` (topology, weights manifest, our
 * metadata such as the spec) and `weights.bin` (the weights, one shard).
 * The files are written atomically (weights first, then model.json), so a
 * killed run leaves the previous checkpoint or the new one. Reading checks
 * what can be checked before tfjs builds anything: both files exist,
 * model.json parses and names a topology and manifest, the weights have the
 * manifest's byte length. Any failure is EcgError('CHECKPOINT_CORRUPT')
 * naming the file.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EcgError } from '../core/errors.js';
import { modelMessages } from '../core/messages.js';
import { writeFileAtomic } from '../core/fs.js';
import './combiner.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export type CheckpointMetadata = Record<string, unknown>;

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const elements = spec.shape.reduce((n, d) => n * d, 1);
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    total += elements * (BYTES_PER_ELEMENT[dtype] ?? Number.NaN);
  }
  return total;
}

function corrupt(file: string, detail: string, cause?: unknown): EcgError {
  return new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointUnreadable(file, detail), { cause });
}

async function readCheckpointFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointMissing(file), { cause: error });
    throw corrupt(file, String((error as Error).message), error);
  }
}

function parseModelJson(file: string, text: string): tf.io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `not JSON (${(error as Error).message})`, error);
  }
  const json = parsed as Partial<tf.io.ModelJSON> | null;
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw corrupt(file, 'expected an object with modelTopology and weightsManifest');
  }
  return json as tf.io.ModelJSON;
}

/** An IOHandler saving to and loading from `dir` (model.json + weights.bin). */
export function folderHandler(dir: string, metadata: CheckpointMetadata = {}): tf.io.IOHandler {
  const modelFile = join(dir, MODEL_FILE);
  const weightsFile = join(dir, WEIGHTS_FILE);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        userDefinedMetadata: { ...artifacts.userDefinedMetadata, ...metadata } as Record<string, object>,
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      await writeFileAtomic(weightsFile, weights);
      await writeFileAtomic(modelFile, `${JSON.stringify(modelJson)}\n`);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = parseModelJson(modelFile, (await readCheckpointFile(modelFile)).toString('utf8'));
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffer = await readCheckpointFile(weightsFile);
        const expected = expectedWeightBytes(specs);
        if (buffer.byteLength !== expected) {
          throw new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointWeightsSize(weightsFile, buffer.byteLength, expected));
        }
        const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
        return [specs, data];
      });
    },
  };
}

/** Write `model` (topology and weights) and `metadata` (e.g. its spec) to `dir`. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: CheckpointMetadata = {}): Promise<void> {
  await model.save(folderHandler(dir, metadata));
}

export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly metadata: CheckpointMetadata;
}

/** Read a checkpoint written by saveModel; any defect is EcgError('CHECKPOINT_CORRUPT') naming the file. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const modelFile = join(dir, MODEL_FILE);
  const handler = folderHandler(dir);
  let metadata: CheckpointMetadata = {};
  const recording: tf.io.IOHandler = {
    load: async () => {
      const artifacts = await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
      metadata = (artifacts.userDefinedMetadata ?? {}) as CheckpointMetadata;
      return artifacts;
    },
  };
  try {
    const model = await tf.loadLayersModel(recording);
    return { model, metadata };
  } catch (error) {
    if (error instanceof EcgError) throw error;
    throw new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointTopology(modelFile, (error as Error).message), { cause: error });
  }
}

/** Load weights saved by saveModel into an already-built model of the same spec (keeps the caller's instance). */
export async function loadWeightsInto(model: tf.LayersModel, dir: string): Promise<CheckpointMetadata> {
  const { model: loaded, metadata } = await loadModel(dir);
  try {
    const values = loaded.getWeights();
    try {
      model.setWeights(values);
    } catch (error) {
      throw new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointTopology(join(dir, MODEL_FILE), (error as Error).message), { cause: error });
    }
  } finally {
    loaded.dispose();
  }
  return metadata;
}
