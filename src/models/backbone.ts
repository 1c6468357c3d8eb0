/**
 * The shared backbone (model.backbone = shared; claim (a) of Dege et al.,
 * CinC 2024: the image classifier is "a backbone for feature extraction",
 * and "classification comprises important features for digitization"):
 * classifier2d's trained feature extractor is the encoder of the ROI model
 * and of the digitizer.
 *
 *   input [B, H, W, 1] --classifier2d's stem and MBConv stages (its layers, its variables)-->
 *     f_1 (H/2, stem), f_2 (H/4, stage 1), ..., f_L (H/2^L)        L = widths.length - 1
 *   head: y = conv2(f_L, widths[L]);  for l = L-1 .. 1: y = conv2(concat(up(y), f_l), widths[l])
 *         y = conv2(concat(up(y), conv2(input, widths[0])), widths[0]);  logits = 1x1 conv(y)
 *
 * The part keeps its U-Net's depth, widths and output; only its encoder
 * below full resolution is the backbone's (the backbone has no stride-1 map,
 * so the part keeps one full-resolution level of its own: pixel-exact rows
 * and box edges need it).
 *
 * Why the backbone as the encoder, for both parts, rather than its pooled
 * features injected at the digitizer's bottleneck (FiLM or concatenation):
 * - The ROI model reads the very page the classifier reads (the low-
 *   resolution page), so the backbone's feature maps are its natural encoder
 *   at no change of domain.
 * - For the digitizer, the encoder keeps the part a one-input model (a crop
 *   in, logits out), so every path that digitizes crops (the digitizer
 *   stage, the SNR after fine-tuning, `ecg-lab digitize`) runs it as it
 *   runs the separate one; pooled page features would need the crop's page
 *   beside every crop on each of those paths. And the claim is about
 *   features for digitization: a convolutional encoder passes the
 *   backbone's local features (trace against grid and noise) to the
 *   digitizer, where one pooled vector per page passes only global ones
 *   (noise level, contrast).
 * - What it gives up: the backbone learnt on whole pages at low resolution;
 *   a crop shows a trace larger. Its early levels (edges, strokes) transfer
 *   across that scale, which is why the encoder takes the first levels; the
 *   end-to-end fine-tuning then adapts them to both tasks at once.
 *
 * Training order (the paper's): classifier2d first; then the ROI model and
 * the digitizer learn their heads on the frozen backbone; then the
 * hierarchical stage fine-tunes everything end to end. Frozen, not fine-
 * tuned at a lower rate, in the roi and digitizer stages: fine-tuning there
 * would fork the backbone into three copies (classifier2d's, the ROI's, the
 * digitizer's) that no later stage could merge, and classifier2d's
 * probabilities would no longer be those of the backbone the other parts
 * see. The backbone always runs in inference mode inside a part
 * (BackboneFeatures): its batch-norm statistics are classifier2d's, never
 * re-estimated on crops, as in the end-to-end stage, which runs every part
 * in inference mode (models/hierarchical.ts).
 *
 * Weights: a part's checkpoint holds its head only (a plain LayersModel:
 * [input, f_1 .. f_L] -> logits); composeShared() puts a head on a
 * classifier2d instance. The composed part's variables ARE classifier2d's
 * (no copy), so in the end-to-end stage the classification and the
 * digitization losses reach one set of backbone weights, each once
 * (trainableVariables() lists a variable once).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import { EcgError } from '../core/errors.js';
import { modelMessages } from '../core/messages.js';
import { applyLayer, glorotUniform, type Sym } from './blocks.js';
import { join } from 'node:path';
import { backboneChannels, backboneLevelName, buildClassifier2d, type Classifier2dSpec } from './classifier2d.js';
import { loadModel, MODEL_FILE } from './checkpoint.js';
import { doubleConv, type UNetSpec, validateUNet } from './unet.js';

/** What a head needs to know of the backbone: its channels per level. */
export type BackboneSpec = Pick<Classifier2dSpec, 'stemWidth' | 'widths'>;

/** The backbone levels a part of these widths encodes with (its U-Net's poolings). */
export function sharedLevels(widths: readonly number[]): number {
  return widths.length - 1;
}

export function validateShared(model: string, spec: UNetSpec, backbone: BackboneSpec): void {
  validateUNet(model, spec);
  const levels = sharedLevels(spec.widths);
  const available = 1 + backbone.widths.length;
  if (levels < 1 || levels > available) {
    throw new EcgError(
      'MODEL_INVALID',
      modelMessages.specInvalid(model, 'widths', spec.widths, `with model.backbone = shared it needs 2 to ${available + 1} levels (classifier2d's stem and ${backbone.widths.length} stages)`),
    );
  }
}

/**
 * The head of a shared-backbone part: inputs [input [H, W, 1], f_1 .. f_L]
 * (see the header), output linear logits [H, W, 1]. `name`: the part's
 * name ('roi', 'digitizer'); its seed stream is the part's own.
 */
export function buildSharedHead(name: string, spec: UNetSpec & { readonly seed: number }, backbone: BackboneSpec): tf.LayersModel {
  validateShared(name, spec, backbone);
  const rng = createRng(`${name}:shared:${spec.seed}`);
  const levels = sharedLevels(spec.widths);
  const scaled = (size: number | null, level: number) => (size === null ? null : size / 2 ** level);
  const input = tf.input({ shape: [spec.inputHeight, spec.inputWidth, 1] as number[], name: 'input' });
  const features = Array.from({ length: levels }, (_, i) =>
    tf.input({ shape: [scaled(spec.inputHeight, i + 1), scaled(spec.inputWidth, i + 1), backboneChannels(backbone, i + 1)] as number[], name: `features_${i + 1}` }),
  );
  let y: Sym = doubleConv(features[levels - 1] as Sym, spec.widths[levels] as number, rng);
  for (let level = levels - 1; level >= 0; level--) {
    y = applyLayer(tf.layers.upSampling2d({ size: [2, 2] }), y);
    const skip = level === 0 ? doubleConv(input, spec.widths[0] as number, rng) : (features[level - 1] as Sym);
    y = applyLayer(tf.layers.concatenate({ axis: -1 }), [y, skip]);
    y = doubleConv(y, spec.widths[level] as number, rng);
  }
  const logits = applyLayer(tf.layers.conv2d({ filters: 1, kernelSize: 1, padding: 'same', kernelInitializer: glorotUniform(rng) }), y);
  return tf.model({ inputs: [input, ...features], outputs: logits, name: `${name}_head` });
}

/** classifier2d's feature maps f_1 .. f_levels, on its own layers (its variables). */
export function backbonePyramid(classifier2d: tf.LayersModel, levels: number): tf.LayersModel {
  const outputs = Array.from({ length: levels }, (_, i) => {
    const name = backboneLevelName(i + 1);
    const layer = classifier2d.layers.find((l) => l.name === name);
    if (!layer) throw new EcgError('MODEL_INVALID', modelMessages.inputShape(classifier2d.name, `a classifier2d with a layer ${name} (build it from its spec)`, []));
    return layer.output as Sym;
  });
  return tf.model({ inputs: classifier2d.inputs, outputs, name: 'backbone' });
}

/**
 * The backbone as a layer of a part: its feature maps, always in inference
 * mode (see the header). Its weights are the backbone's, listed as
 * trainable unless `trainable` is false (the roi and digitizer stages
 * freeze it); it never disposes them (classifier2d's owner does).
 */
class BackboneFeatures extends tf.layers.Layer {
  static readonly className = 'EcgLab>BackboneFeatures';

  constructor(private readonly pyramid: tf.LayersModel) {
    super({ name: 'backbone_features', trainable: true });
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.pyramid.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return this.pyramid.apply(inputs, { training: false }) as tf.Tensor | tf.Tensor[];
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.pyramid.trainableWeights : [];
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.pyramid.nonTrainableWeights : this.pyramid.weights;
  }

  override disposeWeights(): number {
    return 0;
  }
}

/**
 * A part on the shared backbone: one input, logits out, like its separate
 * twin. Disposing it disposes its head (tfjs-layers disposes a nested model
 * with the model), never the backbone (BackboneFeatures).
 */
export class SharedPart extends tf.LayersModel {
  constructor(
    args: { inputs: tf.SymbolicTensor; outputs: tf.SymbolicTensor; name: string },
    /** The part's own weights: what its checkpoint holds. */
    readonly head: tf.LayersModel,
  ) {
    super(args);
  }
}

export interface ComposeOptions {
  /** List the backbone's weights among the part's trainable ones (false: frozen, as in the roi and digitizer stages). */
  readonly trainBackbone: boolean;
}

/** `head` on `classifier2d`'s backbone: [B, H, W, 1] -> logits [B, H, W, 1]; the caller keeps owning classifier2d. */
export function composeShared(head: tf.LayersModel, classifier2d: tf.LayersModel, options: ComposeOptions): SharedPart {
  const levels = head.inputs.length - 1;
  const [input] = head.inputs;
  const x = tf.input({ shape: (input as Sym).shape.slice(1) as number[], name: 'input' });
  const features = new BackboneFeatures(backbonePyramid(classifier2d, levels));
  features.trainable = options.trainBackbone;
  const maps = [features.apply(x)].flat() as Sym[];
  const logits = head.apply([x, ...maps]) as Sym;
  return new SharedPart({ inputs: x, outputs: logits, name: head.name.replace(/_head$/, '') }, head);
}

/** The model a checkpoint holds for `model`: a shared part's head, else the model itself. */
export function savedPartOf(model: tf.LayersModel): tf.LayersModel {
  return model instanceof SharedPart ? model.head : model;
}

/**
 * A classifier2d checkpoint (the classifier2d stage's, or a cell's) as the
 * backbone: built from the spec its metadata holds, so its level layers have
 * the names backbonePyramid() looks for whatever version saved it, with the
 * checkpoint's weights.
 */
export async function loadClassifier2d(dir: string): Promise<{ readonly model: tf.LayersModel; readonly spec: Classifier2dSpec }> {
  const { model: loaded, metadata } = await loadModel(dir);
  try {
    const spec = metadata.spec as Classifier2dSpec | undefined;
    if (!spec || !Array.isArray(spec.widths)) throw new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointTopology(join(dir, MODEL_FILE), 'no classifier2d spec in its metadata'));
    const model = buildClassifier2d(spec);
    try {
      model.setWeights(loaded.getWeights());
    } catch (error) {
      model.dispose();
      throw new EcgError('CHECKPOINT_CORRUPT', modelMessages.checkpointTopology(join(dir, MODEL_FILE), (error as Error).message), { cause: error });
    }
    return { model, spec };
  } finally {
    loaded.dispose();
  }
}
