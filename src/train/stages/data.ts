/**
 * Stage `data`: load or generate the records (data.source), split them
 * (data.split.*), and store them compactly (src/data/dataset-store.ts).
 * Later stages read them with readDataset(ctx.inputs.data), or one record
 * at a time with openDataset (the render stage).
 *
 * Its cache key sees the data, not only data.path: `fingerprint` digests
 * every file the source reads (src/data/fingerprint.ts), and the data.digest
 * tag is the digest of the records as stored (names, labels, samples).
 * Version 2: records with a lead that holds no valid sample are left out.
 * Records are read a window at a time and stored as they come (DatasetWriter),
 * so the stage's memory does not grow with the number of records.
 */
import type { Stage } from '../stage.js';
import { streamRecords } from '../../data/load-records.js';
import { assignSplits, checkSplits } from '../../data/split.js';
import { DatasetWriter, type DataManifest } from '../../data/dataset-store.js';
import { dataFingerprint } from '../../data/fingerprint.js';

export const DATA_CONFIG_KEYS = [
  'seed.data',
  'data.source',
  'data.path',
  'data.ptbxlPlusPath',
  'data.records',
  'data.fsHz',
  'data.durationS',
  'data.split.method',
  'data.split.val',
  'data.split.test',
  'data.synthetic.priors',
  'data.synthetic.baselineWanderMv',
  'data.synthetic.mainsHumMv',
  'data.synthetic.muscleNoiseMv',
  'data.synthetic.mainsHz',
] as const;

export const dataStage: Stage<DataManifest> = {
  name: 'data',
  version: 2,
  description: 'Load PTB-XL / a WFDB folder or generate synthetic 12-lead records; split train/val/test.',
  reads: [],
  configKeys: DATA_CONFIG_KEYS,
  writes: 'signals.f32 + manifest.json (records, labels, splits, dataset digest)',
  fingerprint: (config) => dataFingerprint(config.data),
  async run(ctx) {
    const { data } = ctx.config;
    const seed = ctx.config.seed.data;
    // Records go to the store as they are read (a window at a time): memory holds their entries, not their samples.
    const writer = await DatasetWriter.open(ctx.outDir);
    let manifest: DataManifest;
    try {
      const loading = {
        logger: ctx.logger,
        signal: ctx.signal,
        onCount: (count: number) => ctx.progress.start(`data: ${data.source}`, count),
        onRecord: () => ctx.progress.tick(),
      };
      const streamed = await streamRecords(data, seed, loading, (record) => writer.append(record));
      const splitOptions = { method: data.split.method, val: data.split.val, test: data.split.test, seed };
      const splits = assignSplits(writer.entries, splitOptions);
      checkSplits(splits, splitOptions);
      manifest = await writer.finish({ source: data.source, fsHz: data.fsHz, acuteMiResolved: streamed.acuteMiResolved, splits });
    } catch (error) {
      await writer.abort();
      throw error;
    } finally {
      ctx.progress.stop();
    }
    for (const split of ['train', 'val', 'test'] as const) ctx.metrics.log(`data/${split}`, manifest.counts[split]);
    ctx.tags.set('data.source', data.source);
    ctx.tags.set('data.digest', manifest.digest);
    ctx.tags.set('data.acuteMiResolved', String(manifest.acuteMiResolved));
    ctx.logger.info(`data: ${manifest.counts.train} train, ${manifest.counts.val} val, ${manifest.counts.test} test records (${data.source}, digest ${manifest.digest.slice(0, 12)})`);
    return manifest;
  },
};
