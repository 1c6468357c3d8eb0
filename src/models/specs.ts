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
  // Getters, so that building one model's spec reads only that model's keys:
  // a stage's config holds only the keys it declared (train/scoped-config.ts).
  const classes = CHALLENGE_CLASSES.length;
  const seed = context.seed;
  return {
    get classifier2d() {
      return { ...config.model.classifier2d, classes, seed };
    },
    get classifier1d() {
      const c = config.model.classifier1d;
      const length = Math.round(context.signalDurationS * c.fsHz);
      return { length, leads: LEADS.length, widths: c.widths, kernelSize: c.kernelSize, dropout: c.dropout, classes, seed };
    },
    get roi() {
      const r = config.model.roi;
      return { inputHeight: r.inputHeight, inputWidth: r.inputWidth, widths: r.widths, seed };
    },
    get denoiser() {
      return { inputHeight: config.digitizer.cropHeight, inputWidth: null, widths: config.model.denoiser.widths, seed };
    },
    get digitizer() {
      return { inputHeight: config.digitizer.cropHeight, inputWidth: null, widths: config.model.digitizer.widths, seed };
    },
    get combiner() {
      return { kind: config.model.combiner, classes, seed };
    },
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

/** What specsOf reads of the composed config beside `model.*` and `digitizer.*`. */
export type SpecsConfig = ModelConfig & { readonly seed: { readonly train: number }; readonly data: { readonly durationS: number } };

/** The models' specs of a composed config; each part's keys are read only when its spec is (so a stage needs only its own parts' keys). */
export function specsOf(config: SpecsConfig): ModelSpecs {
  return modelSpecs(config, {
    seed: config.seed.train,
    get signalDurationS() {
      return config.data.durationS;
    },
  });
}

/** Crop width for a lead spanning durationS (digitizer.columnsPerS, rounded to the U-Nets' stride): what the stages and inference cut. */
export function columnsFor(config: SpecsConfig): (durationS: number) => number {
  const specs = specsOf(config);
  return (durationS) => cropColumns(durationS, config.digitizer.columnsPerS, specs);
}
