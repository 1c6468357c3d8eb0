/**
 * The roi and digitizer stages' model with model.backbone = shared: their
 * U-Net's encoder is classifier2d's backbone (models/backbone.ts), loaded
 * from the classifier2d stage they then read (Stage.readsWhen), frozen
 * while their head trains. Without that input, their own U-Net.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { backboneShared } from '../../config/schema/model.js';
import type { Config } from '../../config/schema/index.js';
import { buildSharedHead, composeShared, loadClassifier2d, type UNetSpec } from '../../models/index.js';
import type { StageContext } from '../stage.js';
import type { Classifier2dManifest } from './classifier2d.js';

/** Stage.readsWhen of the roi and digitizer stages: classifier2d when the backbone is shared. */
export function backboneReads(config: Config): readonly string[] {
  return backboneShared(config.model) ? ['classifier2d'] : [];
}

export interface StagePart {
  /** What trains and predicts: one input, logits out. */
  readonly model: tf.LayersModel;
  /** `shared` when it sits on classifier2d's backbone. */
  readonly backbone: 'shared' | 'separate';
  dispose(): void;
}

/** The stage's part: on the frozen backbone when the stage was given classifier2d, else `buildOwn()`. */
export async function stagePart(ctx: StageContext, name: 'roi' | 'digitizer', spec: UNetSpec & { readonly seed: number }, buildOwn: () => tf.LayersModel): Promise<StagePart> {
  const input = ctx.inputs.classifier2d;
  if (!input) {
    const model = buildOwn();
    return { model, backbone: 'separate', dispose: () => model.dispose() };
  }
  const classifier2d = await loadClassifier2d(join(input.dir, (input.manifest as Classifier2dManifest).model));
  try {
    const model = composeShared(buildSharedHead(name, spec, classifier2d.spec), classifier2d.model, { trainBackbone: false });
    return {
      model,
      backbone: 'shared',
      dispose: () => {
        model.dispose();
        classifier2d.model.dispose();
      },
    };
  } catch (error) {
    classifier2d.model.dispose();
    throw error;
  }
}
