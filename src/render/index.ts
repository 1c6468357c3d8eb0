/**
 * ECG paper images: what other folders import from src/render/.
 */
export { renderPage, checkRecord, BACKGROUND_RGB, type RenderedPage, type RenderPageRequest } from './render-page.js';
export { normalizeRenderOptions, defaultRenderConfig, type RenderOptions, type RenderConfigInput } from './options.js';
export { plottedSignals, type PageGroundTruth, type LeadGroundTruth, type CalibrationGroundTruth } from './ground-truth.js';
export { pageMappingOf } from './distortions.js';
export { mapPoint, unmapPoint, type PageMapping } from './geometry.js';
export {
  renderPagesToDir,
  readRenderedPages,
  readRenderManifest,
  readGroundTruth,
  writeRenderedPage,
  pageSeed,
  type RenderManifest,
  type RenderedPageEntry,
  type RenderedPageRef,
  type RenderJob,
  type PageSplit,
} from './pages.js';
export { writeChallengeRecord, writeChallengeFiles, challengeImageName } from './challenge.js';
export { imageFormatOf, IMAGE_EXTENSIONS, type ImageFormat } from './image-file.js';
