/**
 * Domain randomisation: a page's look drawn from its seed (render.variety).
 *
 * Models trained on one fixed look learn that look, not ECG paper: cells
 * trained on ecg-lab's pages read ecg-image-kit's at about -0.3 dB (issue
 * 18, bench/RESULTS.md). So each page may draw, with probability
 * render.variety.strength per aspect, its layout, paper, DPI, where the
 * traces sit, header, grid colours and line weights, trace colour and
 * width, label size and position, calibration pulse, footer line and the
 * column separator bars. Everything drawn is expressed as ordinary render options
 * plus a layout placement and a paper look, which the renderer draws and
 * maps to ground truth exactly as it does the fixed page; so the ground
 * truth follows every choice by construction, and strength 0 (nothing
 * drawn, no random number used) is the fixed page byte for byte.
 */
import type { GRID_STYLES, VarietyConfig } from '../../config/schema/render.js';
import { colourRgb } from '../../config/schema/render.js';
import type { Rng } from '../../core/rng.js';
import { DEFAULT_PLACEMENT, pageSizeOf, type LayoutPlacement } from '../../page/layout.js';
import type { RenderOptions, Rgb } from '../options.js';
import { gridLookOf, paperLookOf, type GridLook, type PaperLook } from '../paper.js';

/** The bars drawn where one column hands over to the next: half height (mm) and width as a multiple of the trace width. */
export interface SeparatorLook {
  readonly halfMm: number | 'auto';
  readonly widthFactor: number;
}

/** What the page records of its drawn look (ground truth `variety`): every choice, so a page can be told apart and redrawn. */
export interface VarietyGroundTruth {
  readonly strength: number;
  readonly layout: RenderOptions['layout'];
  readonly paper: RenderOptions['paper'];
  readonly dpi: number;
  readonly header: boolean;
  readonly calibrationPulse: boolean;
  readonly placement: LayoutPlacement;
  readonly gridStyle: (typeof GRID_STYLES)[number];
  readonly grid: GridLook | null;
  readonly traceColour: string;
  readonly traceWidthMm: number;
  readonly labelSizeMm: number | 'auto';
  readonly labelAbove: boolean;
  readonly footer: PaperLook['footer'];
  readonly separator: SeparatorLook;
}

/** Everything the renderer needs to draw one page's look. */
export interface PageVariety {
  /** The page's effective options (what its ground truth records under `render`). */
  readonly options: RenderOptions;
  readonly placement: LayoutPlacement;
  readonly look: PaperLook;
  readonly separator: SeparatorLook;
  /** null at strength 0: nothing was drawn. */
  readonly record: VarietyGroundTruth | null;
}

export const DEFAULT_SEPARATOR: SeparatorLook = { halfMm: 'auto', widthFactor: 2 };

/** ecg-image-kit's grid: faint pink 1 mm lines, saturated red 5 mm lines on white-looking paper (measured on ../shared/reference/kit-pages). */
const KIT_GRID: GridLook = { minorHex: '#fcd6d1', majorHex: '#ff0000', minorWidthMm: 0.1, majorWidthMm: 0.2 };

/** The header strip's band (layout.ts HEADER_MM) and the footer's: needed when the header is drawn. */
const HEADER_BAND_MM = 30;
const FOOTER_BAND_MM = 10;

/** The fixed page of `options`: nothing drawn. */
export function fixedPage(options: RenderOptions): PageVariety {
  return { options, placement: DEFAULT_PLACEMENT, look: paperLookOf(options), separator: DEFAULT_SEPARATOR, record: null };
}

function gridOf(style: (typeof GRID_STYLES)[number], v: VarietyConfig, rng: Rng): GridLook | null {
  const base = style === 'kit' ? KIT_GRID : gridLookOf(style);
  if (base === null) return null;
  return { ...base, minorWidthMm: base.minorWidthMm * rng.uniform(1, v.gridWidthScale), majorWidthMm: base.majorWidthMm * rng.uniform(1, v.gridWidthScale) };
}

/**
 * Where the traces sit: top and bottom bands (the header's when it is
 * drawn), the rows packed closer and moved down by up to panelShiftMm, and a
 * horizontal move of up to panelShiftMm (layoutPage keeps the side margins).
 */
function placementOf(options: RenderOptions, header: boolean, pulseSide: LayoutPlacement['pulseSide'], v: VarietyConfig, rng: Rng): LayoutPlacement {
  const topMm = header ? HEADER_BAND_MM : rng.uniform(4, HEADER_BAND_MM);
  const bottomMm = header ? FOOTER_BAND_MM : rng.uniform(3, 12);
  const bandMm = pageSizeOf(options).heightMm - topMm - bottomMm;
  const downMm = rng.uniform(0, Math.min(v.panelShiftMm, 0.4 * bandMm));
  return { topMm, bottomMm, rowFill: 1 - downMm / bandMm, shiftMm: rng.uniform(-v.panelShiftMm, v.panelShiftMm), pulseSide };
}

/**
 * Draw a page's look from `rng` (its own fork of the page seed). Each
 * aspect is drawn with probability render.variety.strength; at strength 0
 * nothing is drawn and `rng` is not used.
 */
export function drawPageVariety(options: RenderOptions, rng: Rng): PageVariety {
  const v = options.variety;
  if (v.strength === 0) return fixedPage(options);
  const drawn = () => rng.chance(v.strength);

  const layout = drawn() ? rng.pick(v.layouts) : options.layout;
  const paper = drawn() ? rng.pick(v.papers) : options.paper;
  const dpi = drawn() ? Math.round(Math.min(600, Math.max(50, options.dpi * rng.uniform(1 - v.dpiJitter, 1 + v.dpiJitter)))) : options.dpi;
  const header = options.header && drawn() ? !rng.chance(v.headerOff) : options.header;
  let calibrationPulse = options.calibrationPulse;
  let pulseSide: LayoutPlacement['pulseSide'] = 'left';
  if (calibrationPulse && drawn()) {
    calibrationPulse = !rng.chance(v.pulseOff);
    pulseSide = rng.chance(v.pulseRight) ? 'right' : 'left';
  }
  const sized = { ...options, paper, dpi };
  const placement = drawn() ? placementOf(sized, header, pulseSide, v, rng) : { ...DEFAULT_PLACEMENT, pulseSide };
  const gridStyle = drawn() ? rng.pick(v.gridStyles) : options.gridColour;
  const grid = gridStyle === options.gridColour ? gridLookOf(options.gridColour) : gridOf(gridStyle, v, rng);
  const traced = drawn();
  const traceColour = traced ? rng.pick(v.traceColours) : options.traceColour;
  const traceWidthMm = traced ? rng.uniform(v.traceWidthMinMm, v.traceWidthMaxMm) : options.traceWidthMm;
  const labelled = drawn();
  const labelSizeMm = labelled ? rng.uniform(v.labelSizeMinMm, v.labelSizeMaxMm) : 'auto';
  const labelAbove = labelled && rng.chance(0.3);
  const footer = header ? 'cart' : drawn() && rng.chance(0.5) ? 'scale' : 'none';
  // ecg-image-kit marks column hand-overs with tall bold bars.
  const separator: SeparatorLook = drawn() ? { halfMm: rng.uniform(1.5, 5), widthFactor: rng.uniform(1.2, 3) } : DEFAULT_SEPARATOR;

  // Drawn last, so that every other draw of a page is what it was before this one existed.
  const pulseAbuts = calibrationPulse && pulseSide === 'left' && drawn() && rng.chance(v.pulseAbuts);
  const placed: LayoutPlacement = pulseAbuts ? { ...placement, pulseAbuts } : placement;

  const effective: RenderOptions = {
    ...options,
    layout,
    paper,
    dpi,
    header,
    calibrationPulse,
    gridColour: gridStyle === 'kit' ? 'red' : gridStyle,
    traceColour,
    traceWidthMm,
    traceRgb: colourRgb(traceColour) as Rgb,
  };
  return {
    options: effective,
    placement: placed,
    look: { grid, labels: { sizeMm: labelSizeMm, above: labelAbove }, footer },
    separator,
    record: {
      strength: v.strength,
      layout,
      paper,
      dpi,
      header,
      calibrationPulse,
      placement: placed,
      gridStyle,
      grid,
      traceColour,
      traceWidthMm,
      labelSizeMm,
      labelAbove,
      footer,
      separator,
    },
  };
}
