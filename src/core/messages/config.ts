/** `did you mean a or b?`, or nothing when no name is close. */
export const didYouMean = (suggestions: readonly string[]) =>
  suggestions.length === 0 ? '' : `did you mean ${suggestions.slice(0, -1).join(', ')}${suggestions.length > 1 ? ' or ' : ''}${suggestions[suggestions.length - 1]}?`;

export const unknownKey = (key: string, where: string, allowed: readonly string[], suggestions: readonly string[] = []) => {
  const others = allowed.filter((k) => !suggestions.includes(k));
  const list = others.length === 0 ? '' : `${others.slice(0, 12).join(', ')}${others.length > 12 ? ', ...' : ''}`;
  if (suggestions.length === 0) return `unknown config key '${key}' (${where})${list ? `; known keys near it: ${list}` : ''}`;
  return `unknown config key '${key}' (${where}): ${didYouMean(suggestions)}${list ? ` Other keys near it: ${list}` : ''}`;
};

export const badValue = (key: string, value: unknown, allowed: string, where: string) =>
  `${key} = ${JSON.stringify(value)} is not allowed: ${allowed} (${where})`;

/** A message that already names the key and the value (a render option's, config/schema/render.ts), with where the value came from. */
export const withSource = (problem: string, where: string) => `${problem} (${where})`;

export const badOverride = (text: string) =>
  `cannot read override '${text}': write it as key=value, e.g. render.noise=0.5 or render.noise=0,0.25,0.5 for a sweep`;

export const experimentNotFound = (path: string) =>
  `experiment file not found: ${path} (give a path to a YAML file, e.g. experiments/quickstart.yaml, or the name of one in experiments/, e.g. quickstart)`;

export const groupOptionNotFound = (group: string, option: string, available: readonly string[], where: string) =>
  `config group '${group}' has no option '${option}' (${where}); available: ${available.join(', ') || 'none'}`;

export const unknownGroup = (group: string, groups: readonly string[], where: string) =>
  `'${group}' is not a config group (${where}); groups are: ${groups.join(', ')}`;

export const yamlInvalid = (path: string, detail: string) => `cannot parse YAML in ${path}: ${detail}`;

export const notAMapping = (what: string, where: string) => `${what} must be a mapping of keys to values (${where})`;

export const sweepValuesNotList = (key: string, where: string) =>
  `sweep.${key} must be a non-empty list of values (${where})`;

export const sweepZipLengths = (keys: readonly string[], lengths: readonly number[], where: string) =>
  `zipped sweep keys ${keys.join(', ')} must have lists of equal length, got ${lengths.join(', ')} (${where})`;

export const sweepKeyTwice = (key: string, where: string) => `sweep key '${key}' appears on more than one axis (${where})`;

export const sweepEmpty = (where: string) => `the sweep has no cells left after exclusions (${where})`;

export const sweepUnknownField = (field: string, where: string) =>
  `sweep has no field '${field}' (${where}); allowed: grid, zip, exclude, seeds, ofat, or dotted keys with value lists`;

export const notDivisible = (key: string, value: number, factor: number, widthsKey: string, widths: readonly number[], where: string) => {
  const below = Math.floor(value / factor) * factor;
  const near = [below, below + factor].filter((n) => n > 0).join(' or ');
  return badValue(
    key,
    value,
    `must be divisible by ${factor}: the U-Net of ${widthsKey} = [${widths.join(', ')}] halves it ${widths.length - 1} time(s); e.g. ${near}, or change ${widthsKey}`,
    where,
  );
};

export const classifier1dEmpty = (durationS: number, fsHz: number, where: string) =>
  badValue(
    'data.durationS',
    durationS,
    `the 1-D classifier sees data.durationS x model.classifier1d.fsHz = ${durationS} x ${fsHz} samples, rounded to ${Math.round(durationS * fsHz)}; it needs at least 1`,
    where,
  );

export const dataPathEmpty = (source: string, where: string) =>
  badValue('data.path', '', `data.source = ${source} reads its records from a folder; set data.path to it, e.g. data.path=/data/ptb-xl`, where);

/** Where the data a missing folder should hold comes from. */
export const PTBXL_URL = 'https://physionet.org/content/ptb-xl/';
export const PTBXL_PLUS_URL = 'https://physionet.org/content/ptb-xl-plus/';

const whereToGet = (key: string, source: string): string => {
  if (key === 'data.ptbxlPlusPath') return `PTB-XL+ (its 12SL statements, for Acute MI) is at ${PTBXL_PLUS_URL}`;
  if (source === 'ptbxl') return `download PTB-XL from ${PTBXL_URL} (the folder that holds ptbxl_database.csv; the experiments look in data/ptb-xl)`;
  return `a folder of WFDB records (.hea with .dat), e.g. PTB-XL's records100/ from ${PTBXL_URL}, or one that ecg-lab generate signals --out DIR writes`;
};

export const dataFolderMissing = (key: string, path: string, absolute: string, state: 'file' | 'missing', source: string, where: string) =>
  badValue(
    key,
    path,
    `data.source = ${source} reads from this folder, and ${absolute} ${state === 'file' ? 'is a file, not a folder' : 'does not exist'}; give an existing folder: ${whereToGet(key, source)}`,
    where,
  );

export const stageKeyNotInSchema = (key: string) => `stage config key '${key}' is not in the schema`;

/** Custom convict formats (config/formats.ts): what follows the key in compose.ts's message. */
export const formatRange = (lo: number, hi: number, integer: boolean) => `must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}]`;
export const formatPositive = () => 'must be a number > 0';
export const formatNonNegative = () => 'must be a number >= 0';
export const formatPositiveInt = () => 'must be an integer >= 1';
export const formatIntList = () => 'must be a non-empty list of positive integers, e.g. [16, 32, 64]';
export const formatPriors = (classes: readonly string[]) => `must be a mapping of class name to probability in [0, 1]; classes: ${classes.join(', ')}`;
export const formatPriorClass = (name: string, classes: readonly string[]) => `has unknown class '${name}'; classes: ${classes.join(', ')}`;
export const formatPriorValue = (name: string, p: unknown) => `gives ${name} a prior of ${JSON.stringify(p)}; allowed: [0, 1]`;
