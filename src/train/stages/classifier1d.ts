/**
 * Stage `classifier1d` (the paper's hierarchy, step 3): the 1-D CNN on the
 * 12 digitized leads, resampled to model.classifier1d.fsHz.
 *
 * Trained on the digitizer's output for the train split, not on the true
 * signals: what it classifies at test time is a digitized page (3x4: 2.5 s
 * of most leads, zero elsewhere, with the digitizer's errors), and a model
 * trained on clean 10 s leads would meet a different input distribution.
 * The train split's digitization is in-sample for the digitizer and so a
 * little cleaner than the test split's; the end-to-end stage then tunes
 * both together on exactly the hierarchy's path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EcgError } from '../../core/errors.js';
import type { ChallengeClass } from '../../core/ecg.js';
import { resampleSinc } from '../../data/sinc-resample.js';
import { readDataset, type DataManifest } from '../../data/dataset-store.js';
import type { PageSplit } from '../../render/pages.js';
import { buildClassifier1d, specsOf } from '../../models/index.js';
import type { Stage } from '../stage.js';
import { saveFinal } from '../fit.js';
import { requireInput, SPLITS } from './stage-inputs.js';
import { trainClassifier, type ClassifierSplit } from './train-classifier.js';
import { trainMessages } from '../../core/messages.js';
import type { DigitizedRecord, DigitizerManifest } from './digitizer.js';

export interface Classifier1dManifest {
  readonly model: string;
  readonly probabilities: string;
}

/** The digitized records, lead-major per record, at their fs. */
export async function readDigitized(dir: string, manifest: DigitizerManifest): Promise<{ index: DigitizedRecord[]; signals: Float32Array }> {
  const index = (JSON.parse(await readFile(join(dir, manifest.index), 'utf8')) as { records: DigitizedRecord[] }).records;
  const path = join(dir, manifest.signals);
  const bytes = await readFile(path);
  const signals = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const needed = index.reduce((n, r) => Math.max(n, r.offset + 12 * r.length), 0);
  if (signals.length < needed) throw new EcgError('STAGE_FAILED', trainMessages.digitizedMissing(path));
  return { index, signals };
}

/** One record's leads as classifier1d's input [length, 12] (time-major), resampled and cut or zero-padded to `length`. */
export function signalInput(signals: Float32Array, record: DigitizedRecord, fsHz: number, length: number): Float32Array {
  const out = new Float32Array(length * 12);
  for (let lead = 0; lead < 12; lead++) {
    const start = record.offset + lead * record.length;
    const series = resampleSinc(signals.slice(start, start + record.length), record.fsHz, fsHz);
    const n = Math.min(length, series.length);
    for (let k = 0; k < n; k++) out[k * 12 + lead] = series[k] as number;
  }
  return out;
}

export const classifier1dStage: Stage<Classifier1dManifest> = {
  name: 'classifier1d',
  version: 2,
  description: 'Train the 1-D classifier on the digitized leads; save its weights and per-split probabilities.',
  reads: ['data', 'digitizer'],
  configKeys: ['seed.train', 'data.durationS', 'model.classifier1d.*', 'train.classifier1d.*', 'train.patience', 'train.loss'],
  writes: 'model/classifier1d (TF.js), probabilities.json, predictions.csv (validation and test, per record)',
  usesBackend: true,
  async run(ctx) {
    const spec = specsOf(ctx.config).classifier1d;
    const data = requireInput<DataManifest>(ctx, 'classifier1d', 'data');
    const digitizer = requireInput<DigitizerManifest>(ctx, 'classifier1d', 'digitizer');
    const dataset = await readDataset(data);
    const labelsOf = new Map<string, readonly ChallengeClass[]>(SPLITS.flatMap((s) => dataset[s].map((r) => [r.name, r.labels] as const)));
    const { index, signals } = await readDigitized(digitizer.dir, digitizer.manifest);
    const splitOf = (split: PageSplit): ClassifierSplit => {
      const records = index.filter((r) => r.split === split);
      return {
        records: records.map((r) => r.record),
        inputs: records.map((r) => signalInput(signals, r, ctx.config.model.classifier1d.fsHz, spec.length)),
        labels: records.map((r) => labelsOf.get(r.record) ?? []),
      };
    };
    const splits = Object.fromEntries(SPLITS.map((s) => [s, splitOf(s)])) as Record<PageSplit, ClassifierSplit>;
    const model = buildClassifier1d(spec);
    try {
      await trainClassifier(ctx, 'classifier1d', model, ctx.config.train.classifier1d, { shape: [spec.length, spec.leads], splits });
      const dir = await saveFinal(ctx, 'classifier1d', 'classifier1d', model, { spec });
      return { model: dir.slice(ctx.outDir.length + 1), probabilities: 'probabilities.json' };
    } finally {
      model.dispose();
    }
  },
};
