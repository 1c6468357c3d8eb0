import type { SchemaTree } from './types.js';

export interface RenderConfig {
  noise: number;
  layout: '3x4' | '6x2' | '12x1';
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
}

export const renderSchema: SchemaTree = {
  render: {
    noise: {
      doc: 'Distortion level in [0, 1]: 0 is a clean print, 1 a bad phone photo of a creased page. The single knob ablations sweep.',
      format: 'unit-interval',
      default: 0,
    },
    layout: { doc: 'Page layout: 3x4 with a lead II rhythm strip, 6x2 or 12x1.', format: ['3x4', '6x2', '12x1'], default: '3x4' },
    dpi: { doc: 'Resolution in dots per inch, in [50, 600].', format: 'dpi', default: 200 },
    paper: { doc: 'Paper size.', format: ['a4', 'letter'], default: 'letter' },
    speedMmPerS: { doc: 'Paper speed in mm/s.', format: 'positive-number', default: 25 },
    gainMmPerMv: { doc: 'Amplitude scale in mm/mV.', format: 'positive-number', default: 10 },
    gridColour: {
      doc: 'Colour of the grid lines (minor 1 mm, major 5 mm).',
      format: ['red', 'pink', 'grey', 'green', 'blue', 'none'],
      default: 'red',
    },
    traceWidthMm: { doc: 'Trace line width in mm.', format: 'positive-number', default: 0.25 },
    traceColour: { doc: 'Trace colour (CSS colour).', format: String, default: 'black' },
    calibrationPulse: { doc: 'Draw the 1 mV calibration pulse at the start of each row.', format: Boolean, default: true },
    leadLabels: { doc: 'Print lead names above each lead.', format: Boolean, default: true },
    header: { doc: 'Print a cart-style header (made-up patient fields).', format: Boolean, default: true },
  },
};
