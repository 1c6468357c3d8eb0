import type { Command } from '../command.js';
import { generateSignalsCommand } from './generate-signals.js';
import { generateImagesCommand } from './generate-images.js';

const KINDS: Readonly<Record<string, Command>> = { signals: generateSignalsCommand, images: generateImagesCommand };

/** `ecg-lab generate signals|images ...`: data sets for other tools, outside a run. */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'write data sets outside a run: generate signals (WFDB) or generate images (pages + ground truth)',
  usage: `ecg-lab generate <kind> [options]

  kinds: ${Object.keys(KINDS).join(', ')}   (ecg-lab generate <kind> --help)`,
  async run(args, io) {
    const [kind, ...rest] = args;
    const command = kind ? KINDS[kind] : undefined;
    if (!command) {
      io.out(this.usage);
      return 2;
    }
    return command.run(rest, io);
  },
};
