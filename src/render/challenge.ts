/**
 * The PhysioNet Challenge 2024 arrangement, so that other tools can read an
 * ecg-lab data set: per record `<name>.hea` + `<name>.dat` (WFDB, with
 * `# Labels:`) and the page image `<name>-0.png` (or `.jpg`, as the page was
 * encoded), named in the header by a `# Image: <name>-0.png` line. The one
 * writer of that arrangement: `generate images --challenge` writes rendered
 * records with writeChallengeRecord, `digitize` its digitized records with
 * writeChallengeFiles (inference/write-record.ts).
 */
import { join } from 'node:path';
import type { EcgRecord } from '../core/ecg.js';
import { writeFileAtomic } from '../core/fs.js';
import { ecgRecordToWfdb } from '../data/wfdb-ecg.js';
import { writeWfdbRecord, type WfdbWriteInput, type WfdbWriteOptions } from '../data/wfdb.js';
import type { RenderedPage } from './render-page.js';
import { IMAGE_EXTENSIONS, imageFormatOf, type ImageFormat } from './image-file.js';

export function challengeImageName(record: string, index = 0, format: ImageFormat = 'png'): string {
  return `${record}-${index}${IMAGE_EXTENSIONS[format]}`;
}

/** Write a WFDB record and its page image (PNG or JPEG bytes) challenge-style into `dir` (replacing an earlier one); returns the header path. */
export async function writeChallengeFiles(dir: string, record: WfdbWriteInput, image: Uint8Array, options?: WfdbWriteOptions): Promise<string> {
  const imageName = challengeImageName(record.name, 0, imageFormatOf(image));
  await writeFileAtomic(join(dir, imageName), image);
  return writeWfdbRecord(dir, { ...record, comments: [...(record.comments ?? []), `Image: ${imageName}`] }, options);
}

/** Write one record and its rendered page challenge-style into `dir`; returns the header path. */
export async function writeChallengeRecord(dir: string, record: EcgRecord, page: Pick<RenderedPage, 'image'>): Promise<string> {
  return writeChallengeFiles(dir, ecgRecordToWfdb(record), page.image);
}
