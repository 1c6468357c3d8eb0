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
import { EcgError } from '../core/errors.js';
import { configMessages as msg } from '../core/messages.js';
import { SCHEMA, CONFIG_GROUPS, type Config, type ConfigGroup } from './schema/index.js';
import { isSchemaEntry, type SchemaEntry, type SchemaTree } from './schema/types.js';
import { registerFormats } from './formats.js';

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

export function schemaLeafKeys(tree: SchemaTree = SCHEMA, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, node]) =>
    isSchemaEntry(node) ? [prefix + k] : schemaLeafKeys(node as SchemaTree, `${prefix}${k}.`),
  );
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
      throw new EcgError('CONFIG_INVALID', msg.unknownKey(key, where, near));
    }
    if (isSchemaEntry(node)) out[key] = v;
    else Object.assign(out, flattenBySchema(v, where, node as SchemaTree, `${key}.`));
  }
  return out;
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
    name: basename(path, extname(path)),
    defaults: parseDefaults(defaults, path),
    values: flattenBySchema(values, path),
    sweep,
    stages: parseStages(stages, path),
  };
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

export function compose(input: ComposeInput): Composed {
  const { experiment, configsDir } = input;
  const layers: { label: string; values: Values }[] = [];
  for (const group of CONFIG_GROUPS) {
    const option = input.groupChoices?.[group] ?? experiment.defaults[group] ?? defaultOption(configsDir, group);
    if (option === undefined) continue;
    const where = input.groupChoices?.[group] ? 'command line' : experiment.path;
    layers.push({ label: `configs/${group}/${option}.yaml`, values: readGroupOption(configsDir, group, option, where) });
  }
  layers.push({ label: experiment.path, values: { 'experiment.name': experiment.name, ...experiment.values } });
  const overridesLabel = input.overridesLabel ?? 'command line';
  const overrides = input.overrides ?? {};
  for (const key of Object.keys(overrides)) {
    if (schemaEntry(key) === undefined) {
      const parent = key.split('.').slice(0, -1).join('.');
      const near = schemaLeafKeys().filter((k) => k.startsWith(parent));
      throw new EcgError('CONFIG_INVALID', msg.unknownKey(key, overridesLabel, near.length ? near : schemaLeafKeys()));
    }
  }
  layers.push({ label: overridesLabel, values: { ...overrides } });

  const sources: Record<string, string> = {};
  const merged: Values = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      setDotted(merged, key, value);
      sources[key] = layer.label;
    }
  }
  return { config: validate(merged, sources), sources };
}

function defaultOption(configsDir: string, group: ConfigGroup): string | undefined {
  return groupOptions(configsDir, group).includes('default') ? 'default' : undefined;
}

function validate(values: Values, sources: Record<string, string>): Config {
  registerFormats();
  // convict coerces any string to a Boolean ("maybe" -> true): refuse non-booleans first.
  for (const key of schemaLeafKeys()) {
    const value = getDotted(values, key);
    if (schemaEntry(key)?.format === Boolean && value !== undefined && typeof value !== 'boolean') {
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
      return msg.badValue(key, getDotted(values, key), reason, sources[key] ?? 'defaults');
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

/** The config as `dotted.key -> value` over the schema's leaves: MLflow params, table columns. */
export function flattenConfig(config: Config): Record<string, unknown> {
  return Object.fromEntries(schemaLeafKeys().map((key) => [key, getDotted(config, key)]));
}

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
      if (schemaEntry(key) === undefined) throw new EcgError('STAGE_UNKNOWN', `stage config key '${key}' is not in the schema`);
      out[key] = getDotted(config, key);
    }
  }
  return out;
}

export function configToYaml(config: Config): string {
  return YAML.stringify(config);
}
