/**
 * `ecg-lab generate signals --n N --out DIR [key=value ...]`: write N
 * records (synthetic by default) as WFDB with `# Labels:` lines.
 */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { intOption, parseArgs } from '../args.js';
import { generateConfig } from '../generate-config.js';
import { generateSignalsToFolder } from '../../data/generate-folder.js';
import type { EcgRecord } from '../../core/ecg.js';
import { dataMessages } from '../../core/messages.js';

export const generateSignalsCommand: Command = {
  name: 'generate signals',
  summary: 'write synthetic (or loaded) 12-lead records as WFDB files with # Labels: lines',
  usage: `ecg-lab generate signals --n N --out DIR [key=value ...]

  --n N       number of records (default 10)
  --out DIR   output folder (created if missing)
  key=value   config overrides of the data group and the seed, e.g.
              seed=3 data.fsHz=500 data.synthetic.muscleNoiseMv=0.02
              data=ptbxl data.path=/data/ptb-xl (convert instead of generate)`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['n', 'out'] });
    const out = parsed.options.get('out');
    if (parsed.flags.has('help') || out === undefined) {
      io.out(this.usage);
      return parsed.flags.has('help') ? 0 : 2;
    }
    const n = intOption(parsed, 'n', 10);
    const config = generateConfig('generate signals', parsed.positionals, ['data'], io.cwd);
    const outDir = resolve(io.cwd, out);
    let withoutClass = 0;
    const onRecord = (record: EcgRecord): void => {
      if (record.labels.length === 0) withoutClass++;
    };
    const names = await generateSignalsToFolder(config, n, outDir, { logger: io.logger, progress: io.progress, onRecord });
    io.out(`${names.length} records (${config.data.source}, ${config.data.fsHz} Hz, seed ${config.seed.data}) written to ${outDir}`);
    if (withoutClass > 0) io.out(dataMessages.recordsWithoutClass(withoutClass, names.length));
    return 0;
  },
};
