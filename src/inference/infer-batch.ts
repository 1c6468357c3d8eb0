/**
 * Many images through one loaded cell: each image on its own, so that one
 * unreadable image (IMAGE_INVALID) is reported with its file and the others
 * are still processed. The caller decides what a failure means (the CLI
 * exits 1 at the end).
 */
import { EcgError, errorMessage, isEcgError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { inferMessages as msg } from '../core/messages.js';
import type { Progress } from '../core/progress.js';
import type { TrainedCell } from './load-cell.js';
import { inferImage, type InferenceOptions, type InferenceResult } from './infer-image.js';

export type ImageOutcome<T> =
  | { readonly image: string; readonly ok: true; readonly result: InferenceResult; readonly output: T }
  | { readonly image: string; readonly ok: false; readonly code: ErrorCode | 'UNEXPECTED'; readonly message: string };

export interface BatchOptions extends InferenceOptions {
  readonly progress: Progress;
  readonly label: string;
  readonly logger: Logger;
}

/** Infer every image, then `write` its result (e.g. a WFDB record); failures of either are the image's. */
export async function inferImages<T>(
  cell: TrainedCell,
  images: readonly string[],
  options: BatchOptions,
  write: (result: InferenceResult, index: number) => Promise<T>,
): Promise<ImageOutcome<T>[]> {
  const outcomes: ImageOutcome<T>[] = [];
  options.progress.start(options.label, images.length);
  try {
    for (const [index, image] of images.entries()) {
      try {
        const result = await inferImage(cell, image, options);
        outcomes.push({ image, ok: true, result, output: await write(result, index) });
      } catch (error) {
        // A corrupt checkpoint is the model's fault, not the image's: every other image would fail the same way.
        if (isEcgError(error, 'CHECKPOINT_CORRUPT')) throw error;
        const code = error instanceof EcgError ? error.code : 'UNEXPECTED';
        const message = errorMessage(error);
        options.logger.warn(msg.imageFailed(image, code, message));
        outcomes.push({ image, ok: false, code, message });
      }
      options.progress.tick(1);
    }
  } finally {
    options.progress.stop();
  }
  return outcomes;
}
