/**
 * The 1 mV calibration pulse at one end of a trace row: two vertical
 * strokes PULSE_WIDTH_MM apart (0.2 s at 25 mm/s), each about 10 mm tall
 * (1 mV at 10 mm/mV), whose feet sit on the row's 0 mV line. ecg-lab draws
 * it before the traces (foot 1 mm, rise, 5 mm top, fall, foot 1 mm, then
 * the traces) or after them (1 mm gap first); ecg-image-kit before them.
 *
 * Search: in the first or last END_ZONE_MM of the row's ink, every column's
 * longest vertical run of trace pixels; a pair of columns PULSE_WIDTH_MM
 * apart (+-PAIR_TOLERANCE_MM) whose runs are 1 mV tall (within
 * HEIGHT_TOLERANCE of 10 mm on the grid's scale) and whose feet and tops
 * agree within FOOT_TOLERANCE_MM is the pulse. Its foot row is the row's
 * 0 mV line, its height the row's px per mV. A stroke drawn more than a
 * pixel wide qualifies in several neighbouring columns: its x is their
 * centre (strokeCentre), so that where the fall ends (the trace's start on
 * a page whose pulse abuts the trace) is known to a fraction of a pixel.
 */
import type { TraceMask } from './trace-ink.js';

export interface CalibrationPulse {
  /** x of the rising and the falling stroke's centre, rectified page px. */
  readonly riseX: number;
  readonly fallX: number;
  /** Row of the pulse's foot (0 mV) and of its top (1 mV). */
  readonly footY: number;
  readonly topY: number;
}

const PULSE_WIDTH_MM = 5;
const PULSE_HEIGHT_MM = 10;
const END_ZONE_MM = 25;
const PAIR_TOLERANCE_MM = 0.8;
const HEIGHT_TOLERANCE = 0.3;
const FOOT_TOLERANCE_MM = 1;
/** Gaps (px) bridged inside one stroke: a thin stroke anti-aliased to nothing for a pixel or two. */
const STROKE_GAP_PX = 2;

interface Stroke {
  readonly x: number;
  readonly top: number;
  readonly bottom: number;
}

/** The longest vertical run of trace pixels in column x between rows y0 and y1. */
function longestStroke(mask: TraceMask, x: number, y0: number, y1: number): Stroke {
  let best: Stroke = { x, top: 0, bottom: -1 };
  let start = -1;
  let last = -STROKE_GAP_PX - 2;
  for (let y = Math.max(0, y0); y <= Math.min(mask.height - 1, y1); y++) {
    if (!mask.data[y * mask.width + x]) continue;
    if (y - last > STROKE_GAP_PX + 1) start = y;
    last = y;
    if (last - start > best.bottom - best.top) best = { x, top: start, bottom: last };
  }
  return best;
}

/** Centre of the run of neighbouring qualifying columns that holds `stroke` (its run overlapping the stroke's rows). */
function strokeCentre(strokes: readonly Stroke[], stroke: Stroke): number {
  const byX = new Map(strokes.map((s) => [s.x, s]));
  const overlaps = (s: Stroke | undefined) => s !== undefined && s.top <= stroke.bottom && s.bottom >= stroke.top;
  let left = stroke.x;
  while (overlaps(byX.get(left - 1))) left--;
  let right = stroke.x;
  while (overlaps(byX.get(right + 1))) right++;
  return (left + right) / 2;
}

/**
 * The pulse of the row whose trace ink spans [x0, x1] around row y, at the
 * `side` end, or null. px per mm set the expected shape.
 */
export function findCalibrationPulse(
  mask: TraceMask,
  row: { readonly y: number; readonly x0: number; readonly x1: number },
  side: 'left' | 'right',
  pxPerMmX: number,
  pxPerMmY: number,
): CalibrationPulse | null {
  const zone = Math.round(END_ZONE_MM * pxPerMmX);
  const from = side === 'left' ? row.x0 : Math.max(row.x0, row.x1 - zone);
  const to = side === 'left' ? Math.min(row.x1, row.x0 + zone) : row.x1;
  const height = PULSE_HEIGHT_MM * pxPerMmY;
  // The pulse stands on the 0 mV line, which lies within a few mm of the row's coverage peak.
  const y0 = Math.round(row.y - 1.5 * height);
  const y1 = Math.round(row.y + 0.5 * height);
  const strokes: Stroke[] = [];
  for (let x = Math.max(0, from); x <= Math.min(mask.width - 1, to); x++) {
    const s = longestStroke(mask, x, y0, y1);
    const length = s.bottom - s.top + 1;
    if (Math.abs(length - height) <= HEIGHT_TOLERANCE * height) strokes.push(s);
  }
  const width = PULSE_WIDTH_MM * pxPerMmX;
  const foot = FOOT_TOLERANCE_MM * pxPerMmY;
  let best: { rise: Stroke; fall: Stroke } | null = null;
  let bestMiss = Infinity;
  for (const rise of strokes) {
    for (const fall of strokes) {
      const gap = fall.x - rise.x;
      if (Math.abs(gap - width) > PAIR_TOLERANCE_MM * pxPerMmX) continue;
      if (Math.abs(rise.bottom - fall.bottom) > foot || Math.abs(rise.top - fall.top) > foot) continue;
      const miss = Math.abs(gap - width) / pxPerMmX + Math.abs(rise.bottom - fall.bottom) / pxPerMmY;
      if (miss < bestMiss) {
        bestMiss = miss;
        best = { rise, fall };
      }
    }
  }
  if (!best) return null;
  const { rise, fall } = best;
  return { riseX: strokeCentre(strokes, rise), fallX: strokeCentre(strokes, fall), footY: (rise.bottom + fall.bottom) / 2, topY: (rise.top + fall.top) / 2 };
}
