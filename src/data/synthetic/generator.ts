/**
 * The synthetic 12-lead generator. Record i is drawn from its own generator,
 * createRng(`ecg-lab/synthetic/<seed>/<i>`), so its bytes depend only on the
 * seed, i and the options, never on how many records are generated.
 * Phases: labels (priors) -> patient morphology -> beat schedule ->
 * dipole -> electrodes with noise -> 12 leads (float32, mV).
 */
import type { EcgRecord } from '../../core/ecg.js';
import { createRng } from '../../core/rng.js';
import { renderDipole } from './dipole.js';
import { projectToLeads, type NoiseLevels } from './electrodes.js';
import { buildMorphology } from './morphology.js';
import { drawLabels, resolvePriors, type Priors } from './priors.js';
import { scheduleBeats } from './rhythm.js';

export interface SyntheticOptions {
  readonly seed: number;
  readonly fsHz: number;
  readonly durationS: number;
  readonly priors: Priors;
  readonly noise: NoiseLevels;
}

/** Options from the data config group (`data.fsHz`, `data.durationS`, `data.synthetic.*`) and the run seed. */
export function syntheticOptions(
  data: {
    fsHz: number;
    durationS: number;
    synthetic: { priors: Record<string, number>; baselineWanderMv: number; mainsHumMv: number; muscleNoiseMv: number; mainsHz?: number };
  },
  seed: number,
): SyntheticOptions {
  const s = data.synthetic;
  return {
    seed,
    fsHz: data.fsHz,
    durationS: data.durationS,
    priors: resolvePriors(s.priors),
    noise: { baselineWanderMv: s.baselineWanderMv, mainsHumMv: s.mainsHumMv, mainsHz: s.mainsHz ?? 50, muscleNoiseMv: s.muscleNoiseMv },
  };
}

export function syntheticRecordName(index: number): string {
  return `syn-${String(index).padStart(6, '0')}`;
}

export function generateRecord(index: number, options: SyntheticOptions): EcgRecord {
  const rng = createRng(`ecg-lab/synthetic/${options.seed}/${index}`);
  const labels = drawLabels(options.priors, rng.fork('labels'));
  const morph = buildMorphology(labels, rng.fork('morphology'));
  const rhythm = scheduleBeats(labels, options.durationS, rng.fork('rhythm'));
  const n = Math.round(options.fsHz * options.durationS);
  const dipole = renderDipole(rhythm.beats, morph, rhythm.atrial, options.fsHz, n, rng.fork('atrial'));
  const signals = projectToLeads(dipole, options.fsHz, options.noise, rng.fork('electrodes'));
  const name = syntheticRecordName(index);
  const beatsInRecord = rhythm.beats.filter((b) => b.tS >= 0 && b.tS < options.durationS);
  const demographics = rng.fork('patient');
  return {
    name,
    fsHz: options.fsHz,
    signals,
    labels,
    patientId: name,
    meta: {
      source: 'synthetic',
      age: demographics.int(18, 90),
      sex: demographics.chance(0.5) ? 'M' : 'F',
      rateBpm: Math.round(rhythm.rateBpm),
      atrial: rhythm.atrial.kind,
      pvcBeats: beatsInRecord.filter((b) => b.kind === 'pvc').length,
      pacBeats: beatsInRecord.filter((b) => b.kind === 'pac').length,
      ...morph.facts,
    },
  };
}

export function* generateRecords(count: number, options: SyntheticOptions, start = 0): Generator<EcgRecord> {
  for (let i = start; i < start + count; i++) yield generateRecord(i, options);
}
