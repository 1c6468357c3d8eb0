import type { SchemaTree } from './types.js';

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

export interface RenderConfig {
  noise: number;
  layout: '3x4' | '6x2' | '12x1';
  rhythmLead: 'II' | 'I' | 'V1' | 'V5' | 'none';
  dpi: number;
  paper: 'a4' | 'letter';
  speedMmPerS: number;
  gainMmPerMv: number;
  gridColour: 'red' | 'pink' | 'grey' | 'green' | 'blue' | 'none';
  traceWidthMm: number;
  traceColour: string;
  calibrationPulse: boolean;
  leadLabels: boolean;
  header: boolean;
  imageFormat: 'auto' | 'png';
  distort: DistortConfig;
}

const strength = (doc: string, fallback: number, format: string = 'non-negative-number') => ({
  doc: `${doc} At render.noise = 1; 0 turns it off.`,
  format,
  default: fallback,
});

export const renderSchema: SchemaTree = {
  render: {
    noise: {
      doc: 'Distortion level in [0, 1]: 0 is a clean print, 1 a bad phone photo of a creased page. The single knob ablations sweep.',
      format: 'unit-interval',
      default: 0,
    },
    layout: {
      doc: 'Page layout: 3x4 (columns of 2.5 s in time order, plus a rhythm strip), 6x2 (columns of 5 s) or 12x1 (10 s per lead).',
      format: ['3x4', '6x2', '12x1'],
      default: '3x4',
    },
    rhythmLead: {
      doc: 'Lead of the full-length rhythm strip under a 3x4 page, or none.',
      format: ['II', 'I', 'V1', 'V5', 'none'],
      default: 'II',
    },
    dpi: { doc: 'Resolution in dots per inch, in [50, 600].', format: 'dpi', default: 200 },
    paper: { doc: 'Paper size, landscape: a4 (297 x 210 mm) or letter (279.4 x 215.9 mm).', format: ['a4', 'letter'], default: 'letter' },
    speedMmPerS: { doc: 'Paper speed in mm/s.', format: 'positive-number', default: 25 },
    gainMmPerMv: { doc: 'Amplitude scale in mm/mV.', format: 'positive-number', default: 10 },
    gridColour: {
      doc: 'Colour of the grid lines (minor 1 mm, major 5 mm), or none for plain paper.',
      format: ['red', 'pink', 'grey', 'green', 'blue', 'none'],
      default: 'red',
    },
    traceWidthMm: { doc: 'Trace line width in mm.', format: 'positive-number', default: 0.25 },
    traceColour: { doc: 'Trace colour: a colour name (black, blue, darkblue, navy, darkgreen, red) or #rgb / #rrggbb.', format: String, default: 'black' },
    calibrationPulse: { doc: 'Draw the 1 mV, 0.2 s calibration pulse at the start of each row.', format: Boolean, default: true },
    leadLabels: { doc: 'Print lead names at the start of each lead.', format: Boolean, default: true },
    header: { doc: 'Print a cart-style header (made-up patient and measurement fields).', format: Boolean, default: true },
    imageFormat: {
      doc:
        'File format of the page image. auto: the JPEG the distortions end in (render.noise > 0 with render.distort.jpeg > 0), stored as is, those bytes being the image; PNG otherwise. png: always PNG (the same pixels; for a noisy page about 8 times larger, and its encoding is the costliest step). Clean twin and mask are PNG either way.',
      format: ['auto', 'png'],
      default: 'auto',
    },
    distort: {
      rotationDeg: strength('Largest page rotation in degrees.', 5),
      perspective: strength('Largest perspective corner shift as a fraction of the page size.', 0.035),
      crop: strength('Largest fraction of the page cut off at the edges (zoom and shift).', 0.04),
      wrinkles: strength('Wrinkle strength in [0, 1] (shading and displacement of a crumpled page).', 1, 'unit-interval'),
      creases: strength('Largest number of fold creases (shading line and a small kink).', 3, 'nat'),
      blurPx: strength('Largest Gaussian blur sigma in pixels at 200 DPI (scaled with render.dpi).', 1.4),
      sensorNoise: strength('Largest sensor noise standard deviation in 8-bit grey levels.', 16),
      jpeg: strength('JPEG compression strength in [0, 1]: quality 95 at 0 down to 30 at 1.', 1, 'unit-interval'),
      brightness: strength('Largest brightness shift as a fraction of full scale.', 0.15),
      contrast: strength('Largest contrast loss as a fraction.', 0.35),
      colourTemperature: strength('Largest colour temperature shift (red/blue gain difference).', 0.12),
      shading: strength('Largest uneven lighting (darkening towards one side and the corners), as a fraction.', 0.35),
      stains: strength('Largest number of stains (coffee rings, blotches).', 3, 'nat'),
      marks: strength('Largest number of handwritten marks (scribbles, circles, notes).', 3, 'nat'),
    },
  },
};
