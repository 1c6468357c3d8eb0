/** Comparison reports: load runs, build tables and plots, write them out. */
export * from './run-set.js';
export { loadLocalRuns } from './source-local.js';
export { loadMlflowRuns } from './source-mlflow.js';
export { buildComparison, cellsText, pivotText, deltaText, type Comparison, type CompareOptions, type TextTable } from './comparison.js';
export { ablationPivot, defaultPivotSpec, parsePivotSpec, type Pivot, type PivotSpec } from './ablation.js';
export { parseBaseline, type Baseline } from './baseline.js';
export { cellsTable } from './cells-table.js';
export { toMarkdown, toCsvText, toJsonText, markdownTable } from './text-formats.js';
export { toHtml } from './html.js';
export { allPlots, learningCurvePlots, snrPerLeadPlot, f1PerClassPlot, metricVsNoisePlot, type PlotSpec } from './plots.js';
export { renderSvg, renderPng, svgToPng } from './render-plot.js';
export { examplePages, overlaySvg, overlayPng, parseTraces } from './example-overlay.js';
export { EXAMPLE_IMAGE, EXAMPLE_JSON, type ExampleTraces, type ExampleTrace, type TracePoint } from './example-traces.js';
export { parseExpect, evaluateExpect, expectExitCode, expectText, expectRows, type ExpectFile, type ExpectReport, type ExpectResult } from './stats/expect.js';
export { recordBootstrap, BOOTSTRAP_METRICS, type RecordBootstrap } from './stats/record-bootstrap.js';
export { PREDICTIONS_FILE, RECORD_SNR_FILE, readPredictions, readRecordSnr } from './stats/record-outputs.js';
