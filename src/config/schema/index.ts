/**
 * The full schema: one file per group, merged here. A group's file owns its
 * keys, docs, defaults and formats; custom formats are in config/formats.ts.
 */
import type { SchemaTree } from './types.js';
import { runSchema, type RunConfig } from './run.js';
import { dataSchema, type DataConfig } from './data.js';
import { renderSchema, type RenderConfig } from './render.js';
import { modelSchema, type ModelConfig } from './model.js';
import { trainSchema, type TrainConfig } from './train.js';
import { trackingSchema, type TrackingConfig } from './tracking.js';

export type Config = RunConfig &
  ModelConfig & {
    data: DataConfig;
    render: RenderConfig;
    train: TrainConfig;
    tracking: TrackingConfig;
  };

export const SCHEMA: SchemaTree = Object.freeze({
  ...runSchema,
  ...dataSchema,
  ...renderSchema,
  ...modelSchema,
  ...trainSchema,
  ...trackingSchema,
}) as SchemaTree;

/** Config groups that have option files under configs/<group>/. */
export const CONFIG_GROUPS = ['data', 'render', 'model', 'train', 'tracking'] as const;
export type ConfigGroup = (typeof CONFIG_GROUPS)[number];
