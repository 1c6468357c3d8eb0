/**
 * The scoring stages keep their per-record outputs (report/stats/record-outputs.ts
 * has the formats) as artifacts, so that reports can bootstrap a cell's
 * figures over its test records: predictions where a classifier is scored,
 * SNR per lead where a digitizer is.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/fs.js';
import { applyThresholds, type Thresholds } from '../../metrics/index.js';
import { PREDICTIONS_FILE, predictionsCsv, RECORD_SNR_FILE, recordSnrCsv, type RecordSnr } from '../../report/stats/record-outputs.js';
import type { PageSplit } from '../../render/pages.js';
import type { RecordProbabilities } from './classification.js';
import type { StageContext } from '../stage.js';

/** The validation and test predictions per record, with the thresholds that made them: artifact `<stage>/predictions.csv`. */
export async function savePredictions(ctx: StageContext, stage: string, thresholds: Thresholds, splits: Partial<Record<PageSplit, RecordProbabilities>>): Promise<void> {
  const rows = (['val', 'test'] as const).flatMap((split) => {
    const s = splits[split];
    if (!s) return [];
    const predicted = applyThresholds(s.probabilities, thresholds);
    return s.records.map((record, i) => ({ record, split, labels: s.labels[i] ?? [], predicted: predicted[i] ?? [], probabilities: s.probabilities[i] as Float32Array }));
  });
  const path = join(ctx.outDir, PREDICTIONS_FILE);
  await writeFileAtomic(path, predictionsCsv({ rows, thresholds }));
  await ctx.artifacts.add(path, `${stage}/${PREDICTIONS_FILE}`);
}

/** SNR per record and lead: artifact `<stage>/per-record-snr.csv`. */
export async function saveRecordSnr(ctx: StageContext, stage: string, rows: readonly RecordSnr[]): Promise<void> {
  const path = join(ctx.outDir, RECORD_SNR_FILE);
  await writeFileAtomic(path, recordSnrCsv(rows));
  await ctx.artifacts.add(path, `${stage}/${RECORD_SNR_FILE}`);
}
