/**
 * What the renderer knows about every page it draws, as JSON beside the image.
 * All pixel coordinates are in the final image, pixel centres at integers
 * (pixel column i spans x in [i - 0.5, i + 0.5)), unless named `nominal`
 * (the undistorted page, same size).
 */
import { LEADS, type Lead } from '../core/ecg.js';
import type { VarietyGroundTruth } from './variety/draw.js';
import type { RenderConfig } from '../config/schema/render.js';
import type { DistortionPlan, Crease, WaveComponent } from './distortions.js';
import type { Matrix3 } from './geometry.js';
import type { HeaderFields } from './paper.js';
import type { PixelBox, Point } from '../page/box.js';


export interface LeadGroundTruth {
  readonly lead: Lead;
  readonly leadIndex: number;
  readonly row: number;
  readonly col: number;
  /** The full-length rhythm strip (3x4 layout). */
  readonly rhythm: boolean;
  /** Samples [sampleStart, sampleEnd) of the record are shown. */
  readonly sampleStart: number;
  readonly sampleEnd: number;
  /** The panel's nominal time span in seconds of the record. */
  readonly startS: number;
  readonly endS: number;
  /** Tight box around the drawn trace (sample positions widened by half the trace width). */
  readonly box: PixelBox;
  /** Bounding box of the panel's nominal crop after distortion. */
  readonly panelBox: PixelBox;
  /** The nominal crop's corners after distortion (TL, TR, BR, BL). */
  readonly panelQuad: readonly Point[];
  /** The nominal crop on the undistorted page (what page/layout.ts nominalLeadBoxes gives). */
  readonly nominalBox: PixelBox;
  /** Baseline (0 mV) y on the undistorted page. */
  readonly nominalBaselineY: number;
  /** Pixel position of every shown sample, in order: x[i], y[i] for record sample sampleStart + i. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** The signal shown, in mV (NaN samples are null and not drawn). */
  readonly mv: readonly (number | null)[];
}

export interface CalibrationGroundTruth {
  readonly row: number;
  /** Foot, top left, top right, foot end of the 1 mV x 0.2 s pulse. */
  readonly corners: readonly Point[];
}

export interface TransformGroundTruth {
  /** True when the image is the undistorted page (no geometric distortion). */
  readonly identity: boolean;
  /** Page pixels -> image pixels before the displacement field, row-major 3x3. */
  readonly homography: Matrix3;
  readonly rotationDeg: number;
  readonly zoom: number;
  readonly shiftPx: readonly [number, number];
  readonly corners: readonly (readonly [number, number])[];
  /** Parameters of the displacement field E (see render/geometry.ts): q + E(q) = H p. */
  readonly fieldCellPx: number;
  readonly waves: readonly WaveComponent[];
  readonly creases: readonly Crease[];
}

export interface PageGroundTruth {
  readonly format: 'ecg-lab/page';
  readonly version: 1;
  readonly record: string;
  readonly fsHz: number;
  readonly recordLength: number;
  readonly seed: number | string;
  /** File names beside the JSON (set when written to disk); clean is null for a page written without its clean twin. */
  readonly files: { readonly image: string; readonly clean: string | null; readonly mask: string };
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
  readonly pixelConvention: 'centre';
  /** Scale of the undistorted page. */
  readonly pxPerMm: number;
  readonly pxPerMv: number;
  readonly pxPerS: number;
  readonly render: RenderConfig;
  readonly transform: TransformGroundTruth;
  readonly photometric: {
    readonly blurSigmaPx: number;
    readonly sensorNoiseSd: number;
    readonly jpegQuality: number;
    readonly brightness: number;
    readonly contrast: number;
    readonly colourTemperature: number;
    readonly lightingStrength: number;
    readonly stains: number;
    readonly marks: number;
  };
  readonly calibration: readonly CalibrationGroundTruth[];
  readonly leads: readonly LeadGroundTruth[];
  readonly header: HeaderFields | null;
  /** The look drawn for this page (render.variety.strength > 0 only; render holds the effective options). */
  readonly variety?: VarietyGroundTruth;
}

export function transformOf(plan: DistortionPlan, identity: boolean): TransformGroundTruth {
  return {
    identity,
    homography: plan.homography,
    rotationDeg: plan.rotationDeg,
    zoom: plan.zoom,
    shiftPx: plan.shiftPx,
    corners: plan.corners,
    fieldCellPx: plan.fieldCellPx,
    waves: plan.waves,
    creases: plan.creases,
  };
}

/**
 * The 12 leads as the page shows them, on the record's sample grid: samples
 * not shown are NaN (the reference the challenge's SNR expects). A lead shown
 * twice (lead II in a panel and the rhythm strip) takes the longer span.
 */
export function plottedSignals(gt: PageGroundTruth): Float32Array[] {
  const signals = LEADS.map(() => new Float32Array(gt.recordLength).fill(Number.NaN));
  const ordered = [...gt.leads].sort((a, b) => a.sampleEnd - a.sampleStart - (b.sampleEnd - b.sampleStart));
  for (const lead of ordered) {
    const signal = signals[lead.leadIndex] as Float32Array;
    lead.mv.forEach((v, i) => {
      signal[lead.sampleStart + i] = v ?? Number.NaN;
    });
  }
  return signals;
}
