/**
 * Each lead's 0 mV row and gain on the rectified page.
 *
 *   0 mV   the foot of its row's calibration pulse where one was found (the
 *          pulse is drawn from the row's 0 mV line), else the median over
 *          its columns of the trace run nearest the row's line: most of a
 *          beat is isoelectric, so the median sits on 0 mV up to the
 *          record's own offset and wander.
 *   gain   px per mV: 10 mm/mV on the grid's y scale where a grid was
 *          found, else the pulse's height (1 mV) where there is one, else
 *          10 mm/mV on the fallback scale (grid-period.ts).
 *
 * The trace is followed from the column whose ink lies nearest the row's
 * line: in each next column, the vertical run of trace pixels that touches
 * the previous one (+-1 px), else the nearest run within JUMP_MM, else the
 * column is skipped. Its extent is the lead's tight box.
 */
import type { Lead } from '../../core/ecg.js';
import type { PixelBox } from '../box.js';
import type { DetectedPanel, PageLayoutFound } from './layout-detect.js';
import type { TraceMask } from './trace-ink.js';
import { upperMedian } from '../../core/median.js';

export interface LeadLevel {
  readonly lead: Lead;
  readonly row: number;
  readonly col: number;
  readonly rhythm: boolean;
  /** The panel's band and time span, rectified px (layout-detect.ts). */
  readonly box: PixelBox;
  /** Tight box of the followed trace, rectified px; the panel box when no trace was followed. */
  readonly traceBox: PixelBox;
  /** Row of 0 mV, rectified px. */
  readonly baselineY: number;
  readonly baselineSource: 'pulse' | 'trace-median' | 'row-line';
  readonly pxPerMv: number;
  readonly gainSource: 'grid' | 'pulse' | 'page-width';
}

export interface ScaleFound {
  readonly pxPerMmY: number;
  /** Whether pxPerMmY is the grid's (grid-period.ts found) or the fallback. */
  readonly fromGrid: boolean;
}

const MM_PER_MV = 10;
const JUMP_MM = 3;
/** A trace followed over fewer columns than this share of its panel is not trusted for a median. */
const MIN_FOLLOWED = 0.3;

interface Run {
  readonly top: number;
  readonly bottom: number;
}

function runsInColumn(mask: TraceMask, x: number, y0: number, y1: number): Run[] {
  const runs: Run[] = [];
  let start = -1;
  for (let y = Math.max(0, y0); y <= Math.min(mask.height - 1, y1) + 1; y++) {
    const on = y <= Math.min(mask.height - 1, y1) && mask.data[y * mask.width + x] === 1;
    if (on && start < 0) start = y;
    if (!on && start >= 0) {
      runs.push({ top: start, bottom: y - 1 });
      start = -1;
    }
  }
  return runs;
}

interface FollowedTrace {
  readonly box: PixelBox | null;
  /** Per column, the centre of the trace run nearest the row's line (within half a row spacing). */
  readonly centres: readonly number[];
  readonly columns: number;
}

/** The trace of one panel, followed across its columns within its band widened by half a row each side. */
function traceOf(mask: TraceMask, panel: DetectedPanel, lineY: number, spacing: number, pxPerMmY: number): FollowedTrace {
  const x0 = Math.max(0, Math.round(panel.box[0]));
  const x1 = Math.min(mask.width - 1, Math.round(panel.box[2]));
  const y0 = Math.round(panel.box[1] - 0.5 * spacing);
  const y1 = Math.round(panel.box[3] + 0.5 * spacing);
  const jump = JUMP_MM * pxPerMmY;
  const centres: number[] = [];
  let box: [number, number, number, number] | null = null;
  let previous: Run | null = null;
  for (let x = x0; x <= x1; x++) {
    const runs = runsInColumn(mask, x, y0, y1);
    if (runs.length === 0) continue;
    const centre = (r: Run) => (r.top + r.bottom) / 2;
    const last: Run | null = previous;
    const target = last ? centre(last) : lineY;
    const touching: Run[] = last ? runs.filter((r) => r.bottom >= last.top - 1 && r.top <= last.bottom + 1) : [];
    const pool: Run[] = touching.length > 0 ? touching : runs.filter((r) => Math.abs(centre(r) - target) <= (last ? jump : 0.5 * spacing));
    if (pool.length === 0) continue;
    const run: Run = pool.reduce((a, b) => (Math.abs(centre(a) - target) <= Math.abs(centre(b) - target) ? a : b));
    previous = run;
    // The median reads the run nearest the row's line, not the followed one: in a 12x1 page a followed trace may cross into its neighbour's QRS.
    const own = runs.filter((r) => Math.abs(centre(r) - lineY) <= 0.5 * spacing);
    if (own.length > 0) centres.push(centre(own.reduce((a, b) => (Math.abs(centre(a) - lineY) <= Math.abs(centre(b) - lineY) ? a : b))));
    box = box ? [box[0], Math.min(box[1], run.top), x, Math.max(box[3], run.bottom)] : [x, run.top, x, run.bottom];
  }
  return { box, centres, columns: x1 - x0 + 1 };
}

/** Every panel's 0 mV row and gain (see the header), with its tight trace box. */
export function leadLevels(mask: TraceMask, found: PageLayoutFound, scale: ScaleFound): LeadLevel[] {
  return found.panels.map((panel) => {
    const row = found.rows[panel.row];
    const lineY = row?.y ?? (panel.box[1] + panel.box[3]) / 2;
    const pulse = row?.pulse ?? null;
    const trace = traceOf(mask, panel, lineY, found.rowSpacingPx, scale.pxPerMmY);
    const followed = trace.centres.length >= MIN_FOLLOWED * trace.columns;
    const baseline = pulse
      ? { baselineY: pulse.footY, baselineSource: 'pulse' as const }
      : followed
        ? { baselineY: upperMedian(trace.centres), baselineSource: 'trace-median' as const }
        : { baselineY: lineY, baselineSource: 'row-line' as const };
    const gain = scale.fromGrid
      ? { pxPerMv: MM_PER_MV * scale.pxPerMmY, gainSource: 'grid' as const }
      : pulse
        ? { pxPerMv: pulse.footY - pulse.topY, gainSource: 'pulse' as const }
        : { pxPerMv: MM_PER_MV * scale.pxPerMmY, gainSource: 'page-width' as const };
    return {
      lead: panel.lead,
      row: panel.row,
      col: panel.col,
      rhythm: panel.rhythm,
      box: panel.box,
      traceBox: trace.box ?? panel.box,
      ...baseline,
      ...gain,
    };
  });
}
