/**
 * ecg-lab's models: typed specs and build functions, losses, the end-to-end
 * hierarchical path, the training loop and checkpoints. Takes and returns
 * tensors and typed arrays; never imports data, render, train or tracking.
 */
export * from './classifier2d.js';
export * from './classifier1d.js';
export * from './unet.js';
export * from './backbone.js';
export * from './roi.js';
export * from './denoiser.js';
export * from './digitizer.js';
export * from './leads/columns-to-samples.js';
export * from './leads/crop-cut.js';
export * from './leads/assemble-leads.js';
export * from './leads/crop-leads.js';
export * from './combiner.js';
export * from './hierarchical.js';
export * from './forward.js';
export * from './variables.js';
export * from './train-loop.js';
export * from './read.js';
export * from './checkpoint.js';
export * from './specs.js';
