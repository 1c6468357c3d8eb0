import type { SchemaTree } from './types.js';

export interface DataConfig {
  source: 'synthetic' | 'ptbxl' | 'wfdb-folder';
  path: string;
  records: number;
  ptbxlPlusPath: string;
  fsHz: 100 | 500;
  durationS: number;
  split: { method: 'seeded' | 'strat_fold'; val: number; test: number };
  synthetic: {
    priors: Record<string, number>;
    baselineWanderMv: number;
    mainsHumMv: number;
    muscleNoiseMv: number;
    mainsHz: 50 | 60;
  };
}

export const dataSchema: SchemaTree = {
  data: {
    source: {
      doc: 'Where records come from: the embedded synthetic generator, a PTB-XL folder, or a folder of WFDB records with # Labels: lines.',
      format: ['synthetic', 'ptbxl', 'wfdb-folder'],
      default: 'synthetic',
    },
    path: { doc: 'Folder of the data set (ptbxl, wfdb-folder); unused for synthetic.', format: String, default: '' },
    ptbxlPlusPath: {
      doc: 'Folder of PTB-XL+ (12sl_statements.csv, 12slv23ToSNOMED.csv, also under labels/ and labels/mapping/) that tells Acute MI from Old MI; empty searches data.path. Without it every MI record is Old MI and the run is tagged data.acuteMiResolved=false.',
      format: String,
      default: '',
    },
    records: { doc: 'Number of records to use (synthetic: to generate; others: at most, 0 = all).', format: 'nat', default: 120 },
    fsHz: { doc: 'Sampling frequency in Hz.', format: [100, 500], default: 100 },
    durationS: { doc: 'Record length in seconds.', format: 'positive-number', default: 10 },
    split: {
      method: {
        doc: 'seeded: random by patient with data.split.val/test fractions; strat_fold: PTB-XL folds 1-8 / 9 / 10.',
        format: ['seeded', 'strat_fold'],
        default: 'seeded',
      },
      val: { doc: 'Validation fraction for the seeded split, in [0, 0.5].', format: 'fraction-half', default: 0.15 },
      test: { doc: 'Test fraction for the seeded split, in [0, 0.5].', format: 'fraction-half', default: 0.2 },
    },
    synthetic: {
      priors: {
        doc: 'Prior probability of each challenge class in generated records (class name -> [0, 1]); missing classes use the generator default.',
        format: 'class-priors',
        default: {},
      },
      baselineWanderMv: { doc: 'Amplitude of baseline wander in mV.', format: 'non-negative-number', default: 0.05 },
      mainsHumMv: { doc: 'Amplitude of mains hum (data.synthetic.mainsHz) in mV.', format: 'non-negative-number', default: 0.01 },
      muscleNoiseMv: { doc: 'Standard deviation of muscle (EMG) noise in mV.', format: 'non-negative-number', default: 0.01 },
      mainsHz: { doc: 'Frequency of the mains hum in Hz.', format: [50, 60], default: 50 },
    },
  },
};
