/**
 * classifier2d: multi-label classification (the 11 challenge classes) from a
 * low-resolution greyscale page, [B, inputHeight, inputWidth, 1] in [0, 1].
 *
 * Design. The seed (Dege et al., CinC 2024) used "a recently published CNN
 * for ECG image classification" as its backbone. The best-known published
 * one is Sangha et al., "Automated multilabel diagnosis on electrocardiographic
 * images and signals", Nat. Commun. 13:1583 (2022), an EfficientNet-B3 trained
 * on ECG images. We keep its building block, the MBConv inverted residual with
 * squeeze-and-excitation (Tan & Le, "EfficientNet", ICML 2019; Sandler et al.,
 * "MobileNetV2", CVPR 2018), and scale it down to an EfficientNet-B0-like
 * stack of a few stages: depthwise convolutions keep the parameter count and
 * the CPU cost small at the low resolutions the paper classifies on, and SE
 * lets the network weigh channels globally (rhythm features are spread over
 * the whole page). Each stage halves the resolution; global average pooling
 * gives the features, a dense layer the logits.
 *
 * The model has two outputs: `logits` [B, classes] (sigmoid in the loss and in
 * predict helpers, for a numerically stable cross-entropy) and `features`
 * [B, widths.at(-1)], the penultimate features. The stem's and each stage's
 * output layers are named (backboneLevelName): with model.backbone = shared
 * they are the encoder of the ROI model and the digitizer (models/backbone.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../core/rng.js';
import { StepDropout } from './step-dropout.js';
import { CHALLENGE_CLASSES } from '../core/ecg.js';
import {
  applyLayer,
  BN_MOMENTUM,
  convBnAct2d,
  denseLogits,
  glorotUniform,
  heNormal,
  requireFraction,
  requirePositiveInt,
  requireWidths,
  type Sym,
} from './blocks.js';

export interface Classifier2dSpec {
  readonly inputHeight: number;
  readonly inputWidth: number;
  /** Channels of the stride-2 stem convolution. */
  readonly stemWidth: number;
  /** Output channels of each MBConv stage; each stage halves height and width. */
  readonly widths: readonly number[];
  /** MBConv blocks per stage (the first of a stage downsamples). */
  readonly blocksPerStage: number;
  /** Expansion ratio of the inverted residual (EfficientNet uses 6). */
  readonly expansion: number;
  readonly dropout: number;
  readonly classes: number;
  readonly seed: number;
}

export const DEFAULT_CLASSIFIER2D: Classifier2dSpec = {
  inputHeight: 128,
  inputWidth: 160,
  stemWidth: 16,
  widths: [16, 24, 40, 80],
  blocksPerStage: 1,
  expansion: 4,
  dropout: 0.2,
  classes: CHALLENGE_CLASSES.length,
  seed: 0,
};

function validate(spec: Classifier2dSpec): void {
  requirePositiveInt('classifier2d', 'inputHeight', spec.inputHeight);
  requirePositiveInt('classifier2d', 'inputWidth', spec.inputWidth);
  requirePositiveInt('classifier2d', 'stemWidth', spec.stemWidth);
  requireWidths('classifier2d', 'widths', spec.widths);
  requirePositiveInt('classifier2d', 'blocksPerStage', spec.blocksPerStage);
  requirePositiveInt('classifier2d', 'expansion', spec.expansion);
  requirePositiveInt('classifier2d', 'classes', spec.classes);
  requireFraction('classifier2d', 'dropout', spec.dropout);
}

/** Squeeze-and-excitation: per-channel gates from the global average (Hu et al., CVPR 2018). */
function squeezeExcite(x: Sym, channels: number, squeezed: number, rng: Rng): Sym {
  let s = applyLayer(tf.layers.globalAveragePooling2d({}), x);
  s = applyLayer(tf.layers.dense({ units: squeezed, activation: 'swish', kernelInitializer: glorotUniform(rng) }), s);
  s = applyLayer(tf.layers.dense({ units: channels, activation: 'sigmoid', kernelInitializer: glorotUniform(rng) }), s);
  s = applyLayer(tf.layers.reshape({ targetShape: [1, 1, channels] }), s);
  return applyLayer(tf.layers.multiply(), [x, s]);
}

/** MBConv: expand 1x1 -> depthwise 3x3 -> SE -> project 1x1, residual when shapes match; `name` names its output layer. */
function mbConv(x: Sym, inChannels: number, outChannels: number, strides: number, expansion: number, rng: Rng, name?: string): Sym {
  const expanded = inChannels * expansion;
  let y = expansion > 1 ? convBnAct2d(x, expanded, rng, { kernelSize: 1, activation: 'swish' }) : x;
  y = applyLayer(
    tf.layers.depthwiseConv2d({
      kernelSize: 3,
      strides,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: heNormal(rng),
    }),
    y,
  );
  y = applyLayer(tf.layers.batchNormalization({ axis: -1, momentum: BN_MOMENTUM }), y);
  y = applyLayer(tf.layers.activation({ activation: 'swish' }), y);
  y = squeezeExcite(y, expanded, Math.max(1, Math.floor(inChannels / 4)), rng);
  const residual = strides === 1 && inChannels === outChannels;
  y = convBnAct2d(y, outChannels, rng, { kernelSize: 1, activation: 'linear', ...(residual || name === undefined ? {} : { name }) });
  if (residual) y = applyLayer(tf.layers.add(name === undefined ? {} : { name }), [x, y]);
  return y;
}

/**
 * The name of the layer whose output is the backbone's feature map at
 * stride 2^level (level 1: the stem; level k + 1: the end of MBConv stage
 * k): what models/backbone.ts reads as the shared encoder.
 */
export function backboneLevelName(level: number): string {
  return `backbone_level${level}`;
}

/** Channels of the backbone's feature map at stride 2^level, level 1 .. 1 + widths.length. */
export function backboneChannels(spec: Pick<Classifier2dSpec, 'stemWidth' | 'widths'>, level: number): number {
  return level === 1 ? spec.stemWidth : (spec.widths[level - 2] as number);
}

export function buildClassifier2d(spec: Classifier2dSpec): tf.LayersModel {
  validate(spec);
  const rng = createRng(`classifier2d:${spec.seed}`);
  const input = tf.input({ shape: [spec.inputHeight, spec.inputWidth, 1], name: 'page' });
  let x = convBnAct2d(input, spec.stemWidth, rng, { strides: 2, activation: 'swish', name: backboneLevelName(1) });
  let channels = spec.stemWidth;
  spec.widths.forEach((width, stage) => {
    for (let block = 0; block < spec.blocksPerStage; block++) {
      const last = block === spec.blocksPerStage - 1;
      x = mbConv(x, channels, width, block === 0 ? 2 : 1, spec.expansion, rng, last ? backboneLevelName(stage + 2) : undefined);
      channels = width;
    }
  });
  const features = applyLayer(tf.layers.globalAveragePooling2d({ name: 'features' }), x);
  const dropped = spec.dropout > 0 ? applyLayer(new StepDropout({ rate: spec.dropout, seed: rng.int(0, 2 ** 31 - 2) }), features) : features;
  const logits = denseLogits(dropped, spec.classes, rng, 'logits');
  return tf.model({ inputs: input, outputs: [logits, features], name: 'classifier2d' });
}
