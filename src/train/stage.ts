/**
 * A stage of the method: a plain object that declares what it reads (input
 * stages), which config keys change its result, and how to run. The runner
 * derives its cache key from exactly these declarations (train/cache.ts):
 *
 *   key = hash(name, version, values of configKeys, cache keys of reads
 *              (with what readsWhen adds for the config),
 *              fingerprint of what it reads from outside the cache)
 *
 * so bumping `version` invalidates old entries and a key left out of
 * `configKeys` is a bug that makes the cache serve stale results.
 */
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { Config } from '../config/schema/index.js';

/** What a finished stage left: its folder (read-only to others) and its manifest. */
export interface StageOutput<M = unknown> {
  readonly stage: string;
  readonly key: string;
  readonly dir: string;
  readonly manifest: M;
}

export interface MetricSink {
  /** Append a metric point; `name` is namespaced like `snr/II` or `classifier2d/loss`. */
  log(name: string, value: number, step?: number): void;
}

export interface TagSink {
  /** Set a run tag (e.g. `data.digest`); stored with the cache entry and set on every cell that uses it. */
  set(name: string, value: string): void;
}

export interface ArtifactSink {
  /** Copy a file the stage wrote into the run's artifacts under `name` (e.g. `classifier2d/model.json`). */
  add(path: string, name: string): Promise<void>;
}

export interface StageContext {
  readonly config: Config;
  /** Empty folder to write outputs into; renamed into the cache only if run() resolves. */
  readonly outDir: string;
  /** Outputs of the stages named in `reads`, by stage name. */
  readonly inputs: Readonly<Record<string, StageOutput>>;
  readonly logger: Logger;
  readonly progress: Progress;
  /** Metrics of the cell (run store, MLflow). Stages that are cached log only when they run. */
  readonly metrics: MetricSink;
  readonly artifacts: ArtifactSink;
  readonly tags: TagSink;
  /** Aborted when the cell is cancelled; long loops check it between steps. */
  readonly signal: AbortSignal;
  /** Tags of the loaded backend (name, TensorFlow version) when `usesBackend`, else empty. */
  readonly backend: Readonly<Record<string, string>>;
}

export interface Stage<M = unknown> {
  readonly name: string;
  /** Bump when the stage's code changes what it writes. */
  readonly version: number;
  readonly description: string;
  /** Names of the stages whose outputs it reads. */
  readonly reads: readonly string[];
  /**
   * Inputs that some configs add to `reads` (model.backbone = shared: the
   * roi and digitizer stages read classifier2d). They join the graph and
   * the cache key like `reads`; a config that adds none keeps the key the
   * stage had without this, and the added input's key tells the configs
   * apart. The stage sees an added input in ctx.inputs.
   */
  readsWhen?(config: Config): readonly string[];
  /** Dotted config keys its result depends on (`render.noise`, `data.*` for a whole group). */
  readonly configKeys: readonly string[];
  /** What it writes, for `--dry-run` and docs (e.g. `images + ground truth`). */
  readonly writes: string;
  /**
   * A digest of what the stage reads from outside the cache and its config
   * (the data stage: the files of data.path), hashed into its key so that
   * changed files give a new key. Synchronous, because keys are; undefined
   * when the config determines everything.
   */
  fingerprint?(config: Config): string | undefined;
  /** True when it trains or runs a model: the runner loads the backend before it. */
  readonly usesBackend?: boolean;
  /**
   * Do the work; return the manifest (JSON-able) that describes what is in
   * outDir. Metrics it logs are stored with its cache entry and replayed into
   * every cell that uses the entry, so a cached stage's curves and scores
   * appear in each cell's run.
   */
  run(ctx: StageContext): Promise<M>;
}

/** What `stage` reads under `config`: its `reads`, then what `readsWhen` adds. */
export function stageReads(stage: Stage, config: Config): readonly string[] {
  const added = stage.readsWhen?.(config) ?? [];
  return added.length === 0 ? stage.reads : [...stage.reads, ...added.filter((name) => !stage.reads.includes(name))];
}
