/**
 * A stage's lead-crop pixels on disk instead of in memory: float32 crops
 * appended to one file as they are cut, read back by offset when a batch
 * needs them. The denoise and digitizer stages cut every page's crops once
 * (about 0.8 MB a page at 100 DPI with one column per sample, twice that
 * with clean twins); held in memory that grows with the data set (17 GB for
 * PTB-XL), on disk a step reads only its batch and the OS page cache keeps
 * what fits. The file lives in a scratch folder beside the stage's output
 * (never part of the cache entry) and is removed when the stage ends.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FloatRange } from '../batch-reads.js';

const BYTES = Float32Array.BYTES_PER_ELEMENT;

export class CropFile {
  private bytesWritten = 0;

  private constructor(
    private readonly dir: string,
    /** The file, for readers elsewhere (train/batch-reads.ts: batches gathered off the training thread). */
    readonly path: string,
    private readonly fd: number,
  ) {}

  /** A new, empty crop file in a scratch folder whose name starts with `prefix` (a path). */
  static create(prefix: string): CropFile {
    const dir = mkdtempSync(prefix);
    const path = join(dir, 'crops.f32');
    return new CropFile(dir, path, openSync(path, 'w+'));
  }

  /** `length` floats from `offset` as a range of this file (train/batch-reads.ts). */
  range(offset: number, length: number): FloatRange {
    return { file: this.path, offset, length };
  }

  /** Append one crop; its offset (in floats) for read() and overwrite(). */
  append(pixels: Float32Array): number {
    const offset = this.bytesWritten / BYTES;
    this.writeAt(pixels, this.bytesWritten);
    this.bytesWritten += pixels.byteLength;
    return offset;
  }

  /** `length` floats from `offset`. */
  read(offset: number, length: number): Float32Array {
    const out = new Float32Array(length);
    const bytes = new Uint8Array(out.buffer);
    let done = 0;
    while (done < bytes.byteLength) {
      const n = readSync(this.fd, bytes, done, bytes.byteLength - done, offset * BYTES + done);
      if (n === 0) throw new RangeError(`crop file: ${length} floats at ${offset} run past its end (${this.bytesWritten / BYTES})`);
      done += n;
    }
    return out;
  }

  /** Replace a crop in place (same length), e.g. by its denoised version. */
  overwrite(offset: number, pixels: Float32Array): void {
    this.writeAt(pixels, offset * BYTES);
  }

  /** Close and delete the file and its folder. */
  remove(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeAt(pixels: Float32Array, position: number): void {
    const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, position + done);
  }
}
