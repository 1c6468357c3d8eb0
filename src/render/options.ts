/**
 * The renderer's edge: a loose `render.*` config (from a composed config, a
 * test or a library caller) is completed with the schema's defaults, checked
 * and normalised once into RenderOptions; the rest of src/render/ trusts it.
 * Each value is checked by checkRenderOption (config/schema/render.ts), the
 * same function convict calls when a config is composed, so a library caller
 * without a config is refused exactly what a config would be.
 */
import { EcgError } from '../core/errors.js';
import { renderMessages } from '../core/messages.js';
import { checkRenderOption, colourRgb, renderSchema, type DistortConfig, type RenderConfig, type Rgb, type VarietyConfig } from '../config/schema/render.js';
import type { SchemaEntry, SchemaTree } from '../config/schema/types.js';
import { isSchemaEntry } from '../config/schema/types.js';

export type { Rgb };

/** A RenderConfig whose values were checked, with the colours parsed. */
export interface RenderOptions extends RenderConfig {
  readonly traceRgb: Rgb;
}

/** A partial render config: any key left out takes the schema default. */
export type RenderConfigInput = Partial<Omit<RenderConfig, 'distort' | 'variety'>> & { distort?: Partial<DistortConfig>; variety?: Partial<VarietyConfig> };

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

function checkKnownKeys(prefix: string, input: object, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw new EcgError('RENDER_INVALID', renderMessages.unknownOption(`${prefix}.${key}`, known));
  }
}

/**
 * Check and complete a render config. Throws EcgError RENDER_INVALID naming
 * the key, the value and what is allowed, e.g.
 * `render.noise = 1.5 is out of range: a number in [0, 1]`.
 */
export function normalizeRenderOptions(input: RenderConfigInput = {}): RenderOptions {
  const defaults = defaultRenderConfig();
  checkKnownKeys('render', input, Object.keys(defaults));
  const merged = {
    ...defaults,
    ...input,
    distort: { ...defaults.distort, ...(input.distort ?? {}) },
    variety: { ...defaults.variety, ...(input.variety ?? {}) },
  } as RenderConfig;
  for (const group of ['distort', 'variety'] as const) {
    checkKnownKeys(`render.${group}`, merged[group], Object.keys(defaults[group]));
    for (const [key, value] of Object.entries(merged[group])) checkRenderOption(`render.${group}.${key}`, value);
  }
  for (const [key, value] of Object.entries(merged)) {
    if (key !== 'distort' && key !== 'variety') checkRenderOption(`render.${key}`, value);
  }
  const v = merged.variety;
  if (v.traceWidthMinMm > v.traceWidthMaxMm) throw new EcgError('RENDER_INVALID', renderMessages.variedRange('render.variety.traceWidthMinMm', v.traceWidthMinMm, 'render.variety.traceWidthMaxMm', v.traceWidthMaxMm));
  if (v.labelSizeMinMm > v.labelSizeMaxMm) throw new EcgError('RENDER_INVALID', renderMessages.variedRange('render.variety.labelSizeMinMm', v.labelSizeMinMm, 'render.variety.labelSizeMaxMm', v.labelSizeMaxMm));
  return { ...merged, traceRgb: colourRgb(merged.traceColour) as Rgb };
}

/** The plain config values (no parsed colours): what goes into ground truth and manifests. */
export function renderConfigOf(options: RenderOptions): RenderConfig {
  const { traceRgb: _rgb, ...config } = options;
  return config;
}
