/**
 * Rules that tie keys together, checked on every composed config (each cell
 * of a sweep) before anything runs; convict's formats check one key at a
 * time. Each rule is one a stage would otherwise break on after earlier
 * stages had spent their compute:
 *   - a U-Net halves its input widths.length - 1 times (models/unet.ts,
 *     unetStride), so the sizes it sees must be divisible by
 *     2^(widths.length - 1): model.roi.inputHeight/inputWidth by
 *     model.roi.widths; digitizer.cropHeight by model.denoiser.widths and
 *     model.digitizer.widths (crop widths are rounded up to it, models/specs.ts);
 *   - the 1-D classifier's input, data.durationS x model.classifier1d.fsHz
 *     samples (models/specs.ts), has at least one sample;
 *   - the synthetic source generates at least one record;
 *   - a source that reads a data set (ptbxl, wfdb-folder) names an existing
 *     folder in data.path, and data.ptbxlPlusPath, when set, is one too.
 * The U-Net factor is written here rather than imported: config/ sits below
 * models/ and must not import it.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EcgError } from '../core/errors.js';
import { configMessages as msg } from '../core/messages.js';
import type { Config } from './schema/index.js';

type Sources = Readonly<Record<string, string>>;

const SOURCES_WITH_A_FOLDER: ReadonlySet<Config['data']['source']> = new Set(['ptbxl', 'wfdb-folder']);

/** The factor a U-Net of `widths` (top to bottleneck) needs its input sizes divisible by. */
export function unetFactor(widths: readonly number[]): number {
  return 2 ** (widths.length - 1);
}

export interface ConfigChecker {
  /** Throws CONFIG_INVALID listing every rule the config breaks, each with its key, value, what is allowed and where it came from. */
  check(config: Config, sources: Sources): void;
}

/** A checker that looks at each folder once, however many cells name it. */
export function configChecker(): ConfigChecker {
  const folders = new Map<string, FolderState>();
  const folderState = (path: string): FolderState => {
    const absolute = resolve(path);
    let state = folders.get(absolute);
    if (state === undefined) {
      state = statFolder(absolute);
      folders.set(absolute, state);
    }
    return state;
  };
  return {
    check(config, sources) {
      const problems = [...unetProblems(config, sources), ...sizeProblems(config, sources), ...dataProblems(config, sources, folderState)];
      if (problems.length > 0) throw new EcgError('CONFIG_INVALID', problems.join('\n'));
    },
  };
}

const where = (sources: Sources, key: string) => sources[key] ?? 'defaults';

function unetProblems(config: Config, sources: Sources): string[] {
  const { model, digitizer } = config;
  const sized: [key: string, value: number, widthsKey: string, widths: readonly number[]][] = [
    ['model.roi.inputHeight', model.roi.inputHeight, 'model.roi.widths', model.roi.widths],
    ['model.roi.inputWidth', model.roi.inputWidth, 'model.roi.widths', model.roi.widths],
    ['digitizer.cropHeight', digitizer.cropHeight, 'model.denoiser.widths', model.denoiser.widths],
    ['digitizer.cropHeight', digitizer.cropHeight, 'model.digitizer.widths', model.digitizer.widths],
  ];
  return sized
    .filter(([, value, , widths]) => value % unetFactor(widths) !== 0)
    .map(([key, value, widthsKey, widths]) => msg.notDivisible(key, value, unetFactor(widths), widthsKey, widths, where(sources, key)));
}

function sizeProblems(config: Config, sources: Sources): string[] {
  const problems: string[] = [];
  const samples = Math.round(config.data.durationS * config.model.classifier1d.fsHz);
  if (samples < 1) {
    problems.push(msg.classifier1dEmpty(config.data.durationS, config.model.classifier1d.fsHz, where(sources, 'data.durationS')));
  }
  if (config.data.source === 'synthetic' && config.data.records < 1) {
    problems.push(msg.badValue('data.records', config.data.records, 'data.source = synthetic generates this many records; must be an integer >= 1', where(sources, 'data.records')));
  }
  return problems;
}

type FolderState = 'folder' | 'file' | 'missing';

function statFolder(path: string): FolderState {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

function dataProblems(config: Config, sources: Sources, folderState: (path: string) => FolderState): string[] {
  const { data } = config;
  if (!SOURCES_WITH_A_FOLDER.has(data.source)) return [];
  const problems: string[] = [];
  if (data.path === '') problems.push(msg.dataPathEmpty(data.source, where(sources, 'data.path')));
  else {
    const state = folderState(data.path);
    if (state !== 'folder') problems.push(msg.dataFolderMissing('data.path', data.path, resolve(data.path), state, data.source, where(sources, 'data.path')));
  }
  if (data.source === 'ptbxl' && data.ptbxlPlusPath !== '') {
    const state = folderState(data.ptbxlPlusPath);
    if (state !== 'folder') {
      problems.push(msg.dataFolderMissing('data.ptbxlPlusPath', data.ptbxlPlusPath, resolve(data.ptbxlPlusPath), state, data.source, where(sources, 'data.ptbxlPlusPath')));
    }
  }
  return problems;
}
