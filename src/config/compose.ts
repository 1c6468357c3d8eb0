/**
 * Hydra-like composition, small. Phases, in order:
 *   1. schema defaults (config/schema/)
 *   2. one option file per group, as named by the experiment's `defaults:`
 *      (configs/<group>/<option>.yaml; `default.yaml` when not named)
 *   3. the experiment file's own values
 *   4. command-line overrides `a.b=value` (and `group=option` choices, which
 *      replace step 2's choice for that group)
 * Every key is checked against the schema where it is read, so an error names
 * its source; formats are checked once on the merged result by convict.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, join, extname } from 'node:path';
import convict from 'convict';
import YAML from 'yaml';
import { EcgError, isEcgError } from '../core/errors.js';
import { stableStringify } from '../core/hash.js';
import { configMessages as msg } from '../core/messages.js';
import { SCHEMA, CONFIG_GROUPS, type Config, type ConfigGroup } from './schema/index.js';
import { SHORTHAND_KEYS } from './schema/run.js';
import { isSchemaEntry, type SchemaEntry, type SchemaTree } from './schema/types.js';
import { registerFormats } from './formats.js';
import { configChecker } from './checks.js';
import { closestNames } from './suggest.js';

export type Values = Record<string, unknown>;

/** The experiment file, parsed and checked, not yet composed. */
export interface Experiment {
  readonly path: string;
  readonly name: string;
  readonly defaults: Readonly<Partial<Record<ConfigGroup, string>>>;
  /** Its own config values as dotted leaf keys. */
  readonly values: Readonly<Values>;
  /** The raw `sweep:` mapping, expanded by config/sweep.ts. */
  readonly sweep: unknown;
  /** Target stages; the runner runs these and what they read. Empty = all registered. */
  readonly stages: readonly string[];
}

export interface Composed {
  readonly config: Config;
  /** For every dotted key set above the defaults: where its value came from. */
  readonly sources: Readonly<Record<string, string>>;
}

const EXPERIMENT_FIELDS = ['defaults', 'sweep', 'stages'] as const;

let schemaLeaves: readonly string[] | undefined;

/** Every leaf of the schema as a dotted key, in schema order. */
export function schemaLeafKeys(): readonly string[] {
  schemaLeaves ??= Object.freeze(leafKeys(SCHEMA, ''));
  return schemaLeaves;
}

function leafKeys(tree: SchemaTree, prefix: string): string[] {
  return Object.entries(tree).flatMap(([k, node]) => (isSchemaEntry(node) ? [prefix + k] : leafKeys(node as SchemaTree, `${prefix}${k}.`)));
}

export function schemaEntry(key: string): SchemaEntry | undefined {
  let node: SchemaTree | SchemaEntry = SCHEMA;
  for (const part of key.split('.')) {
    if (isSchemaEntry(node)) return undefined;
    const next: SchemaTree | SchemaEntry | undefined = (node as SchemaTree)[part];
    if (next === undefined) return undefined;
    node = next;
  }
  return isSchemaEntry(node) ? node : undefined;
}

/** Nested mapping -> dotted leaf keys, guided by the schema; unknown keys are refused naming `where`. */
export function flattenBySchema(value: unknown, where: string, tree: SchemaTree = SCHEMA, prefix = ''): Values {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new EcgError('CONFIG_INVALID', msg.notAMapping(prefix ? prefix.slice(0, -1) : 'the config', where));
  }
  const out: Values = {};
  for (const [k, v] of Object.entries(value as Values)) {
    const node = tree[k];
    const key = prefix + k;
    if (node === undefined) {
      const near = Object.keys(tree).map((n) => prefix + n);
      throw new EcgError('CONFIG_INVALID', msg.unknownKey(key, where, near, closestNames(key, near)));
    }
    if (isSchemaEntry(node)) out[key] = v;
    else if (isShorthand(key) && (v === null || typeof v !== 'object')) Object.assign(out, expandShorthand(key, v));
    else Object.assign(out, flattenBySchema(v, where, node as SchemaTree, `${key}.`));
  }
  return out;
}

export function isShorthand(key: string): boolean {
  return Object.hasOwn(SHORTHAND_KEYS, key);
}

/** A shorthand key (`seed`) as the leaves it sets, each to `value`; any other key as itself. */
export function expandShorthand(key: string, value: unknown): Values {
  return Object.fromEntries(shorthandLeaves(key).map((leaf) => [leaf, value]));
}

/** The leaves a key names: a shorthand's, or the key itself. */
export function shorthandLeaves(key: string): readonly string[] {
  return isShorthand(key) ? (SHORTHAND_KEYS[key] as readonly string[]) : [key];
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new EcgError('CONFIG_NOT_FOUND', msg.experimentNotFound(path), { cause });
  }
  try {
    return YAML.parse(text) ?? {};
  } catch (cause) {
    throw new EcgError('CONFIG_INVALID', msg.yamlInvalid(path, (cause as Error).message), { cause });
  }
}

export function readExperiment(path: string): Experiment {
  if (!existsSync(path)) throw new EcgError('CONFIG_NOT_FOUND', msg.experimentNotFound(path));
  const raw = readYaml(path);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new EcgError('CONFIG_INVALID', msg.notAMapping('an experiment file', path));
  }
  const { defaults, sweep, stages, ...values } = raw as Values;
  return {
    path,
    name: experimentName(basename(path, extname(path))),
    defaults: parseDefaults(defaults, path),
    values: flattenBySchema(values, path),
    sweep,
    stages: parseStages(stages, path),
  };
}

/**
 * The experiment's name from its file name; it becomes the folder
 * <runs>/<name>/, so it is made one safe folder name: characters other than
 * letters, digits, '.', '_' and '-' become '-', leading dots are dropped
 * (`.cache.yaml` would write into the stage cache, `...yaml` into the
 * folder above runs/, and the run store does not list dot folders), and
 * nothing left gives `experiment`.
 */
export function experimentName(fileStem: string): string {
  const name = fileStem.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '');
  return name === '' ? 'experiment' : name;
}

function parseDefaults(value: unknown, where: string): Partial<Record<ConfigGroup, string>> {
  if (value === undefined || value === null) return {};
  // Hydra writes a list of one-key mappings; a plain mapping is accepted too.
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.flatMap((item) => (item && typeof item === 'object' ? Object.entries(item as Values) : [[String(item), undefined]]))
    : typeof value === 'object'
      ? Object.entries(value as Values)
      : [];
  if (entries.length === 0 && value !== undefined) {
    throw new EcgError('CONFIG_INVALID', msg.notAMapping('defaults', where));
  }
  const out: Partial<Record<ConfigGroup, string>> = {};
  for (const [group, option] of entries) {
    if (!isGroup(group)) throw new EcgError('CONFIG_INVALID', msg.unknownGroup(group, CONFIG_GROUPS, where));
    if (typeof option !== 'string') {
      throw new EcgError('CONFIG_INVALID', msg.badValue(`defaults.${group}`, option, 'the name of an option file', where));
    }
    out[group] = option;
  }
  return out;
}

function parseStages(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw new EcgError('CONFIG_INVALID', msg.badValue('stages', value, 'a list of stage names', where));
  }
  return value as string[];
}

export function isGroup(name: string): name is ConfigGroup {
  return (CONFIG_GROUPS as readonly string[]).includes(name);
}

export function groupOptions(configsDir: string, group: ConfigGroup): string[] {
  const dir = join(configsDir, group);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .map((f) => basename(f, extname(f)))
    .sort();
}

function readGroupOption(configsDir: string, group: ConfigGroup, option: string, where: string): Values {
  const available = groupOptions(configsDir, group);
  if (!available.includes(option)) {
    throw new EcgError('CONFIG_INVALID', msg.groupOptionNotFound(group, option, available, where));
  }
  const file = [join(configsDir, group, `${option}.yaml`), join(configsDir, group, `${option}.yml`)].find(existsSync) as string;
  return flattenBySchema(readYaml(file), file);
}

export interface ComposeInput {
  readonly experiment: Experiment;
  readonly configsDir: string;
  /** Dotted key -> value, applied last, in order. */
  readonly overrides?: Readonly<Values>;
  /** Group -> option chosen on the command line. */
  readonly groupChoices?: Readonly<Partial<Record<ConfigGroup, string>>>;
  /** Label of the overrides' origin in messages, e.g. `command line` or `sweep cell 3`. */
  readonly overridesLabel?: string;
}

/**
 * Composes many configs that differ only in their overrides (the cells of a
 * sweep): steps 1-3 are read once. Formats are per key in convict, so a
 * cell is valid when the shared layers are valid on the keys the cell does
 * not set, and each of its own values is valid; both are checked once per
 * distinct case and remembered, which keeps a 10,000-cell sweep at a few
 * convict runs instead of 10,000. Cross-key rules (config/checks.ts) run on
 * every composed config.
 */
export interface Composer {
  compose(overrides: Readonly<Values>, overridesLabel: string): Composed;
}

export function composer(input: Omit<ComposeInput, 'overrides' | 'overridesLabel'>): Composer {
  const { experiment, configsDir } = input;
  const shared: Values = {};
  const sharedSources: Record<string, string> = {};
  for (const group of CONFIG_GROUPS) {
    const option = input.groupChoices?.[group] ?? experiment.defaults[group] ?? defaultOption(configsDir, group);
    if (option === undefined) continue;
    const where = input.groupChoices?.[group] ? 'command line' : experiment.path;
    const label = `configs/${group}/${option}.yaml`;
    for (const [key, value] of Object.entries(readGroupOption(configsDir, group, option, where))) {
      setDotted(shared, key, value);
      sharedSources[key] = label;
    }
  }
  for (const [key, value] of Object.entries({ 'experiment.name': experiment.name, ...experiment.values })) {
    setDotted(shared, key, value);
    sharedSources[key] = experiment.path;
  }

  /** Sorted overridden keys -> the shared layers validated without them (those keys at their defaults). */
  const bases = new Map<string, Config>();
  /** stableStringify([key, value]) -> the value as convict coerced it. */
  const checkedValues = new Map<string, unknown>();
  const checks = configChecker();

  return {
    compose(given, overridesLabel) {
      const overrides: Values = {};
      for (const [key, value] of Object.entries(given)) Object.assign(overrides, expandShorthand(key, value));
      const keys = Object.keys(overrides).sort();
      for (const key of keys) checkKnownKey(key, overridesLabel);
      const overrideSources = Object.fromEntries(keys.map((key) => [key, overridesLabel]));
      const sources = { ...sharedSources, ...overrideSources };

      const problems: string[] = [];
      const signature = keys.join('\n');
      let base = bases.get(signature);
      if (base === undefined) {
        const values = structuredClone(shared);
        for (const key of keys) deleteDotted(values, key);
        base = validateOrCollect(values, sharedSources, problems);
        if (base !== undefined) bases.set(signature, base);
      }
      const unchecked = keys.filter((key) => !checkedValues.has(stableStringify([key, overrides[key]])));
      if (unchecked.length > 0) {
        const values: Values = {};
        for (const key of unchecked) setDotted(values, key, overrides[key]);
        const own = validateOrCollect(values, overrideSources, problems);
        if (own !== undefined) for (const key of unchecked) checkedValues.set(stableStringify([key, overrides[key]]), getDotted(own, key));
      }
      if (problems.length > 0 || base === undefined) throw new EcgError('CONFIG_INVALID', problems.join('\n'));

      const config = structuredClone(base);
      for (const key of keys) setDotted(config as unknown as Values, key, structuredClone(checkedValues.get(stableStringify([key, overrides[key]]))));
      checks.check(config, sources);
      return { config, sources };
    },
  };
}

export function compose(input: ComposeInput): Composed {
  return composer(input).compose(input.overrides ?? {}, input.overridesLabel ?? 'command line');
}

function checkKnownKey(key: string, where: string): void {
  if (schemaEntry(key) !== undefined) return;
  const parent = key.split('.').slice(0, -1).join('.');
  const near = schemaLeafKeys().filter((k) => k.startsWith(parent));
  throw new EcgError('CONFIG_INVALID', msg.unknownKey(key, where, near.length ? near : schemaLeafKeys(), closestNames(key, schemaLeafKeys())));
}

function defaultOption(configsDir: string, group: ConfigGroup): string | undefined {
  return groupOptions(configsDir, group).includes('default') ? 'default' : undefined;
}

/** The schema's defaults overlaid with `values`, validated; on failure, its messages go to `problems`. */
function validateOrCollect(values: Values, sources: Record<string, string>, problems: string[]): Config | undefined {
  try {
    return validate(values, sources);
  } catch (error) {
    if (!isEcgError(error, 'CONFIG_INVALID')) throw error;
    problems.push(error.message);
    return undefined;
  }
}

function validate(values: Values, sources: Record<string, string>): Config {
  registerFormats();
  // convict coerces any string to a Boolean ("maybe" -> true): refuse non-booleans first.
  for (const key of booleanKeys()) {
    const value = getDotted(values, key);
    if (value !== undefined && typeof value !== 'boolean') {
      throw new EcgError('CONFIG_INVALID', msg.badValue(key, value, 'must be true or false', sources[key] ?? 'defaults'));
    }
  }
  const schema = convict(SCHEMA as convict.Schema<Config>, { args: [], env: {} });
  try {
    schema.load(values);
    schema.validate({ allowed: 'strict' });
  } catch (error) {
    throw new EcgError('CONFIG_INVALID', describeConvictError(error as Error, values, sources), { cause: error });
  }
  return schema.getProperties() as Config;
}

let booleanKeyList: readonly string[] | undefined;
function booleanKeys(): readonly string[] {
  booleanKeyList ??= schemaLeafKeys().filter((key) => schemaEntry(key)?.format === Boolean);
  return booleanKeyList;
}

/** convict reports `key: reason: value was X` per line; restate each with the value's source. */
function describeConvictError(error: Error, values: Values, sources: Record<string, string>): string {
  return error.message
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const match = /^([\w.]+): (.*?)(?:: value was .*)?$/.exec(line.trim());
      if (!match) return line;
      const key = match[1] as string;
      const reason = (match[2] as string).replace(/^must be one of the possible values: /, 'must be one of ');
      const where = sources[key] ?? 'defaults';
      // A format that names the key itself (checkRenderOption) already said what was wrong; only the source is added.
      if (reason.startsWith(`${key} = `)) return msg.withSource(reason, where);
      return msg.badValue(key, getDotted(values, key), reason, where);
    })
    .join('\n');
}

export function setDotted(target: Values, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Values;
  }
  node[parts[parts.length - 1] as string] = value;
}

export function getDotted(source: unknown, key: string): unknown {
  let node: unknown = source;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Values)[part];
  }
  return node;
}

function deleteDotted(target: Values, key: string): void {
  const parts = key.split('.');
  const parent = getDotted(target, parts.slice(0, -1).join('.'));
  if (parts.length === 1) delete target[key];
  else if (parent !== null && typeof parent === 'object') delete (parent as Values)[parts[parts.length - 1] as string];
}

/** The config as `dotted.key -> value` over the schema's leaves: MLflow params, table columns. */
export function flattenConfig(config: Config): Record<string, unknown> {
  leafPaths ??= schemaLeafKeys().map((key) => [key, key.split('.')] as const);
  const flat: Record<string, unknown> = {};
  for (const [key, path] of leafPaths) {
    let node: unknown = config;
    for (const part of path) node = node === null || typeof node !== 'object' ? undefined : (node as Values)[part];
    flat[key] = node;
  }
  return flat;
}

let leafPaths: (readonly [string, readonly string[]])[] | undefined;

/**
 * Values of the given keys; a key ending in `.*` stands for every leaf under
 * it. Used for stage cache keys.
 */
export function selectKeys(config: Config, keys: readonly string[]): Record<string, unknown> {
  const leaves = schemaLeafKeys();
  const out: Record<string, unknown> = {};
  for (const pattern of keys) {
    const matched = pattern.endsWith('.*') ? leaves.filter((k) => k.startsWith(pattern.slice(0, -1))) : [pattern];
    for (const key of matched) {
      if (schemaEntry(key) === undefined) throw new EcgError('STAGE_UNKNOWN', msg.stageKeyNotInSchema(key));
      out[key] = getDotted(config, key);
    }
  }
  return out;
}

export function configToYaml(config: Config): string {
  return YAML.stringify(config);
}
