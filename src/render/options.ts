/**
 * The renderer's edge: loose `render.*` config (from the schema, a test or a
 * library caller) is checked and normalised once into RenderOptions; the rest
 * of src/render/ trusts it. The schema refuses bad values too, but library
 * entry points are called without it, so the ranges are checked again here.
 */
import { EcgError } from '../core/errors.js';
import { renderMessages } from '../core/messages.js';
import { renderSchema, type DistortConfig, type RenderConfig } from '../config/schema/render.js';
import type { SchemaEntry, SchemaTree } from '../config/schema/types.js';
import { isSchemaEntry } from '../config/schema/types.js';

export type Rgb = readonly [number, number, number];

/** A RenderConfig whose values were checked, with the colours parsed. */
export interface RenderOptions extends RenderConfig {
  readonly traceRgb: Rgb;
}

/** A partial render config: any key left out takes the schema default. */
export type RenderConfigInput = Partial<Omit<RenderConfig, 'distort'>> & { distort?: Partial<DistortConfig> };

export const LAYOUTS = ['3x4', '6x2', '12x1'] as const;
export const PAPERS = ['a4', 'letter'] as const;
export const GRID_COLOURS = ['red', 'pink', 'grey', 'green', 'blue', 'none'] as const;
export const RHYTHM_LEADS = ['II', 'I', 'V1', 'V5', 'none'] as const;
export const IMAGE_FORMATS = ['auto', 'png'] as const;
export const DPI_RANGE = [50, 600] as const;

const NAMED_COLOURS: Readonly<Record<string, Rgb>> = {
  black: [0, 0, 0],
  blue: [0, 0, 255],
  darkblue: [0, 0, 139],
  navy: [0, 0, 128],
  darkgreen: [0, 100, 0],
  red: [255, 0, 0],
  grey: [128, 128, 128],
  gray: [128, 128, 128],
};

function schemaDefaults(tree: SchemaTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    out[key] = isSchemaEntry(node) ? structuredClone((node as SchemaEntry).default) : schemaDefaults(node as SchemaTree);
  }
  return out;
}

/** The schema's defaults for the `render` group. */
export function defaultRenderConfig(): RenderConfig {
  return schemaDefaults(renderSchema.render as SchemaTree) as unknown as RenderConfig;
}

const invalid = (message: string) => new EcgError('RENDER_INVALID', message);

function checkNumber(key: string, value: unknown, lo: number, hi: number, { integer = false, openLow = false } = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (openLow ? value > lo : value >= lo) &&
    value <= hi &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const range = `${integer ? 'an integer' : 'a number'} in ${openLow ? '(' : '['}${lo}, ${hi === Infinity ? 'inf)' : `${hi}]`}`;
    throw invalid(renderMessages.optionOutOfRange(key, value, range));
  }
  return value as number;
}

function checkOneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(renderMessages.optionNotOneOf(key, value, allowed));
  }
  return value as T;
}

function checkBoolean(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(renderMessages.optionNotOneOf(key, value, ['true', 'false']));
  return value;
}

export function parseColour(key: string, value: unknown): Rgb {
  if (typeof value !== 'string') throw invalid(renderMessages.badColour(key, value));
  const named = NAMED_COLOURS[value.toLowerCase()];
  if (named) return named;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value);
  if (short) return [1, 2, 3].map((i) => parseInt(`${short[i]}${short[i]}`, 16)) as unknown as Rgb;
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value);
  if (long) return [1, 2, 3].map((i) => parseInt(long[i] as string, 16)) as unknown as Rgb;
  throw invalid(renderMessages.badColour(key, value));
}

function checkKnownKeys(prefix: string, input: object, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw invalid(renderMessages.unknownOption(`${prefix}.${key}`, known));
  }
}

const DISTORT_LIMITS: Readonly<Record<keyof DistortConfig, readonly [number, number, boolean?]>> = {
  rotationDeg: [0, 45],
  perspective: [0, 0.2],
  crop: [0, 0.3],
  wrinkles: [0, 1],
  creases: [0, 12, true],
  blurPx: [0, 10],
  sensorNoise: [0, 100],
  jpeg: [0, 1],
  brightness: [0, 0.5],
  contrast: [0, 0.8],
  colourTemperature: [0, 0.5],
  shading: [0, 0.8],
  stains: [0, 12, true],
  marks: [0, 12, true],
};

/**
 * Check and complete a render config. Throws EcgError RENDER_INVALID naming
 * the key, the value and what is allowed, e.g.
 * `render.noise = 1.5 is out of range: a number in [0, 1]`.
 */
export function normalizeRenderOptions(input: RenderConfigInput = {}): RenderOptions {
  const defaults = defaultRenderConfig();
  checkKnownKeys('render', input, Object.keys(defaults));
  const merged = { ...defaults, ...input, distort: { ...defaults.distort, ...(input.distort ?? {}) } } as RenderConfig;
  checkKnownKeys('render.distort', merged.distort, Object.keys(defaults.distort));
  const distort = {} as Record<keyof DistortConfig, number>;
  for (const [key, [lo, hi, integer]] of Object.entries(DISTORT_LIMITS) as [keyof DistortConfig, readonly [number, number, boolean?]][]) {
    distort[key] = checkNumber(`render.distort.${key}`, merged.distort[key], lo, hi, { integer: integer ?? false });
  }
  return {
    noise: checkNumber('render.noise', merged.noise, 0, 1),
    layout: checkOneOf('render.layout', merged.layout, LAYOUTS),
    rhythmLead: checkOneOf('render.rhythmLead', merged.rhythmLead, RHYTHM_LEADS),
    dpi: checkNumber('render.dpi', merged.dpi, DPI_RANGE[0], DPI_RANGE[1]),
    paper: checkOneOf('render.paper', merged.paper, PAPERS),
    speedMmPerS: checkNumber('render.speedMmPerS', merged.speedMmPerS, 0, 200, { openLow: true }),
    gainMmPerMv: checkNumber('render.gainMmPerMv', merged.gainMmPerMv, 0, 100, { openLow: true }),
    gridColour: checkOneOf('render.gridColour', merged.gridColour, GRID_COLOURS),
    traceWidthMm: checkNumber('render.traceWidthMm', merged.traceWidthMm, 0, 3, { openLow: true }),
    traceColour: merged.traceColour,
    traceRgb: parseColour('render.traceColour', merged.traceColour),
    calibrationPulse: checkBoolean('render.calibrationPulse', merged.calibrationPulse),
    leadLabels: checkBoolean('render.leadLabels', merged.leadLabels),
    header: checkBoolean('render.header', merged.header),
    imageFormat: checkOneOf('render.imageFormat', merged.imageFormat, IMAGE_FORMATS),
    distort,
  };
}

/** The plain config values (no parsed colours): what goes into ground truth and manifests. */
export function renderConfigOf(options: RenderOptions): RenderConfig {
  const { traceRgb: _rgb, ...config } = options;
  return config;
}
