/**
 * Large byte buffers handed from one user to the next. The renderer's pages,
 * trace coverages and warped copies are megabytes each (11 MB for RGB at 200
 * DPI letter), and every new ArrayBuffer counts towards V8's external
 * memory: a noisy page allocated about 55 MB of them and so paid for more
 * than one full mark-compact of the whole heap per page, against one per
 * seven clean pages. render/render-page.ts hands a page's buffers back here
 * when its encodings have settled, and the next page takes them instead of
 * allocating.
 *
 * A taken buffer holds whatever its last user left: callers that need zeros
 * clear it (takeZeroedBytes). A buffer is handed back only by the one code
 * path that owns it, after its last read; at most MAX_HELD_BYTES are kept.
 */

/** Enough for the buffers of two pages in flight at 200 DPI letter (render/pages.ts renders two at once). */
const MAX_HELD_BYTES = 128 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
let heldBytes = 0;

/** A buffer of exactly `byteLength` bytes, recycled when one is free; its contents are undefined. */
export function takeBuffer(byteLength: number): ArrayBuffer {
  const recycled = free.get(byteLength)?.pop();
  if (!recycled) return new ArrayBuffer(byteLength);
  heldBytes -= byteLength;
  return recycled;
}

export function takeZeroedBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(takeBuffer(length));
  bytes.fill(0);
  return bytes;
}

/**
 * Hand back the buffers under `views` for later pages: the caller must not
 * read or write them afterwards. Views onto part of a buffer (a pooled
 * Node.js Buffer, say) and buffers seen twice are left alone.
 */
export function recycleBuffers(views: readonly ArrayBufferView[]): void {
  const seen = new Set<ArrayBufferLike>();
  for (const view of views) {
    const buffer = view.buffer;
    if (seen.has(buffer)) continue;
    seen.add(buffer);
    if (!(buffer instanceof ArrayBuffer) || view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) continue;
    if (heldBytes + buffer.byteLength > MAX_HELD_BYTES) continue;
    const list = free.get(buffer.byteLength) ?? [];
    if (list.includes(buffer)) continue;
    list.push(buffer);
    free.set(buffer.byteLength, list);
    heldBytes += buffer.byteLength;
  }
}
