/**
 * `ecg-lab generate images [--n N] --out DIR [key=value ...]`: render records
 * (10 synthetic by default; from a folder source, every record unless --n
 * caps them, saying how many it left out) as pages with clean twins,
 * trace masks, ground truth and a manifest; `--challenge` also writes the
 * PhysioNet Challenge 2024 arrangement (.hea/.dat + image named in the header).
 * Records are read a window at a time to find those without a blank lead,
 * then again one by one as their pages are drawn (and their Challenge
 * records written): memory holds a window of records, not the folder.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { intOption, parseArgs, type ParsedArgs } from '../args.js';
import { generateConfig } from '../generate-config.js';
import { streamRecords } from '../../data/load-records.js';
import { findHeaders } from '../../data/wfdb-folder.js';
import { ptbxlFiles } from '../../data/ptbxl.js';
import type { DataConfig } from '../../config/schema/data.js';
import { dataMessages } from '../../core/messages.js';

/** Pages of synthetic records when neither --n nor data.records says how many. */
const SYNTHETIC_PAGES = 10;
import { renderPagesToDir, writeChallengeRecord } from '../../render/index.js';

export const generateImagesCommand: Command = {
  name: 'generate images',
  summary: 'render ECG paper images with ground truth (boxes, sample pixels, masks, clean twins)',
  usage: `ecg-lab generate images --n N --out DIR [--challenge] [key=value ...]

  --n N         number of pages (default: 10 synthetic records; from a folder source, every record)
  --out DIR     output folder (created if missing)
  --challenge   also write DIR/challenge/: <record>.hea/.dat with # Image: <record>-0.png (or .jpg)
  key=value     overrides of the render and data groups and the seed, e.g.
                render.noise=0.5 render.layout=6x2 render.dpi=100 seed=3
                render=<option in configs/render/> data=ptbxl data.path=/data/ptb-xl`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['n', 'out'], flags: ['challenge'] });
    const out = parsed.options.get('out');
    if (parsed.flags.has('help') || out === undefined) {
      io.out(this.usage);
      return parsed.flags.has('help') ? 0 : 2;
    }
    const composed = generateConfig('generate images', parsed.positionals, ['data', 'render'], io.cwd);
    const config = { ...composed, data: { ...composed.data, records: recordCount(parsed, composed.data) } };
    const outDir = resolve(io.cwd, out);
    const kept: number[] = [];
    const { source } = await streamRecords(config.data, config.seed.data, { logger: io.logger }, (_, index) => void kept.push(index));
    if (config.data.source !== 'synthetic' && config.data.records > 0) {
      const available = folderRecords(config.data);
      if (available > config.data.records) io.logger.warn(dataMessages.recordsLeftOut(config.data.records, available, config.data.path));
    }
    const manifest = await renderPagesToDir(outDir, kept.map((index) => ({ split: 'train' as const, record: () => source.read(index) })), config.render, {
      seed: config.seed.data,
      progress: io.progress,
      logger: io.logger,
    });
    if (parsed.flags.has('challenge')) {
      for (const [i, index] of kept.entries()) {
        const entry = manifest.pages[i];
        if (entry) await writeChallengeRecord(join(outDir, 'challenge'), await source.read(index), { image: await readFile(join(outDir, entry.image)) });
      }
    }
    io.out(`${manifest.pages.length} pages (noise ${config.render.noise}, ${config.render.layout}, ${manifest.width} x ${manifest.height} px, seed ${config.seed.data}) written to ${outDir}`);
    return 0;
  },
};

/** --n when given; else data.records when the command line sets it; else 10 synthetic records, or every record of a folder (0). */
function recordCount(parsed: ParsedArgs, data: DataConfig): number {
  if (parsed.options.has('n')) return intOption(parsed, 'n', SYNTHETIC_PAGES);
  if (parsed.positionals.some((p) => p.startsWith('data.records='))) return data.records;
  return data.source === 'synthetic' ? SYNTHETIC_PAGES : 0;
}

/** How many records the folder source holds, without reading their signals. */
function folderRecords(data: DataConfig): number {
  if (data.source === 'ptbxl') return ptbxlFiles({ ...data, plusPath: data.ptbxlPlusPath, limit: 0 }).filter((f) => f.endsWith('.hea')).length;
  return findHeaders(data.path).length;
}
