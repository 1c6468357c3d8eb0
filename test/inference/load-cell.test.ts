/**
 * Which weights a trained cell is used with (src/inference/load-cell.ts
 * cellArtifacts): the fine-tuned parts when its hierarchical stage
 * fine-tuned, for `digitize` as for `classify`; the combined model only when
 * it combined; the separately trained parts otherwise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Config } from '../../src/config/schema/index.js';
import { cellArtifacts } from '../../src/inference/load-cell.js';

function configWith(model: { hierarchy: boolean; combine?: boolean; finetune?: boolean; backbone?: string }, digitizer = { roi: true, denoise: true }): Config {
  return { model: { combine: true, finetune: true, ...model }, digitizer } as unknown as Config;
}

test('hierarchy on (both switches): every part fine-tuned, the combined model classifies', () => {
  assert.equal(cellArtifacts(configWith({ hierarchy: true })), {
    roi: 'roi/roi',
    roiBackbone: null,
    denoiser: 'hierarchical/denoiser',
    digitizer: 'hierarchical/digitizer',
    classifier2d: 'hierarchical/classifier2d',
    classifier1d: 'hierarchical/classifier1d',
    combiner: 'hierarchical/combiner',
  });
});

test('hierarchy off: the separately trained digitizer and classifier2d alone, whatever the two switches say', () => {
  assert.equal(cellArtifacts(configWith({ hierarchy: false, combine: true, finetune: true }, { roi: false, denoise: false })), {
    roi: null,
    roiBackbone: null,
    denoiser: null,
    digitizer: 'digitizer/digitizer',
    classifier2d: 'classifier2d/classifier2d',
    classifier1d: null,
    combiner: null,
  });
});

test('combine without fine-tuning: the frozen parts and the trained combiner', () => {
  const a = cellArtifacts(configWith({ hierarchy: true, finetune: false }));
  assert.equal([a.denoiser, a.digitizer, a.classifier2d, a.classifier1d, a.combiner], [
    'denoise/denoiser',
    'digitizer/digitizer',
    'classifier2d/classifier2d',
    'classifier1d/classifier1d',
    'hierarchical/combiner',
  ]);
});

test('fine-tuning without combining: the fine-tuned digitizer for digitize, the fine-tuned classifier2d alone for classify', () => {
  const a = cellArtifacts(configWith({ hierarchy: true, combine: false }));
  assert.equal([a.denoiser, a.digitizer, a.classifier2d, a.classifier1d, a.combiner], ['hierarchical/denoiser', 'hierarchical/digitizer', 'hierarchical/classifier2d', null, null]);
});

test('shared backbone: the ROI head sits on the classifier2d stage\'s backbone, the digitizer on the cell\'s classifier2d', () => {
  const tuned = cellArtifacts(configWith({ hierarchy: true, backbone: 'shared' }));
  assert.equal([tuned.roi, tuned.roiBackbone, tuned.digitizer, tuned.classifier2d], ['roi/roi', 'classifier2d/classifier2d', 'hierarchical/digitizer', 'hierarchical/classifier2d']);
  assert.is(cellArtifacts(configWith({ hierarchy: true, backbone: 'shared' }, { roi: false, denoise: true })).roiBackbone, null);
  assert.is(cellArtifacts(configWith({ hierarchy: true, backbone: 'separate' })).roiBackbone, null);
});

test('a cell that never ran the hierarchical stage (stages: [digitizer]) is read with the separately trained parts', () => {
  const a = cellArtifacts(configWith({ hierarchy: true }), false);
  assert.equal([a.denoiser, a.digitizer, a.classifier2d, a.classifier1d, a.combiner], ['denoise/denoiser', 'digitizer/digitizer', 'classifier2d/classifier2d', null, null]);
});

test('a cell saved before model.combine / model.finetune existed follows model.hierarchy', () => {
  const old = (hierarchy: boolean) => ({ model: { hierarchy }, digitizer: { roi: true, denoise: true } }) as unknown as Config;
  assert.is(cellArtifacts(old(true)).digitizer, 'hierarchical/digitizer');
  assert.is(cellArtifacts(old(false)).digitizer, 'digitizer/digitizer');
});

test.run();
