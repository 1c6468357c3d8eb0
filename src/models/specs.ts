/**
 * From the composed config to the typed specs the build functions take: the
 * one place where `model.*` and `digitizer.*` keys meet the models, so a new
 * key means one line here and one in config/schema/model.ts.
 */
import type { ModelConfig } from '../config/schema/model.js';
import { CHALLENGE_CLASSES, LEADS } from '../core/ecg.js';
import type { Classifier1dSpec } from './classifier1d.js';
import type { Classifier2dSpec } from './classifier2d.js';
import type { CombinerSpec } from './combiner.js';
import type { DenoiserSpec } from './denoiser.js';
import type { DigitizerSpec } from './digitizer.js';
import type { RoiSpec } from './roi.js';
import { unetStride } from './unet.js';

export interface ModelSpecs {
  readonly classifier2d: Classifier2dSpec;
  readonly classifier1d: Classifier1dSpec;
  readonly roi: RoiSpec;
  readonly denoiser: DenoiserSpec;
  readonly digitizer: DigitizerSpec;
  readonly combiner: CombinerSpec;
}

export interface SpecContext {
  /** The run's `seed`; each part derives its own stream from it and its name. */
  readonly seed: number;
  /** The records' length (`data.durationS`): the 1-D classifier's input spans it. */
  readonly signalDurationS: number;
}

export function modelSpecs(config: ModelConfig, context: SpecContext): ModelSpecs {
  const { model, digitizer } = config;
  const classes = CHALLENGE_CLASSES.length;
  const seed = context.seed;
  return {
    classifier2d: { ...model.classifier2d, classes, seed },
    classifier1d: {
      length: Math.round(context.signalDurationS * model.classifier1d.fsHz),
      leads: LEADS.length,
      widths: model.classifier1d.widths,
      kernelSize: model.classifier1d.kernelSize,
      dropout: model.classifier1d.dropout,
      classes,
      seed,
    },
    roi: { inputHeight: model.roi.inputHeight, inputWidth: model.roi.inputWidth, widths: model.roi.widths, seed },
    denoiser: { inputHeight: digitizer.cropHeight, inputWidth: null, widths: model.denoiser.widths, seed },
    digitizer: { inputHeight: digitizer.cropHeight, inputWidth: null, widths: model.digitizer.widths, seed },
    combiner: { kind: model.combiner, classes, seed },
  };
}

/**
 * Crop width in columns for a lead spanning `durationS`: columnsPerS x
 * durationS, rounded up to a multiple of the U-Nets' stride (the denoiser's
 * and the digitizer's, whichever is larger).
 */
export function cropColumns(durationS: number, columnsPerS: number, specs: Pick<ModelSpecs, 'denoiser' | 'digitizer'>): number {
  const stride = Math.max(unetStride(specs.denoiser.widths), unetStride(specs.digitizer.widths));
  return Math.max(stride, Math.ceil((durationS * columnsPerS) / stride) * stride);
}
