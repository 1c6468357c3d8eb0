/**
 * A digitized image as a record in the PhysioNet Challenge 2024 arrangement
 * written by render/challenge.ts as for a rendered one: `<name>.hea` + `<name>.dat`
 * (WFDB format 16, 1000 ADC units per mV, the 12 leads in LEADS order),
 * the image copied beside it as `<name>-0.png` (or `.jpg`), named in the
 * header by `# Image: <name>-0.png`, and `# Labels: ...` when classified.
 *
 * Samples the page does not show are 0, not WFDB's invalid value: the
 * challenge's own signals fill unplotted time with 0, and its scorer
 * leaves out the samples its reference marks as not plotted, so 0 there
 * costs nothing and keeps every reader happy.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import sharp from 'sharp';
import { LEADS } from '../core/ecg.js';
import { labelsComment } from '../data/wfdb-ecg.js';
import { writeChallengeFiles } from '../render/challenge.js';
import { imageFormatOf } from '../render/image-file.js';
import type { InferenceResult } from './infer-image.js';

/** Format 16 at 1000 units per mV holds +-32.767 mV. */
const LIMIT_MV = 32.767;

/** A record name from an image file name: its stem, with what WFDB names cannot hold replaced by `_`. */
export function recordNameOf(imagePath: string): string {
  const stem = basename(imagePath, extname(imagePath)).replace(/-0$/, '');
  const name = stem.replace(/[^A-Za-z0-9_-]/g, '_');
  return name === '' ? 'record' : name;
}

function storable(signal: Float32Array): Float32Array {
  return signal.map((v) => (Number.isFinite(v) ? Math.max(-LIMIT_MV, Math.min(LIMIT_MV, v)) : 0));
}

/** The image bytes as PNG or JPEG (other formats sharp reads are re-encoded as PNG). */
async function imageBytes(path: string): Promise<Buffer> {
  const bytes = await readFile(path);
  const isPng = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  if (isPng || imageFormatOf(bytes) === 'jpeg') return bytes;
  return sharp(bytes).png().toBuffer();
}

/**
 * Record names for many images: each image's stem, made unique in order
 * (`page`, `page_2`, ...) when two images share one.
 */
export function uniqueRecordNames(imagePaths: readonly string[]): string[] {
  const used = new Set<string>();
  return imagePaths.map((path) => {
    const stem = recordNameOf(path);
    let name = stem;
    for (let k = 2; used.has(name); k++) name = `${stem}_${k}`;
    used.add(name);
    return name;
  });
}

/** Write one digitized image into `dir` as record `name` (replacing an earlier one); returns the header path. */
export async function writeDigitizedRecord(dir: string, name: string, result: InferenceResult): Promise<string> {
  if (!result.signals) throw new TypeError('writeDigitizedRecord needs a digitized result');
  const bytes = await imageBytes(result.image);
  const comments = result.classification ? [labelsComment(result.classification.labels)] : [];
  return writeChallengeFiles(dir, { name, fsHz: result.fsHz, signals: result.signals.map(storable), leads: LEADS, comments }, bytes, { format: 16 });
}
