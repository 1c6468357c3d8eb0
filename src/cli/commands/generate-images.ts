/**
 * `ecg-lab generate images --n N --out DIR [key=value ...]`: render N records
 * (synthetic by default, or loaded per data.*) as pages with clean twins,
 * trace masks, ground truth and a manifest; `--challenge` also writes the
 * PhysioNet Challenge 2024 arrangement (.hea/.dat + image named in the header).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { intOption, parseArgs } from '../args.js';
import { generateConfig } from '../generate-config.js';
import { loadRecords } from '../../data/load-records.js';
import { renderPagesToDir, writeChallengeRecord } from '../../render/index.js';

export const generateImagesCommand: Command = {
  name: 'generate images',
  summary: 'render ECG paper images with ground truth (boxes, sample pixels, masks, clean twins)',
  usage: `ecg-lab generate images --n N --out DIR [--challenge] [key=value ...]

  --n N         number of pages (default 10)
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
    const n = intOption(parsed, 'n', 10);
    const config = generateConfig('generate images', parsed.positionals, ['data', 'render'], io.cwd, { 'data.records': n });
    const outDir = resolve(io.cwd, out);
    const loaded = await loadRecords(config.data, config.seed, { logger: io.logger });
    const records = loaded.records.slice(0, n);
    const manifest = await renderPagesToDir(outDir, records.map((record) => ({ split: 'train' as const, record })), config.render, {
      seed: config.seed,
      progress: io.progress,
      logger: io.logger,
    });
    if (parsed.flags.has('challenge')) {
      for (const [i, record] of records.entries()) {
        const entry = manifest.pages[i];
        if (entry) await writeChallengeRecord(join(outDir, 'challenge'), record, { image: await readFile(join(outDir, entry.image)) });
      }
    }
    io.out(`${manifest.pages.length} pages (noise ${config.render.noise}, ${config.render.layout}, ${manifest.width} x ${manifest.height} px, seed ${config.seed}) written to ${outDir}`);
    return 0;
  },
};
