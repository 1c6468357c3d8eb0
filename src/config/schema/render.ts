import { EcgError } from '../../core/errors.js';
import { renderMessages } from '../../core/messages.js';
import type { SchemaTree } from './types.js';

/**
 * The `render` group: its shape, the one rule per option and the schema
 * (docs and defaults). The rules are checked by one function,
 * checkRenderOption: convict calls it through each entry's format when a
 * config is composed, and render/options.ts (normalizeRenderOptions) calls it
 * for library callers that have no composed config. Both therefore refuse
 * the same values with the same message (core/messages/render.ts). Render
 * options live under config/ because config/ sits below render/ and convict
 * must reach the rules.
 */

export const LAYOUTS = ['3x4', '3x4+3', '6x2', '12x1'] as const;
export const RHYTHM_LEADS = ['II', 'I', 'V1', 'V5', 'none'] as const;
export const PAPERS = ['a4', 'letter'] as const;
export const GRID_COLOURS = ['red', 'pink', 'grey', 'green', 'blue', 'none'] as const;
export const IMAGE_FORMATS = ['auto', 'png'] as const;
/** Grid looks a varied page may draw (render/variety/look.ts): the render.gridColour palettes plus ecg-image-kit's bold red. */
export const GRID_STYLES = ['red', 'kit', 'pink', 'grey', 'green', 'blue', 'none'] as const;

/**
 * Each distortion's strength at `render.noise = 1`; the applied strength is
 * `noise * strength * (a seeded draw in [0.5, 1])`. Setting one to 0 turns it off.
 */
export interface DistortConfig {
  rotationDeg: number;
  perspective: number;
  crop: number;
  wrinkles: number;
  creases: number;
  blurPx: number;
  sensorNoise: number;
  jpeg: number;
  brightness: number;
  contrast: number;
  colourTemperature: number;
  shading: number;
  stains: number;
  marks: number;
}

/**
 * Domain randomisation (render/variety/): per page, from the page's seed,
 * each aspect of the page's look is drawn with probability `strength`
 * (otherwise it keeps the render.* value). strength 0 draws nothing: the
 * page is byte for byte the page without this group.
 */
export interface VarietyConfig {
  strength: number;
  layouts: (typeof LAYOUTS)[number][];
  papers: (typeof PAPERS)[number][];
  dpiJitter: number;
  panelShiftMm: number;
  gridStyles: (typeof GRID_STYLES)[number][];
  gridWidthScale: number;
  traceColours: string[];
  traceWidthMinMm: number;
  traceWidthMaxMm: number;
  labelSizeMinMm: number;
  labelSizeMaxMm: number;
  headerOff: number;
  pulseOff: number;
  pulseRight: number;
  pulseAbuts: number;
}

export interface RenderConfig {
  noise: number;
  layout: (typeof LAYOUTS)[number];
  rhythmLead: (typeof RHYTHM_LEADS)[number];
  dpi: number;
  paper: (typeof PAPERS)[number];
  speedMmPerS: number;
  gainMmPerMv: number;
  gridColour: (typeof GRID_COLOURS)[number];
  traceWidthMm: number;
  traceColour: string;
  calibrationPulse: boolean;
  leadLabels: boolean;
  header: boolean;
  imageFormat: (typeof IMAGE_FORMATS)[number];
  distort: DistortConfig;
  variety: VarietyConfig;
}

export type Rgb = readonly [number, number, number];

/** What one render option may be. */
type RenderRule =
  | { readonly kind: 'number'; readonly lo: number; readonly hi: number; readonly integer: boolean; readonly openLow: boolean }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'colour' }
  | { readonly kind: 'list'; readonly values: readonly string[] | 'colour' };

const inRange = (lo: number, hi: number): RenderRule => ({ kind: 'number', lo, hi, integer: false, openLow: false });
const aboveZero = (hi: number): RenderRule => ({ kind: 'number', lo: 0, hi, integer: false, openLow: true });
const count = (hi: number): RenderRule => ({ kind: 'number', lo: 0, hi, integer: true, openLow: false });
const oneOf = (values: readonly string[]): RenderRule => ({ kind: 'oneOf', values });
const BOOLEAN: RenderRule = { kind: 'boolean' };
const listOf = (values: readonly string[] | 'colour'): RenderRule => ({ kind: 'list', values });

type Group = 'distort' | 'variety';
type PlainOption = Exclude<keyof RenderConfig, Group>;

const OPTION_RULES: { readonly [K in PlainOption]: RenderRule } = {
  noise: inRange(0, 1),
  layout: oneOf(LAYOUTS),
  rhythmLead: oneOf(RHYTHM_LEADS),
  dpi: inRange(50, 600),
  paper: oneOf(PAPERS),
  speedMmPerS: aboveZero(200),
  gainMmPerMv: aboveZero(100),
  gridColour: oneOf(GRID_COLOURS),
  traceWidthMm: aboveZero(3),
  traceColour: { kind: 'colour' },
  calibrationPulse: BOOLEAN,
  leadLabels: BOOLEAN,
  header: BOOLEAN,
  imageFormat: oneOf(IMAGE_FORMATS),
};

/** The largest strength each distortion may be given (a bound on what the renderer was drawn and tested for). */
const DISTORT_RULES: { readonly [K in keyof DistortConfig]: RenderRule } = {
  rotationDeg: inRange(0, 45),
  perspective: inRange(0, 0.2),
  crop: inRange(0, 0.3),
  wrinkles: inRange(0, 1),
  creases: count(12),
  blurPx: inRange(0, 10),
  sensorNoise: inRange(0, 100),
  jpeg: inRange(0, 1),
  brightness: inRange(0, 0.5),
  contrast: inRange(0, 0.8),
  colourTemperature: inRange(0, 0.5),
  shading: inRange(0, 0.8),
  stains: count(12),
  marks: count(12),
};

/** Bounds of the variety group: what the renderer was drawn and tested for (test/render/variety.test.ts). */
const VARIETY_RULES: { readonly [K in keyof VarietyConfig]: RenderRule } = {
  strength: inRange(0, 1),
  layouts: listOf(LAYOUTS),
  papers: listOf(PAPERS),
  dpiJitter: inRange(0, 0.3),
  panelShiftMm: inRange(0, 60),
  gridStyles: listOf(GRID_STYLES),
  gridWidthScale: inRange(1, 4),
  traceColours: listOf('colour'),
  traceWidthMinMm: aboveZero(1),
  traceWidthMaxMm: aboveZero(1),
  labelSizeMinMm: aboveZero(8),
  labelSizeMaxMm: aboveZero(8),
  headerOff: inRange(0, 1),
  pulseOff: inRange(0, 1),
  pulseRight: inRange(0, 1),
  pulseAbuts: inRange(0, 1),
};

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

/** A colour name (NAMED_COLOURS) or #rgb / #rrggbb as RGB, or undefined when `text` is neither. */
export function colourRgb(text: string): Rgb | undefined {
  const named = NAMED_COLOURS[text.toLowerCase()];
  if (named) return named;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short) return [1, 2, 3].map((i) => parseInt(`${short[i]}${short[i]}`, 16)) as unknown as Rgb;
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (long) return [1, 2, 3].map((i) => parseInt(long[i] as string, 16)) as unknown as Rgb;
  return undefined;
}

const invalid = (message: string) => new EcgError('RENDER_INVALID', message);

function numberAllowed(rule: Extract<RenderRule, { kind: 'number' }>): string {
  return `${rule.integer ? 'an integer' : 'a number'} in ${rule.openLow ? '(' : '['}${rule.lo}, ${rule.hi}]`;
}

/**
 * Check one render option against its rule; `key` is dotted (`render.noise`,
 * `render.distort.creases`). Throws EcgError RENDER_INVALID naming the key,
 * the value and what is allowed, e.g. `render.noise = 1.5 is out of range: a number in [0, 1]`.
 */
export function checkRenderOption(key: string, value: unknown): void {
  const rule = ruleOf(key);
  switch (rule.kind) {
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (rule.openLow ? value > rule.lo : value >= rule.lo) &&
        value <= rule.hi &&
        (!rule.integer || Number.isInteger(value));
      if (!ok) throw invalid(renderMessages.optionOutOfRange(key, value, numberAllowed(rule)));
      return;
    }
    case 'oneOf':
      if (typeof value !== 'string' || !rule.values.includes(value)) throw invalid(renderMessages.optionNotOneOf(key, value, rule.values));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(renderMessages.optionNotOneOf(key, value, ['true', 'false']));
      return;
    case 'colour':
      if (typeof value !== 'string' || colourRgb(value) === undefined) throw invalid(renderMessages.badColour(key, value));
      return;
    case 'list': {
      const allowed = rule.values;
      const fits = (v: unknown) => typeof v === 'string' && (allowed === 'colour' ? colourRgb(v) !== undefined : allowed.includes(v));
      if (!Array.isArray(value) || value.length === 0 || !value.every(fits)) {
        throw invalid(renderMessages.optionNotListOf(key, value, allowed === 'colour' ? 'colours (names or #rrggbb)' : `values from ${allowed.join(', ')}`));
      }
      return;
    }
  }
}

function ruleOf(key: string): RenderRule {
  const [group, name, leaf] = key.split('.');
  const rule =
    group !== 'render' ? undefined
    : name === 'distort' ? DISTORT_RULES[leaf as keyof DistortConfig]
    : name === 'variety' ? VARIETY_RULES[leaf as keyof VarietyConfig]
    : OPTION_RULES[name as PlainOption];
  if (rule === undefined) throw invalid(renderMessages.unknownOption(key, renderOptionKeys()));
  return rule;
}

/** Every render option as a dotted key, in schema order. */
function renderOptionKeys(): string[] {
  return [
    ...Object.keys(OPTION_RULES).map((k) => `render.${k}`),
    ...Object.keys(DISTORT_RULES).map((k) => `render.distort.${k}`),
    ...Object.keys(VARIETY_RULES).map((k) => `render.variety.${k}`),
  ];
}

/**
 * The convict format of `key`: checkRenderOption. Booleans stay convict's
 * Boolean, which compose.ts reads to refuse non-booleans before convict
 * coerces them (the same check as checkRenderOption's, on the type alone).
 */
function formatOf(key: string): unknown {
  if (ruleOf(key).kind === 'boolean') return Boolean;
  return (value: unknown) => checkRenderOption(key, value);
}

const option = (name: PlainOption, doc: string, fallback: unknown) => ({ doc, format: formatOf(`render.${name}`), default: fallback });

const strength = (name: keyof DistortConfig, doc: string, fallback: number) => ({
  doc: `${doc} At render.noise = 1; 0 turns it off.`,
  format: formatOf(`render.distort.${name}`),
  default: fallback,
});

const varied = (name: keyof VarietyConfig, doc: string, fallback: unknown) => ({ doc, format: formatOf(`render.variety.${name}`), default: fallback });

export const renderSchema: SchemaTree = {
  render: {
    noise: option(
      'noise',
      'Distortion level in [0, 1]: 0 is a clean print, 1 a bad phone photo of a creased page. The single knob ablations sweep.',
      0,
    ),
    layout: option(
      'layout',
      'Page layout: 3x4 (columns of 2.5 s in time order, plus a rhythm strip of render.rhythmLead), 3x4+3 (the same with three rhythm strips: II, V1, V5), 6x2 (columns of 5 s) or 12x1 (10 s per lead).',
      '3x4',
    ),
    rhythmLead: option('rhythmLead', 'Lead of the full-length rhythm strip under a 3x4 page, or none.', 'II'),
    dpi: option('dpi', 'Resolution in dots per inch, in [50, 600].', 200),
    paper: option('paper', 'Paper size, landscape: a4 (297 x 210 mm) or letter (279.4 x 215.9 mm).', 'letter'),
    speedMmPerS: option('speedMmPerS', 'Paper speed in mm/s, in (0, 200].', 25),
    gainMmPerMv: option('gainMmPerMv', 'Amplitude scale in mm/mV, in (0, 100].', 10),
    gridColour: option('gridColour', 'Colour of the grid lines (minor 1 mm, major 5 mm), or none for plain paper.', 'red'),
    traceWidthMm: option('traceWidthMm', 'Trace line width in mm, in (0, 3].', 0.25),
    traceColour: option('traceColour', 'Trace colour: a colour name (black, blue, darkblue, navy, darkgreen, red, grey) or #rgb / #rrggbb.', 'black'),
    calibrationPulse: option('calibrationPulse', 'Draw the 1 mV, 0.2 s calibration pulse at the start of each row.', true),
    leadLabels: option('leadLabels', 'Print lead names at the start of each lead.', true),
    header: option('header', 'Print a cart-style header (made-up patient and measurement fields).', true),
    imageFormat: option(
      'imageFormat',
      'File format of the page image. auto: the JPEG the distortions end in (render.noise > 0 with render.distort.jpeg > 0), stored as is, those bytes being the image; PNG otherwise. png: always PNG (the same pixels; for a noisy page about 8 times larger, and its encoding is the costliest step). Clean twin and mask are PNG either way.',
      'auto',
    ),
    distort: {
      rotationDeg: strength('rotationDeg', 'Largest page rotation in degrees, in [0, 45].', 5),
      perspective: strength('perspective', 'Largest perspective corner shift as a fraction of the page size, in [0, 0.2].', 0.035),
      crop: strength('crop', 'Largest fraction of the page cut off at the edges (zoom and shift), in [0, 0.3].', 0.04),
      wrinkles: strength('wrinkles', 'Wrinkle strength in [0, 1] (shading and displacement of a crumpled page).', 1),
      creases: strength('creases', 'Largest number of fold creases (shading line and a small kink), 0 to 12.', 3),
      blurPx: strength('blurPx', 'Largest Gaussian blur sigma in pixels at 200 DPI (scaled with render.dpi), in [0, 10].', 1.4),
      sensorNoise: strength('sensorNoise', 'Largest sensor noise standard deviation in 8-bit grey levels, in [0, 100].', 16),
      jpeg: strength('jpeg', 'JPEG compression strength in [0, 1]: quality 95 at 0 down to 30 at 1.', 1),
      brightness: strength('brightness', 'Largest brightness shift as a fraction of full scale, in [0, 0.5].', 0.15),
      contrast: strength('contrast', 'Largest contrast loss as a fraction, in [0, 0.8].', 0.35),
      colourTemperature: strength('colourTemperature', 'Largest colour temperature shift (red/blue gain difference), in [0, 0.5].', 0.12),
      shading: strength('shading', 'Largest uneven lighting (darkening towards one side and the corners), as a fraction, in [0, 0.8].', 0.35),
      stains: strength('stains', 'Largest number of stains (coffee rings, blotches), 0 to 12.', 3),
      marks: strength('marks', 'Largest number of handwritten marks (scribbles, circles, notes), 0 to 12.', 3),
    },
    variety: {
      strength: varied(
        'strength',
        'Domain randomisation in [0, 1]: the probability that each aspect of a page (layout, paper, DPI, panel position, header, grid, trace, labels, calibration pulse, column bars, a scale line on header-less pages) is drawn from the ranges below instead of taking its render.* value, per page from its seed. 0: the pages of render.* exactly, byte for byte; 1: every aspect drawn.',
        0,
      ),
      layouts: varied('layouts', 'Layouts a varied page picks from (render.layout values).', ['3x4', '3x4+3', '6x2', '12x1']),
      papers: varied('papers', 'Paper sizes a varied page picks from (render.paper values).', ['letter', 'a4']),
      dpiJitter: varied('dpiJitter', 'Largest relative change of render.dpi, in [0, 0.3]: the DPI is drawn in dpi x [1 - j, 1 + j] (still within [50, 600]).', 0.1),
      panelShiftMm: varied(
        'panelShiftMm',
        'Largest move of the block of traces from its place, in mm, in [0, 60]: left or right within the paper, and down with rows packed closer (ecg-image-kit puts the panel low on the page). Margins follow.',
        40,
      ),
      gridStyles: varied('gridStyles', 'Grid looks a varied page picks from: the render.gridColour palettes, kit (ecg-image-kit: white-looking paper, bold pure-red major lines) or none.', ['red', 'kit', 'pink', 'grey', 'none']),
      gridWidthScale: varied('gridWidthScale', 'Largest factor on the grid line widths (minor 0.1 mm, major 0.2 mm), in [1, 4]; the factor is drawn in [1, this], separately for minor and major.', 2),
      traceColours: varied('traceColours', 'Trace colours a varied page picks from (as render.traceColour).', ['black', '#1a1a1a', 'darkblue', 'navy', '#303030']),
      traceWidthMinMm: varied('traceWidthMinMm', 'Thinnest trace a varied page draws, in mm, in (0, 1].', 0.15),
      traceWidthMaxMm: varied('traceWidthMaxMm', 'Thickest trace a varied page draws, in mm, in (0, 1] and not below traceWidthMinMm.', 0.45),
      labelSizeMinMm: varied('labelSizeMinMm', 'Smallest lead label (cap height about 0.7 of it), in mm, in (0, 8]; labels are also moved above or below the baseline.', 2.5),
      labelSizeMaxMm: varied('labelSizeMaxMm', 'Largest lead label, in mm, in (0, 8] and not below labelSizeMinMm.', 4.5),
      headerOff: varied('headerOff', 'Probability in [0, 1] that a page whose header is drawn has none (no header strip, no footer), as on ecg-image-kit pages.', 0.5),
      pulseOff: varied('pulseOff', 'Probability in [0, 1] that a page whose calibration pulse is drawn has none.', 0.25),
      pulseRight: varied('pulseRight', 'Probability in [0, 1] that a page whose pulse is drawn puts it at the right end of each row instead of the left.', 0.3),
      pulseAbuts: varied('pulseAbuts', 'Probability in [0, 1] that a left pulse falls straight into the trace, as ecg-image-kit draws it, instead of ending in a 1 mm foot before the trace.', 0.5),
    },
  },
};
