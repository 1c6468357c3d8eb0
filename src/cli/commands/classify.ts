/**
 * `ecg-lab classify <image...> --model <run>`: the challenge's 11 labels of
 * each image with their probabilities and the cell's thresholds (chosen on
 * its validation split), with the hierarchical model when the cell trained
 * one (model.hierarchy = true), else classifier2d alone.
 */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { intOption, parseArgs } from '../args.js';
import { loadCellBackend } from '../backend.js';
import { runsDirFor, shownPath } from '../paths.js';
import { formatTable } from '../table.js';
import { BACKEND_NAMES } from '../../backend/names.js';
import { CHALLENGE_CLASSES } from '../../core/ecg.js';
import { EcgError } from '../../core/errors.js';
import { DEFAULT_MAX_INPUT_PIXELS } from '../../render/image-file.js';
import { inferMessages as msg } from '../../core/messages.js';
import { loadTrainedCell, readCellConfig, resolveCellRef } from '../../inference/load-cell.js';
import { inferImages } from '../../inference/infer-batch.js';
import type { Classification } from '../../inference/infer-image.js';

function classificationTable(c: Classification): string {
  const rows = CHALLENGE_CLASSES.map((cls) => [cls, c.probabilities[cls].toFixed(3), c.thresholds[cls].toFixed(3), c.labels.includes(cls) ? 'yes' : '']);
  return formatTable(['class', 'probability', 'threshold', 'label'], rows);
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'classify ECG images (PNG/JPEG) with a trained cell: the 11 challenge labels with probabilities',
  usage: `ecg-lab classify <image...> --model <run> [options]

  <image...>          PNG or JPEG files: rendered pages or your own scans or photos of a
                      whole page (any size; stretched to the page size the cell trained on)
  --model <run>       a trained cell: <experiment>/<sweepId>/<cellId>, <sweepId>/<cellId>,
                      a unique prefix of one, or a cell folder (see: ecg-lab runs)
  --json              print the results as JSON
  --runs <dir>        the run store (default: ECG_LAB_RUNS or ./runs)
  --backend <name>    ${BACKEND_NAMES.join(' | ')} (default: the cell's backend)
  --max-pixels <n>    decode images of up to n pixels (default ${DEFAULT_MAX_INPUT_PIXELS}, sharp's
                      limit; raise it for a large scan you trust)

  A class is a label when its probability is >= the cell's threshold for it.
  Exit code 1 when any image failed; the others are still classified.`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['model', 'runs', 'backend', 'max-pixels'], flags: ['json'] });
    const ref = parsed.options.get('model');
    if (parsed.positionals.length === 0) throw new EcgError('USAGE', msg.noImages());
    if (ref === undefined) throw new EcgError('USAGE', msg.modelOptionMissing());

    const cellRef = await resolveCellRef(ref, runsDirFor(parsed.options.get('runs'), io.env, io.cwd), io.cwd);
    await loadCellBackend(parsed.options.get('backend'), await readCellConfig(cellRef), io);
    const cell = await loadTrainedCell(cellRef, { digitize: false, classify: true, logger: io.logger });
    const images = parsed.positionals.map((p) => resolve(io.cwd, p));
    try {
      const kind = cell.classification?.kind === 'hierarchical' ? 'hierarchical model' : 'image classifier alone';
      io.logger.info(`classify: ${images.length} image(s) with ${cell.cell.label} (${kind})`);
      const outcomes = await inferImages(cell, images, { maxPixels: intOption(parsed, 'max-pixels', DEFAULT_MAX_INPUT_PIXELS), logger: io.logger, progress: io.progress, label: 'classify' }, async () => null);
      if (parsed.flags.has('json')) {
        io.out(
          JSON.stringify(
            outcomes.map((o) => {
              if (!o.ok) return { image: o.image, ok: false, code: o.code, error: o.message };
              const c = o.result.classification as Classification;
              return { image: o.image, ok: true, model: c.model, labels: c.labels, probabilities: c.probabilities, thresholds: c.thresholds };
            }),
            null,
            2,
          ),
        );
      } else {
        const blocks = outcomes.map((o) => {
          const name = shownPath(o.image, io.cwd);
          if (!o.ok) return `${name}: failed (${o.code})`;
          const c = o.result.classification as Classification;
          return `${name}: ${c.labels.length > 0 ? c.labels.join(', ') : '(no label above its threshold)'}\n${classificationTable(c)}`;
        });
        io.out(blocks.join('\n\n'));
      }
      const failed = outcomes.filter((o) => !o.ok).length;
      if (failed > 0) io.logger.warn(msg.someFailed(failed, outcomes.length));
      return failed > 0 ? 1 : 0;
    } finally {
      cell.dispose();
    }
  },
};
