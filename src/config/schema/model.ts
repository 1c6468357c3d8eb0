import type { SchemaTree } from './types.js';

export interface ModelConfig {
  model: {
    hierarchy: boolean;
    classifier2d: { inputHeight: number; inputWidth: number; widths: number[] };
    classifier1d: { widths: number[]; kernelSize: number };
  };
  digitizer: { roi: boolean; denoise: boolean };
}

export const modelSchema: SchemaTree = {
  model: {
    hierarchy: {
      doc: 'Stack the 1-D classifier on the digitizer and fine-tune end to end; false reports the image classifier alone.',
      format: Boolean,
      default: true,
    },
    classifier2d: {
      inputHeight: { doc: 'Height in pixels of the low-resolution page the 2-D classifier sees.', format: 'nat', default: 128 },
      inputWidth: { doc: 'Width in pixels of the low-resolution page the 2-D classifier sees.', format: 'nat', default: 160 },
      widths: { doc: 'Filters per convolution block of the 2-D classifier.', format: 'int-list', default: [16, 32, 64] },
    },
    classifier1d: {
      widths: { doc: 'Filters per convolution block of the 1-D classifier.', format: 'int-list', default: [32, 64, 64] },
      kernelSize: { doc: 'Kernel size of the 1-D convolutions.', format: 'nat', default: 7 },
    },
  },
  digitizer: {
    roi: { doc: 'Find the leads with the ROI model; false uses fixed crops from the nominal layout.', format: Boolean, default: true },
    denoise: { doc: 'Clean crops with the denoiser before digitizing; false passes them through.', format: Boolean, default: true },
  },
};
