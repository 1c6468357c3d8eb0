import type { SchemaTree } from './types.js';

/**
 * `model.*`: the architectures (src/models/, one spec per part) and the
 * hierarchy switches; `digitizer.*`: the digitization pipeline (ROI, denoising,
 * crop size). Seeds are not here: every part derives its seed from `seed`.
 *
 * The hierarchy is two switches (the paper's steps 3 and 4, ablated apart):
 * `model.combine` (the combined 2-D + 1-D output is the cell's classifier)
 * and `model.finetune` (end-to-end fine-tuning, the classification loss
 * reaching the digitizer). `model.hierarchy` is the master switch over
 * both: false turns the whole hierarchy off whatever the two say (the
 * image classifier alone, the digitizer as trained); true (the default)
 * leaves them to decide. Sweep either hierarchy or the two switches:
 * hierarchy=false cells with different switches are the same arm under
 * different cache keys. hierarchySwitches() is the one place that resolves
 * them.
 *
 * `model.backbone` (claim (a) of the paper): `separate` gives the ROI model
 * and the digitizer U-Nets of their own; `shared` makes classifier2d's
 * trained feature extractor their encoder (models/backbone.ts), so the roi
 * and digitizer stages read the classifier2d stage (backboneShared() is the
 * one place that says so). It is read only by that dependency: a
 * `separate` cell keeps every cache key it had before the switch existed.
 */
export interface ModelConfig {
  model: {
    hierarchy: boolean;
    backbone: 'shared' | 'separate';
    combine: boolean;
    finetune: boolean;
    classifier2d: {
      inputHeight: number;
      inputWidth: number;
      stemWidth: number;
      widths: number[];
      blocksPerStage: number;
      expansion: number;
      dropout: number;
    };
    classifier1d: { fsHz: number; widths: number[]; kernelSize: number; dropout: number };
    roi: { inputHeight: number; inputWidth: number; widths: number[]; threshold: number };
    denoiser: { widths: number[]; traceWeight: number };
    digitizer: { widths: number[]; sigmaPx: number; l1Weight: number };
    combiner: 'per-class' | 'dense';
    endToEnd: { auxWeight: number; digitizerWeight: number };
  };
  digitizer: { roi: boolean; deskew: boolean; rectify: 'rotation' | 'perspective'; denoise: boolean; cropHeight: number; columnsPerS: number };
}

/** What a cell's hierarchy does, with model.combine / model.finetune resolved against model.hierarchy (see the header). */
export interface HierarchySwitches {
  readonly combine: boolean;
  readonly finetune: boolean;
}

export function hierarchySwitches(model: Pick<ModelConfig['model'], 'hierarchy' | 'combine' | 'finetune'>): HierarchySwitches {
  // `?? true`: a cell's config.json saved before the two switches existed.
  return { combine: model.hierarchy && (model.combine ?? true), finetune: model.hierarchy && (model.finetune ?? true) };
}

/** Whether the ROI model and the digitizer encode with classifier2d's backbone (see the header); a config saved before the switch is `separate`. */
export function backboneShared(model: Partial<Pick<ModelConfig['model'], 'backbone'>>): boolean {
  return model.backbone === 'shared';
}

const widths = (doc: string, value: number[]) => ({ doc, format: 'int-list', default: value });

export const modelSchema: SchemaTree = {
  model: {
    hierarchy: {
      doc: 'The hierarchy\'s master switch: false reports the image classifier alone with the digitizer as trained, whatever model.combine and model.finetune say.',
      format: Boolean,
      default: true,
    },
    backbone: {
      doc:
        'shared: classifier2d\'s trained feature extractor is the encoder of the ROI model and the digitizer (frozen while they train, fine-tuned with ' +
        'everything in the hierarchical stage); separate: each has a U-Net of its own.',
      format: ['shared', 'separate'],
      default: 'separate',
    },
    combine: {
      doc:
        'Report the combination of the 2-D and 1-D classifiers (a combiner trained on their logits, train.combiner.*); false reports the 2-D classifier ' +
        '(with model.hierarchy).',
      format: Boolean,
      default: true,
    },
    finetune: {
      doc:
        'Fine-tune the parts end to end (train.hierarchical.*), so the classification loss reaches the digitizer; false keeps the separately trained parts ' +
        '(with model.hierarchy).',
      format: Boolean,
      default: true,
    },
    classifier2d: {
      inputHeight: { doc: 'Height in pixels of the low-resolution page the 2-D classifier sees.', format: 'positive-int', default: 128 },
      inputWidth: { doc: 'Width in pixels of the low-resolution page the 2-D classifier sees.', format: 'positive-int', default: 160 },
      stemWidth: { doc: 'Filters of the 2-D classifier\'s stride-2 stem convolution.', format: 'positive-int', default: 16 },
      widths: widths('Output channels of each MBConv stage of the 2-D classifier (each halves the resolution).', [16, 24, 40, 80]),
      blocksPerStage: { doc: 'MBConv blocks per stage of the 2-D classifier.', format: 'positive-int', default: 1 },
      expansion: { doc: 'Expansion ratio of the 2-D classifier\'s inverted residuals.', format: 'positive-int', default: 4 },
      dropout: { doc: 'Dropout before the 2-D classifier\'s output layer, in [0, 0.5].', format: 'fraction-half', default: 0.2 },
    },
    classifier1d: {
      fsHz: { doc: 'Sampling rate in Hz of the digitized leads the 1-D classifier sees.', format: 'positive-int', default: 100 },
      widths: widths('Filters per residual stage of the 1-D classifier (each halves the length).', [32, 64, 64]),
      kernelSize: { doc: 'Kernel size of the 1-D convolutions.', format: 'positive-int', default: 7 },
      dropout: { doc: 'Dropout before the 1-D classifier\'s output layer, in [0, 0.5].', format: 'fraction-half', default: 0.2 },
    },
    roi: {
      inputHeight: { doc: 'Height in pixels of the page the ROI model sees (divisible by 2^(widths - 1)).', format: 'positive-int', default: 128 },
      inputWidth: { doc: 'Width in pixels of the page the ROI model sees (divisible by 2^(widths - 1)).', format: 'positive-int', default: 160 },
      widths: widths('Channels per U-Net level of the ROI model, top to bottleneck.', [8, 16, 32]),
      threshold: {
        doc: 'Fraction of the heatmap profile\'s maximum that counts as inside a lead row or column, in [0, 1].',
        format: 'unit-interval',
        default: 0.5,
      },
    },
    denoiser: {
      widths: widths('Channels per U-Net level of the denoiser, top to bottleneck.', [8, 16, 32]),
      traceWeight: { doc: 'Extra L1 weight on ink pixels in the denoiser loss (1 + w x darkness).', format: 'non-negative-number', default: 4 },
    },
    digitizer: {
      widths: widths('Channels per U-Net level of the digitizer, top to bottleneck.', [16, 32, 64]),
      sigmaPx: { doc: 'Width in crop pixels of the Gaussian soft label around the ground-truth row.', format: 'positive-number', default: 1 },
      l1Weight: { doc: 'Weight of the L1 term on the soft-argmax row in the digitizer loss.', format: 'non-negative-number', default: 0.1 },
    },
    combiner: {
      doc: 'How the hierarchy combines the two classifiers\' logits: per-class weights (3 x 11) or a dense layer on both (22 -> 11).',
      format: ['per-class', 'dense'],
      default: 'per-class',
    },
    endToEnd: {
      auxWeight: { doc: 'Weight of each classifier\'s own loss beside the combined one during end-to-end fine-tuning.', format: 'non-negative-number', default: 0.5 },
      digitizerWeight: {
        doc: 'Weight of the digitizer loss during end-to-end fine-tuning (0: the classification loss alone moves the digitizer).',
        format: 'non-negative-number',
        default: 1,
      },
    },
  },
  digitizer: {
    roi: { doc: 'Find the leads with the ROI model; false uses fixed crops from the nominal layout.', format: Boolean, default: true },
    deskew: {
      doc: 'Turn the page back by its rotation, estimated from the image (projection profiles), before finding and cutting the leads; false cuts the page as it is.',
      format: Boolean,
      default: true,
    },
    rectify: {
      doc: "What digitizer.deskew undoes: 'rotation' (one angle, the page turned back about its centre) or 'perspective' (rotation, shear and perspective: the page's horizontal and vertical lines each taken as a pencil through a vanishing point and made parallel, page/perspective.ts).",
      format: ['rotation', 'perspective'],
      default: 'perspective',
    },
    denoise: { doc: 'Clean crops with the denoiser before digitizing; false passes them through.', format: Boolean, default: true },
    cropHeight: {
      doc: 'Height in pixels of a lead crop (divisible by 2^(widths - 1) of the denoiser and digitizer).',
      format: 'positive-int',
      default: 64,
    },
    columnsPerS: {
      doc: 'Crop columns per second of signal: a 2.5 s lead is 2.5 x this wide (rounded up to the U-Net stride).',
      format: 'positive-int',
      default: 100,
    },
  },
};
