/**
 * A training batch as reads from the stages' float32 files (crop files,
 * page files: train/stages/crop-file.ts): each tensor of the batch is the
 * concatenation of some ranges of some files. Described so, a batch can be
 * gathered away from the training thread, where the native backend's step
 * runs synchronously and would otherwise wait for it (issue 21):
 *
 *   thread-pool  fs reads on libuv's thread pool, each range read straight
 *                into its place in the batch's array;
 *   worker       one worker thread doing the same with blocking reads, the
 *                arrays handed back without a copy (transferred).
 *
 * Either returns exactly the bytes of the files, so a batch is the same
 * whoever gathered it (bench/data-wait.ts measures which is faster here).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** `length` float32 values of `file` from `offset` (in values, not bytes). */
export interface FloatRange {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

/** Per tensor name, the ranges its data is concatenated from. */
export type BatchReads = Readonly<Record<string, readonly FloatRange[]>>;

/** Per tensor name, its data. */
export type BatchData = Readonly<Record<string, Float32Array>>;

export type BatchReaderKind = 'thread-pool' | 'worker';

export interface BatchReader {
  read(reads: BatchReads): Promise<BatchData>;
  close(): Promise<void>;
}

const BYTES = Float32Array.BYTES_PER_ELEMENT;

const totalLength = (ranges: readonly FloatRange[]) => ranges.reduce((n, r) => n + r.length, 0);

function threadPoolReader(): BatchReader {
  const handles = new Map<string, Promise<FileHandle>>();
  const handle = (file: string) => {
    let h = handles.get(file);
    if (!h) {
      h = open(file, 'r');
      handles.set(file, h);
    }
    return h;
  };
  const readRange = async (range: FloatRange, into: Uint8Array, at: number) => {
    const fh = await handle(range.file);
    const bytes = range.length * BYTES;
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await fh.read(into, at + done, bytes - done, range.offset * BYTES + done);
      if (bytesRead === 0) throw new RangeError(`${range.file}: ${range.length} floats at ${range.offset} run past its end`);
      done += bytesRead;
    }
  };
  return {
    async read(reads) {
      const out: Record<string, Float32Array> = {};
      const pending: Promise<void>[] = [];
      for (const [name, ranges] of Object.entries(reads)) {
        const data = new Float32Array(totalLength(ranges));
        const bytes = new Uint8Array(data.buffer);
        let at = 0;
        for (const range of ranges) {
          pending.push(readRange(range, bytes, at));
          at += range.length * BYTES;
        }
        out[name] = data;
      }
      await Promise.all(pending);
      return out;
    },
    async close() {
      const opened = [...handles.values()];
      handles.clear();
      await Promise.all(opened.map(async (h) => (await h).close()));
    },
  };
}

/**
 * The worker's code (plain JavaScript, run with `eval`, so it needs no build
 * step of its own). Asked to close, it closes its files and says so; the
 * reader then terminates it (Deno's node:worker_threads has no
 * parentPort.close() for it to end itself with).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const fds = new Map();
const fdOf = (file) => { let fd = fds.get(file); if (fd === undefined) { fd = fs.openSync(file, 'r'); fds.set(file, fd); } return fd; };
parentPort.on('message', (message) => {
  if (message.close) { for (const fd of fds.values()) fs.closeSync(fd); fds.clear(); parentPort.postMessage({ closed: true }); return; }
  try {
    const out = {};
    const buffers = [];
    for (const [name, ranges] of Object.entries(message.reads)) {
      const data = new Float32Array(ranges.reduce((n, r) => n + r.length, 0));
      const bytes = new Uint8Array(data.buffer);
      let at = 0;
      for (const r of ranges) {
        const want = r.length * 4;
        let done = 0;
        while (done < want) {
          const n = fs.readSync(fdOf(r.file), bytes, at + done, want - done, r.offset * 4 + done);
          if (n === 0) throw new RangeError(r.file + ': ' + r.length + ' floats at ' + r.offset + ' run past its end');
          done += n;
        }
        at += want;
      }
      out[name] = data;
      buffers.push(data.buffer);
    }
    parentPort.postMessage({ id: message.id, data: out }, buffers);
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String(error && error.message || error) });
  }
});
`;

function workerReader(): BatchReader {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const waiting = new Map<number, { resolve: (data: BatchData) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failed: Error | undefined;
  let filesClosed: (() => void) | undefined;
  worker.on('message', (message: { id: number; data?: BatchData; error?: string; closed?: true }) => {
    if (message.closed) return filesClosed?.();
    const entry = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined || !message.data) entry?.reject(new RangeError(message.error ?? 'no data'));
    else entry?.resolve(message.data);
  });
  worker.on('error', (error) => {
    failed = error;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  });
  return {
    read(reads) {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, reads });
      });
    },
    async close() {
      if (failed) return;
      const closed = new Promise<void>((resolve) => (filesClosed = resolve));
      worker.postMessage({ close: true });
      await closed;
      await worker.terminate();
    },
  };
}

export function createBatchReader(kind: BatchReaderKind): BatchReader {
  return kind === 'worker' ? workerReader() : threadPoolReader();
}
