/**
 * The method's stages, in the order of DESIGN.md's data flow. What a config
 * names (`stages:` in an experiment) is a key of this registry.
 */
import { createRegistry } from '../graph.js';
import type { Stage } from '../stage.js';
import { dataStage } from './data.js';
import { renderStage } from './render.js';

export const METHOD_STAGES = createRegistry([dataStage as Stage, renderStage as Stage]);
