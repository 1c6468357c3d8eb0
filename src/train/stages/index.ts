/**
 * The method's stages, in the order of DESIGN.md's data flow. What a config
 * names (`stages:` in an experiment) is a key of this registry.
 */
import { createRegistry } from '../graph.js';
import type { Stage } from '../stage.js';
import { dataStage } from './data.js';
import { renderStage } from './render.js';
import { classifier2dStage } from './classifier2d.js';
import { roiStage } from './roi.js';
import { denoiseStage } from './denoise.js';
import { digitizerStage } from './digitizer.js';
import { classifier1dStage } from './classifier1d.js';
import { hierarchicalStage } from './hierarchical.js';

export const METHOD_STAGES = createRegistry([
  dataStage as Stage,
  renderStage as Stage,
  classifier2dStage as Stage,
  roiStage as Stage,
  denoiseStage as Stage,
  digitizerStage as Stage,
  classifier1dStage as Stage,
  hierarchicalStage as Stage,
]);
