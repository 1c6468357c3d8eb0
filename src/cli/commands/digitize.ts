/**
 * `ecg-lab digitize <image...> --model <run> --out <dir>`: the 12 leads of
 * each image (a rendered page or a user's scan or photo, PNG or JPEG, any
 * size) as WFDB records in the PhysioNet Challenge 2024 arrangement
 * (inference/write-record.ts); `--classify` also writes `# Labels:`.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { intOption, numberOption, parseArgs } from '../args.js';
import { loadCellBackend } from '../backend.js';
import { runsDirFor, shownPath } from '../paths.js';
import { formatTable } from '../table.js';
import { EcgError } from '../../core/errors.js';
import { DEFAULT_MAX_INPUT_PIXELS } from '../../render/image-file.js';
import { BACKEND_NAMES } from '../../backend/names.js';
import { cliMessages, inferMessages as msg } from '../../core/messages.js';
import { loadTrainedCell, readCellConfig, resolveCellRef } from '../../inference/load-cell.js';
import { BASELINE_METHODS, DEFAULT_FLATTEN_MM, RECTIFY_METHODS, TIME_AXES, type BaselineMethod, type RectifyMethod, type TimeAxis } from '../../inference/infer-image.js';
import { inferImages } from '../../inference/infer-batch.js';
import { uniqueRecordNames, writeDigitizedRecord } from '../../inference/write-record.js';

/**
 * `image`: both trained kit-pages cells read 1.9 to 8.7 dB more with it
 * than with the box edges or the page scale on ecg-image-kit's clean pages
 * and on 27 pages ecg-lab draws, and 0.4 to 2.4 dB more on the kit's
 * augmented pages (bench/foreign-pages.ts, issue 18); about 0.25 CPU-s a page.
 */
const DEFAULT_TIME_AXIS: TimeAxis = 'image';
/** Wider closings cost time (the filter is O(width) a pixel) and begin to take in whole QRS complexes. */
const MAX_FLATTEN_MM = 10;

export const digitizeCommand: Command = {
  name: 'digitize',
  summary: 'digitize ECG images (PNG/JPEG) with a trained cell into WFDB records (challenge arrangement)',
  usage: `ecg-lab digitize <image...> --model <run> --out <dir> [options]

  <image...>          PNG or JPEG files: rendered pages or your own scans or photos of a
                      whole page (any size; stretched to the page size the cell trained on)
  --model <run>       a trained cell: <experiment>/<sweepId>/<cellId>, <sweepId>/<cellId>,
                      a unique prefix of one, or a cell folder (see: ecg-lab runs)
  --out <dir>         where <name>.hea/.dat and <name>-0.png go (# Image: in the header)
  --classify          also classify and write # Labels: into each header
  --baseline <how>    0 mV row of each lead: median (of the traced rows, default) or
                      layout (where the cell's page layout puts it)
  --time-axis <how>   where each row's time axis comes from: image (default: each row's start
                      from its column bars, else its calibration pulse or ink, and its px per
                      second from the grid or the bars, found in the image, else from the ROI
                      boxes' edges fitted across the page; where the ROI
                      model misses the layout, the rows' bands and 0 mV lines from the image
                      too; what is not found is placed by the boxes, with a warning), boxes
                      (the ROI model's box edges), page-scale (the page's px per second at the
                      cell's paper speed and DPI, placed by the boxes: for whole-page scans;
                      not for zoomed or cropped photos) or grid (the same at the px per second
                      of the grid found in the image; the page's scale where none is found)
  --flatten-mm <mm>   divide the page by its paper's brightness, a closing over a square of
                      this half-width (default ${DEFAULT_FLATTEN_MM}; 0: off), before the leads are found and
                      read: the shadows of wrinkles, folds and uneven light off, traces kept
  --rectify <how>     what deskew undoes: perspective (rotation, shear and perspective, found
                      from the page's horizontal and vertical lines) or rotation (one angle);
                      default the cell's digitizer.rectify (rotation for a cell trained
                      before that setting)
  --json              print the results as JSON
  --runs <dir>        the run store (default: ECG_LAB_RUNS or ./runs)
  --backend <name>    ${BACKEND_NAMES.join(' | ')} (default: the cell's backend)
  --max-pixels <n>    decode images of up to n pixels (default ${DEFAULT_MAX_INPUT_PIXELS}, sharp's
                      limit; raise it for a large scan you trust)

  Samples the page does not show (a 3x4 page shows 2.5 s of most leads) are written as 0.
  Exit code 1 when any image failed; the others are still written.`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['model', 'out', 'baseline', 'time-axis', 'flatten-mm', 'rectify', 'runs', 'backend', 'max-pixels'], flags: ['classify', 'json'] });
    const ref = parsed.options.get('model');
    const out = parsed.options.get('out');
    if (parsed.positionals.length === 0) throw new EcgError('USAGE', msg.noImages());
    if (ref === undefined) throw new EcgError('USAGE', msg.modelOptionMissing());
    if (out === undefined) throw new EcgError('USAGE', msg.outOptionMissing());
    const baseline = (parsed.options.get('baseline') ?? 'median') as BaselineMethod;
    if (!BASELINE_METHODS.includes(baseline)) throw new EcgError('USAGE', cliMessages.optionNotOneOf('baseline', baseline, BASELINE_METHODS));
    const timeAxis = (parsed.options.get('time-axis') ?? DEFAULT_TIME_AXIS) as TimeAxis;
    if (!TIME_AXES.includes(timeAxis)) throw new EcgError('USAGE', cliMessages.optionNotOneOf('time-axis', timeAxis, TIME_AXES));
    const flattenMm = numberOption(parsed, 'flatten-mm', DEFAULT_FLATTEN_MM, 0, MAX_FLATTEN_MM);
    const rectify = parsed.options.get('rectify') as RectifyMethod | undefined;
    if (rectify !== undefined && !RECTIFY_METHODS.includes(rectify)) throw new EcgError('USAGE', cliMessages.optionNotOneOf('rectify', rectify, RECTIFY_METHODS));

    const cellRef = await resolveCellRef(ref, runsDirFor(parsed.options.get('runs'), io.env, io.cwd), io.cwd);
    await loadCellBackend(parsed.options.get('backend'), await readCellConfig(cellRef), io);
    const classify = parsed.flags.has('classify');
    const cell = await loadTrainedCell(cellRef, { digitize: true, classify, logger: io.logger });
    const outDir = resolve(io.cwd, out);
    await mkdir(outDir, { recursive: true });
    const images = parsed.positionals.map((p) => resolve(io.cwd, p));
    const names = uniqueRecordNames(images);
    try {
      io.logger.info(`digitize: ${images.length} image(s) with ${cell.cell.label} (${cell.roi ? 'ROI' : 'nominal'} boxes, ${cell.digitization?.denoiser ? 'denoised' : 'no denoiser'}, baseline ${baseline}, rectify ${rectify ?? cell.config.digitizer.rectify ?? 'rotation'}, time axis ${timeAxis}, ${flattenMm > 0 ? `paper flattened over ${flattenMm} mm` : 'paper as decoded'})`);
      const outcomes = await inferImages(cell, images, { baseline, timeAxis, flattenMm, ...(rectify ? { rectify } : {}), maxPixels: intOption(parsed, 'max-pixels', DEFAULT_MAX_INPUT_PIXELS), logger: io.logger, progress: io.progress, label: 'digitize' }, (result, i) =>
        writeDigitizedRecord(outDir, names[i] as string, result),
      );
      if (parsed.flags.has('json')) {
        io.out(
          JSON.stringify(
            outcomes.map((o) =>
              o.ok
                ? { image: o.image, ok: true, header: o.output, boxes: o.result.boxes, fsHz: o.result.fsHz, labels: o.result.classification?.labels ?? null }
                : { image: o.image, ok: false, code: o.code, error: o.message },
            ),
            null,
            2,
          ),
        );
      } else {
        const rows = outcomes.map((o) =>
          o.ok
            ? [shownPath(o.image, io.cwd), shownPath(o.output, io.cwd), o.result.boxes, classify ? (o.result.classification?.labels.join(', ') || '(none)') : '']
            : [shownPath(o.image, io.cwd), `failed: ${o.code}`, '', ''],
        );
        io.out(formatTable(['image', 'record', 'boxes', classify ? 'labels' : ''], rows));
      }
      const failed = outcomes.filter((o) => !o.ok).length;
      if (failed > 0) io.logger.warn(msg.someFailed(failed, outcomes.length));
      return failed > 0 ? 1 : 0;
    } finally {
      cell.dispose();
    }
  },
};
