/**
 * The PhysioNet Challenge 2024 arrangement, so that other tools can read an
 * ecg-lab data set: per record `<name>.hea` + `<name>.dat` (WFDB, with
 * `# Labels:`) and the page image `<name>-0.png` (or `.jpg`, as the page was
 * encoded), named in the header by a `# Image: <name>-0.png` line.
 */
import { join } from 'node:path';
import type { EcgRecord } from '../core/ecg.js';
import { writeFileAtomic } from '../core/fs.js';
import { ecgRecordToWfdb } from '../data/wfdb-ecg.js';
import { writeWfdbRecord } from '../data/wfdb.js';
import type { RenderedPage } from './render-page.js';
import { IMAGE_EXTENSIONS, imageFormatOf, type ImageFormat } from './image-file.js';

export function challengeImageName(record: string, index = 0, format: ImageFormat = 'png'): string {
  return `${record}-${index}${IMAGE_EXTENSIONS[format]}`;
}

/** Write one record and its page (PNG or JPEG bytes) challenge-style into `dir`; returns the header path. */
export async function writeChallengeRecord(dir: string, record: EcgRecord, page: Pick<RenderedPage, 'image'>): Promise<string> {
  const image = challengeImageName(record.name, 0, imageFormatOf(page.image));
  const wfdb = ecgRecordToWfdb(record);
  await writeFileAtomic(join(dir, image), page.image);
  return writeWfdbRecord(dir, { ...wfdb, comments: [...(wfdb.comments ?? []), `Image: ${image}`] });
}
