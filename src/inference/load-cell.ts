/**
 * A trained cell, for inference on a user's images: which cell `--model`
 * names, its composed config (config.json), its trained parts built from
 * that config's specs with the artifacts' weights, and the decision
 * thresholds it chose on its validation split.
 *
 * Artifacts, as the stages save them (fit.ts saveFinal, `<stage>/<name>/`):
 *   roi/roi, denoise/denoiser, digitizer/digitizer,
 *   classifier2d/classifier2d, classifier1d/classifier1d   the separately trained parts
 *   hierarchical/combiner                                   model.combine
 *   hierarchical/{classifier2d, denoiser, digitizer, classifier1d, combiner}
 *                                                           model.finetune (fine-tuned end to end)
 * A cell's parts are the ones it reports with (cellArtifacts): the
 * fine-tuned weights when its hierarchical stage fine-tuned (for `digitize`
 * too: the digitizer the cell's `snr/*` measured), else each part's own
 * stage; the combined model when model.combine, else classifier2d alone.
 * A cell whose experiment stopped before the hierarchical stage (e.g.
 * `stages: [digitizer]`; run.json lists the stages a cell ran) has only
 * the separately trained parts, and is read with those.
 * model.backbone = shared: roi/roi and the digitizer's artifact hold heads
 * (models/backbone.ts), put on a classifier2d instance: the digitizer on
 * the cell's classifier2d (fine-tuned with it when model.finetune: one
 * backbone for both, as trained), the ROI model on the classifier2d stage's
 * (the backbone it was trained on; its boxes reach the hierarchy without a
 * gradient, so fine-tuning does not train it).
 * Thresholds: the cell's last `threshold/<class>` metrics, which the
 * hierarchical stage logs for the classifier the cell reports (the combined
 * model, or classifier2d alone).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CHALLENGE_CLASSES, type ChallengeClass } from '../core/ecg.js';
import { EcgError, errorMessage } from '../core/errors.js';
import { inferMessages as msg } from '../core/messages.js';
import type { Logger } from '../core/logger.js';
import type { Config } from '../config/schema/index.js';
import { backboneShared, hierarchySwitches } from '../config/schema/model.js';
import {
  buildClassifier1d,
  buildClassifier2d,
  buildCombiner,
  buildDenoiser,
  buildDigitizer,
  buildRoi,
  buildSharedHead,
  composeShared,
  loadWeightsInto,
  MODEL_FILE,
  specsOf,
  type DigitizerParts,
  type HierarchicalParts,
} from '../models/index.js';
import type { Thresholds } from '../metrics/index.js';
import { RunStore, type MetricPoint } from '../tracking/run-store.js';

export interface CellRef {
  /** The cell folder (runs/<experiment>/<sweepId>/cells/<cellId>). */
  readonly dir: string;
  /** `<experiment>/<sweepId>/<cellId>` when the folder is in a run store, else the folder. */
  readonly label: string;
}

const CONFIG_FILE = 'config.json';

function cellLabelOf(dir: string): string {
  const cellId = basename(dir);
  const cells = dirname(dir);
  const sweep = dirname(cells);
  return basename(cells) === 'cells' ? `${basename(dirname(sweep))}/${basename(sweep)}/${cellId}` : dir;
}

async function listDirs(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}

/** Every cell of the store as [experiment, sweepId, cellId]. */
async function allCells(root: string): Promise<[string, string, string][]> {
  const out: [string, string, string][] = [];
  for (const experiment of await listDirs(root)) {
    for (const sweep of await listDirs(join(root, experiment))) {
      for (const cell of await listDirs(join(root, experiment, sweep, 'cells'))) out.push([experiment, sweep, cell]);
    }
  }
  return out;
}

/**
 * Does `parts` (a reference split at '/') name this cell? Forms, each part
 * a prefix of its component (an exact match wins over prefixes):
 *   experiment/sweep/cell, sweep/cell, experiment/sweep, sweep, experiment
 *   (the last three name a cell when only one cell is under them: the
 *   caller refuses more than one match).
 */
function matchesCell(parts: readonly string[], [experiment, sweep, cell]: readonly [string, string, string]): boolean {
  const starts = (value: string, prefix: string | undefined) => prefix !== undefined && prefix !== '' && value.startsWith(prefix);
  const [a, b, c] = parts;
  if (parts.length === 3) return a === experiment && starts(sweep, b) && starts(cell, c);
  if (parts.length === 2) return (starts(sweep, a) && starts(cell, b)) || (a === experiment && starts(sweep, b));
  if (parts.length === 1) return a === experiment || starts(sweep, a);
  return false;
}

/**
 * `--model <ref>`: a cell folder (any path holding config.json), or a
 * reference into the run store `runsDir`: `<experiment>/<sweepId>/<cellId>`
 * or `<sweepId>/<cellId>` (ids may be shortened to a unique prefix), or a
 * sweep id prefix or experiment name under which there is exactly one cell.
 * `cells/` as in the folder path is accepted.
 */
export async function resolveCellRef(ref: string, runsDir: string, cwd: string): Promise<CellRef> {
  const asPath = resolve(cwd, ref);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) {
    if (!existsSync(join(asPath, CONFIG_FILE))) throw new EcgError('RUN_NOT_FOUND', msg.cellConfigMissing(asPath));
    return { dir: asPath, label: cellLabelOf(asPath) };
  }
  const parts = ref.replace(/\/cells\//, '/').split('/').filter((p) => p !== '');
  const cells = await allCells(runsDir);
  let matched = cells.filter((c) => matchesCell(parts, c));
  const exact = matched.filter(([e, s, c]) => [`${e}/${s}/${c}`, `${s}/${c}`].includes(parts.join('/')));
  if (exact.length > 0) matched = exact;
  const labels = matched.map(([e, s, c]) => `${e}/${s}/${c}`);
  if (matched.length === 0) throw new EcgError('RUN_NOT_FOUND', msg.modelRefNotFound(ref, runsDir));
  if (matched.length > 1) throw new EcgError('RUN_NOT_FOUND', msg.modelRefAmbiguous(ref, labels));
  const [experiment, sweep, cell] = matched[0] as [string, string, string];
  return { dir: new RunStore(runsDir).cellDir(experiment, sweep, cell), label: labels[0] as string };
}

export async function readCellConfig(cell: CellRef): Promise<Config> {
  const file = join(cell.dir, CONFIG_FILE);
  if (!existsSync(file)) throw new EcgError('RUN_NOT_FOUND', msg.cellConfigMissing(cell.dir));
  try {
    const config = JSON.parse(await readFile(file, 'utf8')) as Config;
    if (!config?.render || !config.model || !config.digitizer || !config.data) throw new EcgError('RUN_STORE_CORRUPT', msg.cellConfigIncomplete());
    return config;
  } catch (error) {
    throw new EcgError('RUN_STORE_CORRUPT', msg.cellConfigCorrupt(file, errorMessage(error)), { cause: error });
  }
}

/** Warn when the cell did not finish: its artifacts may be missing or from an unfinished stage. */
/** Warns when the cell did not finish; returns the stages run.json says it ran (undefined: not known). */
async function checkStatus(cell: CellRef, logger: Logger): Promise<readonly string[] | undefined> {
  const file = join(cell.dir, 'run.json');
  if (!existsSync(file)) return undefined;
  try {
    const run = JSON.parse(await readFile(file, 'utf8')) as { status?: string; stages?: Record<string, unknown> };
    if (run.status && run.status !== 'finished') logger.warn(msg.cellNotFinished(cell.label, run.status));
    return run.stages && typeof run.stages === 'object' ? Object.keys(run.stages) : undefined;
  } catch {
    // run.json is bookkeeping; the artifacts are what inference needs.
    return undefined;
  }
}

/** The cell's thresholds: the last `threshold/<class>` of metrics.jsonl; 0.5 where none was logged. */
export async function readThresholds(cell: CellRef, logger: Logger): Promise<Thresholds> {
  const file = join(cell.dir, 'metrics.jsonl');
  const latest = new Map<string, number>();
  if (existsSync(file)) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line.includes('"threshold/')) continue;
      try {
        const point = JSON.parse(line) as MetricPoint;
        if (point.name.startsWith('threshold/')) latest.set(point.name.slice('threshold/'.length), point.value);
      } catch {
        // A line cut by a kill mid-write: the earlier points stand.
      }
    }
  }
  if (latest.size === 0) logger.warn(msg.thresholdsMissing(cell.label));
  return Object.fromEntries(CHALLENGE_CLASSES.map((c) => [c, latest.get(c) ?? 0.5])) as Record<ChallengeClass, number>;
}

/** Build `model` from the config's spec and load the artifact's weights into it (CHECKPOINT_CORRUPT naming the file on any defect). */
async function loadPart(cell: CellRef, artifact: string, build: () => tf.LayersModel): Promise<tf.LayersModel> {
  const dir = join(cell.dir, 'artifacts', artifact);
  if (!existsSync(join(dir, MODEL_FILE))) throw new EcgError('CHECKPOINT_CORRUPT', msg.partMissing(cell.label, artifact, dir));
  const model = build();
  try {
    await loadWeightsInto(model, dir);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** What classifies: the hierarchical parts (model.combine), else classifier2d alone (fine-tuned when model.finetune). */
export type ClassifierParts = { readonly kind: 'hierarchical'; readonly parts: HierarchicalParts } | { readonly kind: 'image'; readonly classifier2d: tf.LayersModel };

/** The artifact (`<stage>/<name>`) each part of a cell is loaded from; null: the cell has no such part. */
export interface CellArtifacts {
  readonly roi: string | null;
  /** model.backbone = shared: the classifier2d whose backbone the ROI model's head sits on; null: the ROI model is whole. */
  readonly roiBackbone: string | null;
  readonly denoiser: string | null;
  readonly digitizer: string;
  readonly classifier2d: string;
  /** null when the cell reports classifier2d alone (model.combine = false). */
  readonly classifier1d: string | null;
  readonly combiner: string | null;
}

/** Where each part of a cell with this config comes from (see the header); `hierarchical` false: the cell never ran that stage. */
export function cellArtifacts(config: Config, hierarchical = true): CellArtifacts {
  const switches = hierarchySwitches(config.model);
  const combine = hierarchical && switches.combine;
  const finetune = hierarchical && switches.finetune;
  const part = (stage: string, name: string) => (finetune ? `hierarchical/${name}` : `${stage}/${name}`);
  return {
    roi: config.digitizer.roi ? 'roi/roi' : null,
    roiBackbone: config.digitizer.roi && backboneShared(config.model) ? 'classifier2d/classifier2d' : null,
    denoiser: config.digitizer.denoise ? part('denoise', 'denoiser') : null,
    digitizer: part('digitizer', 'digitizer'),
    classifier2d: part('classifier2d', 'classifier2d'),
    classifier1d: combine ? part('classifier1d', 'classifier1d') : null,
    combiner: combine ? 'hierarchical/combiner' : null,
  };
}

export interface TrainedCell {
  readonly cell: CellRef;
  readonly config: Config;
  readonly thresholds: Thresholds;
  /** The ROI model when digitizer.roi = true and something needs lead boxes; null: the layout's nominal boxes. */
  readonly roi: tf.LayersModel | null;
  readonly digitization: DigitizerParts | null;
  readonly classification: ClassifierParts | null;
  dispose(): void;
}

export interface LoadCellOptions {
  readonly digitize: boolean;
  readonly classify: boolean;
  readonly logger: Logger;
}

/** Load what the commands need from a cell; the caller disposes it. */
export async function loadTrainedCell(cell: CellRef, options: LoadCellOptions): Promise<TrainedCell> {
  const ran = await checkStatus(cell, options.logger);
  const config = await readCellConfig(cell);
  const specs = specsOf(config);
  const artifacts = cellArtifacts(config, ran === undefined || ran.includes('hierarchical'));
  // One instance per artifact: digitize and classify share a fine-tuned digitizer.
  const loaded = new Map<string, tf.LayersModel>();
  const load = async (artifact: string, build: () => tf.LayersModel) => {
    const known = loaded.get(artifact);
    if (known) return known;
    const model = await loadPart(cell, artifact, build);
    loaded.set(artifact, model);
    return model;
  };
  const loadOptional = async (artifact: string | null, build: () => tf.LayersModel) => (artifact ? load(artifact, build) : null);
  // A shared-backbone part: its head's artifact on a classifier2d instance (loaded once per artifact, like every part).
  const loadShared = async (artifact: string, backbone: string, name: 'roi' | 'digitizer', spec: Parameters<typeof buildSharedHead>[1]) => {
    const key = `${artifact} on ${backbone}`;
    const known = loaded.get(key);
    if (known) return known;
    const classifier2d = await load(backbone, () => buildClassifier2d(specs.classifier2d));
    const head = await loadPart(cell, artifact, () => buildSharedHead(name, spec, specs.classifier2d));
    const model = composeShared(head, classifier2d, { trainBackbone: false });
    loaded.set(key, model);
    return model;
  };
  const shared = backboneShared(config.model);
  const dispose = () => {
    for (const m of loaded.values()) m.dispose();
    loaded.clear();
  };
  try {
    // Crops are cut for digitize, and for classify when the combined model reads the digitized leads.
    const needRoi = options.digitize || (options.classify && artifacts.combiner !== null);
    const roiOf = (artifact: string) =>
      artifacts.roiBackbone ? loadShared(artifact, artifacts.roiBackbone, 'roi', specs.roi) : load(artifact, () => buildRoi(specs.roi));
    const roi = needRoi && artifacts.roi ? await roiOf(artifacts.roi) : null;
    const denoiser = () => loadOptional(artifacts.denoiser, () => buildDenoiser(specs.denoiser));
    const digitizer = () =>
      shared ? loadShared(artifacts.digitizer, artifacts.classifier2d, 'digitizer', specs.digitizer) : load(artifacts.digitizer, () => buildDigitizer(specs.digitizer));
    const classifier2d = () => load(artifacts.classifier2d, () => buildClassifier2d(specs.classifier2d));
    const digitization: DigitizerParts | null = options.digitize ? { denoiser: await denoiser(), digitizer: await digitizer() } : null;
    let classification: ClassifierParts | null = null;
    if (options.classify && artifacts.combiner !== null && artifacts.classifier1d !== null) {
      const parts: HierarchicalParts = {
        classifier2d: await classifier2d(),
        denoiser: await denoiser(),
        digitizer: await digitizer(),
        classifier1d: await load(artifacts.classifier1d, () => buildClassifier1d(specs.classifier1d)),
        combiner: await load(artifacts.combiner, () => buildCombiner(specs.combiner)),
      };
      classification = { kind: 'hierarchical', parts };
    } else if (options.classify) {
      classification = { kind: 'image', classifier2d: await classifier2d() };
    }
    const thresholds = options.classify ? await readThresholds(cell, options.logger) : (Object.fromEntries(CHALLENGE_CLASSES.map((c) => [c, 0.5])) as Thresholds);
    return { cell, config, thresholds, roi, digitization, classification, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
