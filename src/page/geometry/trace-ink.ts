/**
 * Which pixels of a rectified page are trace: the ink channel
 * (page-channels.ts) below TRACE_FRACTION of the local paper level. The
 * paper level is the PAPER_QUANTILE of its block (PAPER_BLOCK_MM square),
 * (to 1/64) bilinear between block centres, so uneven light and a darker photo do
 * not turn paper into ink. Blocks darker than MIN_PAPER are not paper (the
 * desk around a photographed page) and hold no trace; nor do isolated
 * pixels (withoutSpeckles), solid dark areas (withoutSolidAreas), where a block mixes paper and desk, nor long
 * ruled lines (withoutRuledLines). TRACE_FRACTION is lenient because a thin
 * trace at 100 DPI is an anti-aliased grey; the coloured grids never reach
 * it in the ink channel, grey grid lines are taken out as lines.
 */
import type { GreyImage } from '../grey-image.js';

export interface TraceMask {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const PAPER_BLOCK_MM = 8;
const PAPER_QUANTILE = 0.8;
const TRACE_FRACTION = 0.8;
/**
 * Where the grid shows in the ink channel (a grey grid: grid-period.ts
 * gridInInk), noise breaks its lines into pieces shorter than a ruled line
 * that would pass for trace: the threshold is STRICT_TRACE_FRACTION, below
 * any grid line, at the cost of a thin trace's faint rim.
 */
const STRICT_TRACE_FRACTION = 0.62;
/** Darker than this (of the paper level) is trace even on a ruled line: no grid line is (page-channels.ts). */
const SURE_TRACE_FRACTION = 0.5;
const SURE = 2;
const LEVELS = 64;
const SOLID_MM = 2;
const SOLID_FRACTION = 0.6;
/** Runs of dark pixels longer than these (mm) along a row or a column are ruled lines (a grey grid), not trace. */
const LINE_MM_X = 15;
const LINE_MM_Y = 20;
/** Gaps bridged within a ruled line (mm): a faint grey line shows as dots where the minor lines cross it. */
const RUN_GAP_MM = 1.2;
const FRAME_SHARE = 0.5;
const SPECKLE_PX_PER_MM = 6;
const MIN_PAPER = 0.45;

function paperLevels(ink: GreyImage, block: number): { levels: Float32Array; cols: number; rows: number } {
  const cols = Math.ceil(ink.width / block);
  const rows = Math.ceil(ink.height / block);
  const levels = new Float32Array(cols * rows);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const histogram = new Uint32Array(LEVELS);
      let count = 0;
      for (let y = by * block; y < Math.min(ink.height, (by + 1) * block); y++) {
        for (let x = bx * block; x < Math.min(ink.width, (bx + 1) * block); x++, count++) {
          histogram[Math.min(LEVELS - 1, Math.floor((ink.data[y * ink.width + x] as number) * LEVELS))]! += 1;
        }
      }
      let level = 0;
      for (let seen = 0; level < LEVELS - 1; level++) {
        seen += histogram[level] as number;
        if (seen >= PAPER_QUANTILE * count) break;
      }
      levels[by * cols + bx] = (level + 0.5) / LEVELS;
    }
  }
  return { levels, cols, rows };
}

/** The trace pixels of a rectified page's ink channel, `pxPerMm` setting the paper blocks' size; `gridInInk` (grid-period.ts) picks the threshold. */
export function traceMask(ink: GreyImage, pxPerMm: number, gridInInk: boolean): TraceMask {
  const mask = thresholded(ink, pxPerMm, gridInInk ? STRICT_TRACE_FRACTION : TRACE_FRACTION);
  return withoutRuledLines(mask, Math.round(LINE_MM_X * pxPerMm), Math.round(LINE_MM_Y * pxPerMm), Math.max(2, Math.round(RUN_GAP_MM * pxPerMm)));
}

/** Pixels below `fraction` of the local paper level (SURE below SURE_TRACE_FRACTION), solid areas cleared. */
function thresholded(ink: GreyImage, pxPerMm: number, fraction: number): TraceMask {
  const block = Math.max(8, Math.round(PAPER_BLOCK_MM * pxPerMm));
  const { levels, cols, rows } = paperLevels(ink, block);
  const level = (bx: number, by: number) => levels[Math.min(rows - 1, Math.max(0, by)) * cols + Math.min(cols - 1, Math.max(0, bx))] as number;
  const out = new Uint8Array(ink.width * ink.height);
  for (let y = 0; y < ink.height; y++) {
    const fy = (y + 0.5) / block - 0.5;
    const by = Math.floor(fy);
    const ty = fy - by;
    for (let x = 0; x < ink.width; x++) {
      const fx = (x + 0.5) / block - 0.5;
      const bx = Math.floor(fx);
      const tx = fx - bx;
      const paper = (level(bx, by) * (1 - tx) + level(bx + 1, by) * tx) * (1 - ty) + (level(bx, by + 1) * (1 - tx) + level(bx + 1, by + 1) * tx) * ty;
      const v = ink.data[y * ink.width + x] as number;
      if (paper >= MIN_PAPER && v < fraction * paper) out[y * ink.width + x] = v < SURE_TRACE_FRACTION * paper ? SURE : 1;
    }
  }
  return withoutSpeckles(withoutSolidAreas({ data: out, width: ink.width, height: ink.height }, Math.max(3, Math.round(SOLID_MM * pxPerMm))), pxPerMm >= SPECKLE_PX_PER_MM ? 2 : 1);
}

/**
 * The mask less pixels with fewer than `minNeighbours` set neighbours (of
 * eight): a trace is a connected line, sensor noise below the threshold is
 * scattered pixels (ecg-image-kit's noise of sd 40 grey levels puts one
 * pixel in a hundred below it). Two neighbours from SPECKLE_PX_PER_MM up,
 * where a trace is a few pixels wide; one below, where a thin trace's
 * anti-aliased pixels already come with gaps.
 */
function withoutSpeckles(mask: TraceMask, minNeighbours: number): TraceMask {
  const { width, height, data } = mask;
  const out = new Uint8Array(data);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!data[y * width + x]) continue;
      let neighbours = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const u = x + dx;
          const v = y + dy;
          if ((dx || dy) && u >= 0 && v >= 0 && u < width && v < height && data[v * width + u]) neighbours++;
        }
      }
      if (neighbours < minNeighbours) out[y * width + x] = 0;
    }
  }
  return { data: out, width, height };
}

/**
 * Clear every run of at least `length` pixels set in line a or its neighbour
 * b (a line anti-aliased over two pixel rows), gaps of up to `gap` pixels
 * bridged, along `count` pixels `stride` apart; both lines are cleared but
 * for their sure trace pixels (a trace's flat stretch lying on a grid line),
 * and those too where the run spans FRAME_SHARE of the line (a page frame).
 */
function clearLongRuns(data: Uint8Array, out: Uint8Array, a: number, b: number, stride: number, count: number, length: number, gap: number): void {
  let runStart = -1;
  let last = -gap - 2;
  const close = () => {
    if (runStart < 0 || last - runStart + 1 < length) return;
    // No trace runs straight over half the page: a frame or a dark ruled line goes whole.
    const keep = last - runStart + 1 < FRAME_SHARE * count ? SURE : -1;
    for (let i = runStart; i <= last; i++) {
      if (out[a + i * stride] !== keep) out[a + i * stride] = 0;
      if (out[b + i * stride] !== keep) out[b + i * stride] = 0;
    }
  };
  for (let i = 0; i < count; i++) {
    if (!data[a + i * stride] && !data[b + i * stride]) continue;
    if (i - last > gap + 1) {
      close();
      runStart = i;
    }
    last = i;
  }
  close();
}

/**
 * The mask less long straight runs along rows and columns: the lines of a
 * grey grid, which are as dark as a thin trace but run the page's length
 * (rectified, a line stays in one pixel row for over 100 mm at 0.1 degree
 * left). A trace's flat stretches and QRS strokes are shorter.
 */
function withoutRuledLines(mask: TraceMask, rowRunPx: number, columnRunPx: number, gap: number): TraceMask {
  const { width, height, data } = mask;
  const out = new Uint8Array(data);
  for (let y = 0; y + 1 < height; y++) clearLongRuns(data, out, y * width, (y + 1) * width, 1, width, rowRunPx, gap);
  for (let x = 0; x + 1 < width; x++) clearLongRuns(data, out, x, x + 1, width, height, columnRunPx, gap);
  for (let i = 0; i < out.length; i++) if (out[i]) out[i] = 1;
  return { data: out, width, height };
}

/**
 * The mask less pixels whose side x side neighbourhood is more than
 * SOLID_FRACTION dark: a trace is a line at most 0.5 mm thick, the desk
 * around a photographed page (and a stain's core) is an area.
 */
function withoutSolidAreas(mask: TraceMask, side: number): TraceMask {
  const { width, height, data } = mask;
  const w1 = width + 1;
  const integral = new Uint32Array(w1 * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += data[y * width + x] ? 1 : 0;
      integral[(y + 1) * w1 + x + 1] = (integral[y * w1 + x + 1] as number) + row;
    }
  }
  const half = Math.floor(side / 2);
  const out = new Uint8Array(data);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - half);
    const y1 = Math.min(height, y + half + 1);
    for (let x = 0; x < width; x++) {
      if (!data[y * width + x]) continue;
      const x0 = Math.max(0, x - half);
      const x1 = Math.min(width, x + half + 1);
      const dark = (integral[y1 * w1 + x1] as number) - (integral[y0 * w1 + x1] as number) - (integral[y1 * w1 + x0] as number) + (integral[y0 * w1 + x0] as number);
      if (dark > SOLID_FRACTION * (x1 - x0) * (y1 - y0)) out[y * width + x] = 0;
    }
  }
  return { data: out, width, height };
}
