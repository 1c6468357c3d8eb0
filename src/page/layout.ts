/**
 * Where everything sits on the undistorted page, in mm (origin top left,
 * y down) and in page pixels (pixel centres at integer coordinates).
 *
 * 3x4 follows the PhysioNet Challenge 2024 standard: each column shows
 * 2.5 s of its three leads in time order (I, II, III at 0-2.5 s; aVR, aVL,
 * aVF at 2.5-5 s; V1-V3 at 5-7.5 s; V4-V6 at 7.5-10 s), and a rhythm strip
 * shows one lead over all 10 s (3x4+3: three strips, II, V1 and V5, as
 * many carts print them). 6x2 shows columns of 5 s the same way
 * (limb leads, then chest leads); 12x1 shows every lead over 10 s.
 */
import { LEADS, type Lead } from '../core/ecg.js';
import type { RenderConfig } from '../config/schema/render.js';
import type { PixelBox } from './box.js';

/** Seconds of recording a page shows at most (the challenge's 10 s records). */
export const PAGE_DURATION_S = 10;

/** Reserved bands, so that nominal boxes do not move when the header or pulse is switched off. */
const HEADER_MM = 30;
const FOOTER_MM = 10;
const SIDE_MARGIN_MM = 6;
const PULSE_DURATION_S = 0.2;

export interface PageSize {
  readonly widthMm: number;
  readonly heightMm: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly pxPerMm: number;
}

const PAPER_MM: Readonly<Record<RenderConfig['paper'], readonly [number, number]>> = {
  letter: [279.4, 215.9],
  a4: [297, 210],
};

/** Landscape page size at the configured resolution. */
export function pageSizeOf(config: Pick<RenderConfig, 'paper' | 'dpi'>): PageSize {
  const [widthMm, heightMm] = PAPER_MM[config.paper];
  const pxPerMm = config.dpi / 25.4;
  return { widthMm, heightMm, widthPx: Math.round(widthMm * pxPerMm), heightPx: Math.round(heightMm * pxPerMm), pxPerMm };
}

/** One lead's strip on the page: a lead shown over a time span in one row and column. */
export interface Panel {
  readonly lead: Lead;
  readonly leadIndex: number;
  readonly row: number;
  readonly col: number;
  readonly rhythm: boolean;
  readonly startS: number;
  readonly endS: number;
  /** x of time 0 of the recording (mm); a sample at t s is at x0Mm + t * speed. */
  readonly x0Mm: number;
  readonly baselineMm: number;
  /** Nominal crop [x0, y0, x1, y1] in mm: the panel's time span times its row band. */
  readonly boxMm: readonly [number, number, number, number];
}

export interface PageLayout {
  readonly page: PageSize;
  readonly panels: readonly Panel[];
  readonly rows: number;
  readonly rowSpacingMm: number;
  /** x (mm) of t = 0; the grid is aligned to it and to the first baseline. */
  readonly traceStartMm: number;
  readonly shownDurationS: number;
  readonly pulseStartMm: number;
  /** The left pulse falls straight into the trace (LayoutPlacement.pulseAbuts): no foot after it. */
  readonly pulseAbuts: boolean;
  readonly headerMm: number;
  readonly footerTopMm: number;
}

export type LayoutConfig = Pick<RenderConfig, 'layout' | 'rhythmLead' | 'paper' | 'dpi' | 'speedMmPerS'>;

/**
 * Where the block of traces sits, for pages whose look is drawn per page
 * (render/variety/). The defaults are the fixed page: header band 30 mm,
 * footer band 10 mm, traces centred in the width left of the pulse zone.
 */
export interface LayoutPlacement {
  /** Top band kept free of rows (mm); the header strip, when drawn, needs 30. */
  readonly topMm: number;
  /** Bottom band kept free of rows (mm); the footer text needs 10. */
  readonly bottomMm: number;
  /** Row pitch as a fraction of what fills the height between the bands, in (0, 1]; the rows sit at the bottom of the free space when below 1. */
  readonly rowFill: number;
  /** Horizontal move of the traces from their centred place (mm); layoutPage clamps it to keep the side margins. */
  readonly shiftMm: number;
  /** Where the calibration pulses sit: before the traces of each row, or after them. */
  readonly pulseSide: 'left' | 'right';
  /**
   * A left pulse whose fall is the trace's start (ecg-image-kit draws it so)
   * instead of ending in a 1 mm foot before the trace; absent: the foot.
   */
  readonly pulseAbuts?: boolean;
}

export const DEFAULT_PLACEMENT: LayoutPlacement = { topMm: HEADER_MM, bottomMm: FOOTER_MM, rowFill: 1, shiftMm: 0, pulseSide: 'left' };

const RHYTHM_STRIPS_3: readonly Lead[] = ['II', 'V1', 'V5'];

function rhythmLeadsOf(config: LayoutConfig): readonly Lead[] {
  if (config.layout === '3x4+3') return RHYTHM_STRIPS_3;
  return config.layout === '3x4' && config.rhythmLead !== 'none' ? [config.rhythmLead] : [];
}

/** Leads of each column, top to bottom. */
function columnsOf(config: LayoutConfig): Lead[][] {
  if (config.layout === '12x1') return [[...LEADS]];
  if (config.layout === '6x2') return [LEADS.slice(0, 6), LEADS.slice(6, 12)];
  return [0, 1, 2, 3].map((c) => LEADS.slice(c * 3, c * 3 + 3));
}

export function layoutPage(config: LayoutConfig, placement: LayoutPlacement = DEFAULT_PLACEMENT): PageLayout {
  const page = pageSizeOf(config);
  const pulseZoneMm = PULSE_DURATION_S * config.speedMmPerS + 3;
  const availableMm = page.widthMm - 2 * SIDE_MARGIN_MM - pulseZoneMm;
  const shownDurationS = Math.min(PAGE_DURATION_S, availableMm / config.speedMmPerS);
  const traceWidthMm = shownDurationS * config.speedMmPerS;
  const slackMm = (page.widthMm - traceWidthMm - pulseZoneMm) / 2 - SIDE_MARGIN_MM;
  const shiftMm = slackMm > 0 ? Math.max(-slackMm, Math.min(slackMm, placement.shiftMm)) : 0;
  const left = placement.pulseSide === 'left';
  const traceStartMm = Math.round((page.widthMm - traceWidthMm - pulseZoneMm) / 2 + (left ? pulseZoneMm : 0) + shiftMm);

  const columns = columnsOf(config);
  const rhythmLeads = rhythmLeadsOf(config);
  const rows = Math.max(...columns.map((c) => c.length)) + rhythmLeads.length;
  const { topMm, bottomMm } = placement;
  const fillMm = Math.max(1, Math.floor((page.heightMm - topMm - bottomMm) / rows));
  const rowSpacingMm = placement.rowFill === 1 ? fillMm : Math.max(1, Math.floor(fillMm * placement.rowFill));
  const freeMm = page.heightMm - topMm - bottomMm - rows * rowSpacingMm;
  const rowsTopMm = topMm + (placement.rowFill === 1 ? Math.floor(freeMm / 2) : Math.floor(freeMm));
  const columnS = shownDurationS / columns.length;

  const panels: Panel[] = [];
  const panel = (lead: Lead, row: number, col: number, startS: number, endS: number, rhythm: boolean): Panel => {
    const top = rowsTopMm + row * rowSpacingMm;
    const baselineMm = Math.round(top + 0.6 * rowSpacingMm);
    return {
      lead,
      leadIndex: LEADS.indexOf(lead),
      row,
      col,
      rhythm,
      startS,
      endS,
      x0Mm: traceStartMm,
      baselineMm,
      boxMm: [traceStartMm + startS * config.speedMmPerS, top, traceStartMm + endS * config.speedMmPerS, top + rowSpacingMm],
    };
  };
  columns.forEach((leads, col) =>
    leads.forEach((lead, row) => panels.push(panel(lead, row, col, col * columnS, (col + 1) * columnS, false))),
  );
  const firstStripRow = rows - rhythmLeads.length;
  rhythmLeads.forEach((lead, k) => panels.push(panel(lead, firstStripRow + k, 0, 0, shownDurationS, true)));

  return {
    page,
    panels,
    rows,
    rowSpacingMm,
    traceStartMm,
    shownDurationS,
    pulseStartMm: left ? traceStartMm - pulseZoneMm + 1 + (placement.pulseAbuts ? 1 : 0) : traceStartMm + traceWidthMm + 1,
    pulseAbuts: left && placement.pulseAbuts === true,
    headerMm: HEADER_MM,
    footerTopMm: page.heightMm - FOOTER_MM,
  };
}

/** Samples [start, end) of a recording at fsHz that fall in a panel's time span, clipped to the record. */
export function panelSampleRange(panel: Panel, fsHz: number, recordLength: number): readonly [number, number] {
  const start = Math.min(recordLength, Math.ceil(panel.startS * fsHz - 1e-9));
  const end = Math.min(recordLength, Math.ceil(panel.endS * fsHz - 1e-9));
  return [start, Math.max(start, end)];
}

/** A panel as its nominal crop: where the layout puts it, in pixels. */
export interface NominalLeadBox extends Pick<Panel, 'lead' | 'leadIndex' | 'row' | 'col' | 'rhythm' | 'startS' | 'endS'> {
  /** The panel's nominal crop in pixels of an image of `pageSize` (pixel centres at integers, as the ground truth). */
  readonly box: PixelBox;
  /** Row of 0 mV in the same pixels. */
  readonly baselineY: number;
}

/**
 * The fixed lead crops of an undistorted page, scaled to an image of
 * `pageSize` pixels (default: the page at render.dpi). These are the crops
 * used when the ROI model is switched off; the renderer's ground truth
 * records the same boxes (nominalBox) for the page it draws.
 */
export function nominalLeadBoxes(
  config: LayoutConfig,
  pageSize?: { readonly width: number; readonly height: number },
): NominalLeadBox[] {
  const layout = layoutPage(config);
  const sx = (pageSize?.width ?? layout.page.widthPx) / layout.page.widthMm;
  const sy = (pageSize?.height ?? layout.page.heightPx) / layout.page.heightMm;
  return layout.panels.map((p) => ({
    lead: p.lead,
    leadIndex: p.leadIndex,
    row: p.row,
    col: p.col,
    rhythm: p.rhythm,
    startS: p.startS,
    endS: p.endS,
    box: [p.boxMm[0] * sx - 0.5, p.boxMm[1] * sy - 0.5, p.boxMm[2] * sx - 0.5, p.boxMm[3] * sy - 0.5],
    baselineY: p.baselineMm * sy - 0.5,
  }));
}
