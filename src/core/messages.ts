/**
 * Every message a user reads comes from here (vega-lite's log/message.ts).
 * Each domain keeps its messages in core/messages/<domain>.ts; this file is
 * the single import point.
 */
export * as configMessages from './messages/config.js';
export * as runMessages from './messages/run.js';
export * as dataMessages from './messages/data.js';
export * as renderMessages from './messages/render.js';
export * as modelMessages from './messages/models.js';
export * as mlflowMessages from './messages/mlflow.js';
export * as metricsMessages from './messages/metrics.js';
export * as backendMessages from './messages/backend.js';
export * as webgpuMessages from './messages/webgpu.js';
export * as reportMessages from './messages/report.js';
export * as launchMessages from './messages/launch.js';
export * as trainMessages from './messages/train.js';
export * as inferMessages from './messages/infer.js';
export * as pageMessages from './messages/page.js';
export * as cliMessages from './messages/cli.js';
