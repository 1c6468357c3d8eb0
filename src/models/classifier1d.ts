/**
 * classifier1d: multi-label classification from the 12 digitized leads,
 * [B, length, leads] in mV (length = record duration x spec fsHz).
 *
 * Design. A compact residual 1-D CNN in the line of Ribeiro et al.,
 * "Automatic diagnosis of the 12-lead ECG using a deep neural network",
 * Nat. Commun. 11:1760 (2020), and of the PTB-XL benchmark's xresnet1d
 * (Strodthoff et al., IEEE JBHI 25(5), 2021): per stage two k-wide
 * convolutions with batch norm and a residual connection, then max pooling
 * by 2, so the receptive field covers several beats after a few stages
 * (needed for rhythm classes: AFIB/AFL, PAC, PVC, TACHY, BRADY). Global average
 * pooling makes it indifferent to where in the 10 s a beat falls and lets the
 * digitizer's zero-filled unplotted segments (a 3x4 page shows 2.5 s of most
 * leads) pass without special cases. Outputs `logits` and `features`, as
 * classifier2d.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import { StepDropout } from './step-dropout.js';
import { CHALLENGE_CLASSES, LEADS } from '../core/ecg.js';
import {
  applyLayer,
  convBnAct1d,
  denseLogits,
  heNormal,
  requireFraction,
  requirePositiveInt,
  requireWidths,
  type Sym,
} from './blocks.js';

export interface Classifier1dSpec {
  /** Samples per lead: duration x fsHz (10 s at 100 Hz: 1000). */
  readonly length: number;
  readonly leads: number;
  /** Channels of each residual stage; each stage halves the length. */
  readonly widths: readonly number[];
  readonly kernelSize: number;
  readonly dropout: number;
  readonly classes: number;
  readonly seed: number;
}

export const DEFAULT_CLASSIFIER1D: Classifier1dSpec = {
  length: 1000,
  leads: LEADS.length,
  widths: [32, 64, 64],
  kernelSize: 7,
  dropout: 0.2,
  classes: CHALLENGE_CLASSES.length,
  seed: 0,
};

function validate(spec: Classifier1dSpec): void {
  requirePositiveInt('classifier1d', 'length', spec.length);
  requirePositiveInt('classifier1d', 'leads', spec.leads);
  requireWidths('classifier1d', 'widths', spec.widths);
  requirePositiveInt('classifier1d', 'kernelSize', spec.kernelSize);
  requirePositiveInt('classifier1d', 'classes', spec.classes);
  requireFraction('classifier1d', 'dropout', spec.dropout);
}

export function buildClassifier1d(spec: Classifier1dSpec): tf.LayersModel {
  validate(spec);
  const rng = createRng(`classifier1d:${spec.seed}`);
  const input = tf.input({ shape: [spec.length, spec.leads], name: 'signals' });
  let x: Sym = input;
  let channels = spec.leads;
  for (const width of spec.widths) {
    const shortcut =
      channels === width
        ? x
        : applyLayer(tf.layers.conv1d({ filters: width, kernelSize: 1, useBias: false, kernelInitializer: heNormal(rng) }), x);
    let y = convBnAct1d(x, width, spec.kernelSize, rng);
    y = convBnAct1d(y, width, spec.kernelSize, rng, 'linear');
    x = applyLayer(tf.layers.add(), [shortcut, y]);
    x = applyLayer(tf.layers.activation({ activation: 'relu' }), x);
    x = applyLayer(tf.layers.maxPooling1d({ poolSize: 2, padding: 'same' }), x);
    channels = width;
  }
  const features = applyLayer(tf.layers.globalAveragePooling1d({ name: 'features' }), x);
  const dropped = spec.dropout > 0 ? applyLayer(new StepDropout({ rate: spec.dropout, seed: rng.int(0, 2 ** 31 - 2) }), features) : features;
  const logits = denseLogits(dropped, spec.classes, rng, 'logits');
  return tf.model({ inputs: input, outputs: [logits, features], name: 'classifier1d' });
}
