/**
 * Page geometry from the image, not from the layout (issue 18): the grid's
 * angle and scale, the page rectified, its layout and each lead's panel,
 * 0 mV row and gain, for pages ecg-lab did not draw. Pure functions on the
 * page's grey and ink images (page-channels.ts); findPageGeometry runs the
 * steps in order (page-geometry.ts).
 */
export { readPageChannels, channelsOfRgb, type PageChannels } from './page-channels.js';
export { detectGrid, pageScaleRange, GRID_CONFIDENCE_MIN, FALLBACK_PAGE_WIDTH_MM, type GridOptions, type PageGrid } from './grid-period.js';
export { rectifyPage, type RectifiedPage } from './rectify.js';
export { traceMask, type TraceMask } from './trace-ink.js';
export { findTraceRows, selectRowComb, LAYOUT_ROW_COUNTS, type TraceRow } from './trace-rows.js';
export { findCalibrationPulse, type CalibrationPulse } from './calibration-pulse.js';
export { detectLayout, DETECTED_LAYOUTS, type DetectedLayout, type DetectedRow, type DetectedPanel, type PageLayoutFound } from './layout-detect.js';
export { rowStarts, PULSE_FOOT_MM, type RowStart, type RowStartScale } from './row-starts.js';
export { leadLevels, type LeadLevel, type ScaleFound } from './lead-baseline.js';
export { findPageGeometry, type PageGeometry } from './page-geometry.js';
