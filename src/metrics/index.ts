/** The challenge metrics: pure functions over typed arrays (see DESIGN.md, "Metrics"). */
export * from './align.js';
export * from './snr.js';
export * from './f1.js';
export * from './thresholds.js';
export * from './placement.js';
export * from './linear-resample.js';
