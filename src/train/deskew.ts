/**
 * Deskew (digitizer.deskew): undo a page's rotation before its leads are
 * found and cut, so that a crop's columns are time and its rows amplitude.
 * An axis-aligned crop of a page tilted by a degrees reads the trace with a
 * ramp of tan(a) x (x - centre) rows, which at 2.5 degrees and a 2.5 s panel
 * is tenths of a mV across the crop, more than the digitizer's own error.
 *
 * The angle is estimated from the page image alone (no ground truth), by
 * projection profiles (Postl 1986; Bloomberg et al. 1995): the grid lines,
 * trace baselines and header text of an ECG page are horizontal on paper,
 * so the profile of their edges (vertical contrast) along the page's y
 * axis, taken after rotating by the right angle, is the sharpest; sharpness
 * is the sum of squares of the profile. A coarse search over +-maxDeg is refined around its best angle.
 *
 * Convention (render/distortions.ts): the renderer maps a page point p to
 * c + R(a) (p - c), c the image centre, R(a) = [cos -sin; sin cos] in pixel
 * coordinates (y down). deskewImage samples the image there, so the output
 * is the page turned back by a; deskewPoint maps an image point q to
 * c + R(-a) (q - c), where the deskewed image shows it.
 */
import sharp from 'sharp';
import type { LeadGroundTruth, PageGroundTruth, Point } from '../render/ground-truth.js';
import type { GreyImage, ImageSize } from './page-images.js';

export interface SkewOptions {
  /** Largest rotation searched, degrees (default 10). */
  readonly maxDeg?: number;
}

/** The coarse pass bins the profile by COARSE_BIN_PX rows, which keeps a line's peak as wide as its step (4 / 1100 rad = 0.2 deg). */
const COARSE_STEP_DEG = 0.2;
const COARSE_BIN_PX = 4;
const FINE_STEP_DEG = 0.02;
/**
 * A pixel counts as the edge of a line where its vertical contrast
 * |v(y + 1) - v(y - 1)| reaches this: contrast, not darkness, because a
 * photographed page's paper is anything from white to mid grey under
 * uneven light, and the paper's own edges must not count.
 */
const EDGE_CONTRAST = 0.08;
/**
 * Every COLUMN_STRIDE-th column is enough to find a line's angle and keeps
 * the search near 100 ms per page. Rows are all taken: skipping rows would
 * leave every other profile bin empty at 0 degrees only, doubling the sum
 * of squares there and pulling every estimate to 0.
 */
const COLUMN_STRIDE = 4;

interface Edges {
  readonly dx: Float32Array;
  readonly dy: Float32Array;
  readonly weight: Float32Array;
}

function edgesOf(image: GreyImage): Edges {
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  const dx: number[] = [];
  const dy: number[] = [];
  const weight: number[] = [];
  const { data, width } = image;
  for (let y = 1; y < image.height - 1; y++) {
    for (let x = 0; x < width; x += COLUMN_STRIDE) {
      const contrast = Math.abs((data[(y + 1) * width + x] as number) - (data[(y - 1) * width + x] as number));
      if (contrast < EDGE_CONTRAST) continue;
      dx.push(x - cx);
      dy.push(y - cy);
      weight.push(contrast);
    }
  }
  return { dx: Float32Array.from(dx), dy: Float32Array.from(dy), weight: Float32Array.from(weight) };
}

/** Sum of squares of the edge profile over deskewed rows (y' = -sin(a) dx + cos(a) dy), one bin per binPx rows. */
function sharpness(edges: Edges, deg: number, height: number, binPx: number): number {
  const a = (deg * Math.PI) / 180;
  const sin = Math.sin(a) / binPx;
  const cos = Math.cos(a) / binPx;
  const bins = Math.ceil((2 * height) / binPx);
  const offset = Math.floor(bins / 2);
  const profile = new Float64Array(bins);
  for (let i = 0; i < edges.weight.length; i++) {
    const bin = Math.round(-sin * (edges.dx[i] as number) + cos * (edges.dy[i] as number)) + offset;
    if (bin >= 0 && bin < bins) profile[bin] = (profile[bin] as number) + (edges.weight[i] as number);
  }
  let sum = 0;
  for (const v of profile) sum += v * v;
  return sum;
}

function bestAngle(edges: Edges, height: number, from: number, to: number, step: number, binPx: number): number {
  let best = 0;
  let bestScore = -1;
  const steps = Math.round((to - from) / step);
  for (let k = 0; k <= steps; k++) {
    const deg = from + k * step;
    const score = sharpness(edges, deg, height, binPx);
    // Ties go to the smaller rotation, so an unrotated page stays untouched.
    if (score > bestScore || (score === bestScore && Math.abs(deg) < Math.abs(best))) {
      best = deg;
      bestScore = score;
    }
  }
  return best;
}

/** The page's rotation in degrees (the renderer's rotationDeg convention), to FINE_STEP_DEG; 0 for a blank page. */
export function estimateSkewDeg(image: GreyImage, options: SkewOptions = {}): number {
  const maxDeg = options.maxDeg ?? 10;
  const edges = edgesOf(image);
  if (edges.weight.length === 0) return 0;
  const coarse = bestAngle(edges, image.height, -maxDeg, maxDeg, COARSE_STEP_DEG, COARSE_BIN_PX);
  const fine = bestAngle(edges, image.height, coarse - COARSE_STEP_DEG, coarse + COARSE_STEP_DEG, FINE_STEP_DEG, 1);
  const rounded = Math.round(fine / FINE_STEP_DEG) * FINE_STEP_DEG;
  return Math.abs(rounded) < FINE_STEP_DEG / 2 ? 0 : rounded;
}

/** The image turned back by `deg` about its centre, same size, bilinear; outside the image is white paper. */
export function deskewImage(image: GreyImage, deg: number): GreyImage {
  if (deg === 0) return image;
  const { width, height, data } = image;
  const a = (deg * Math.PI) / 180;
  const sin = Math.sin(a);
  const cos = Math.cos(a);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const out = new Float32Array(width * height);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 1 : (data[y * width + x] as number));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = cx + cos * (x - cx) - sin * (y - cy);
      const sy = cy + sin * (x - cx) + cos * (y - cy);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, width, height };
}

/** Where the deskewed image (deskewImage(deg)) of a width x height image shows image point (x, y). */
export function deskewPoint(x: number, y: number, deg: number, width: number, height: number): Point {
  const a = (deg * Math.PI) / 180;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const dx = x - cx;
  const dy = y - cy;
  return [cx + Math.cos(a) * dx + Math.sin(a) * dy, cy - Math.sin(a) * dx + Math.cos(a) * dy];
}

type Box = LeadGroundTruth['box'];

function boundingBox(points: readonly Point[]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function corners(box: Box): Point[] {
  const [x0, y0, x1, y1] = box;
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

/**
 * The ground truth of the deskewed page: every lead's trace positions,
 * panel quad and boxes mapped by deskewPoint (a box becomes the bounding
 * box of its mapped corners; the panel box that of the mapped panel quad).
 * Nominal positions (the undistorted page) are unchanged.
 */
export function deskewGroundTruth(gt: PageGroundTruth, deg: number): PageGroundTruth {
  if (deg === 0) return gt;
  const map = (p: Point) => deskewPoint(p[0], p[1], deg, gt.width, gt.height);
  const leads = gt.leads.map((lead): LeadGroundTruth => {
    const points = lead.x.map((x, i) => {
      const y = lead.y[i];
      return Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y) ? map([x, y]) : null;
    });
    const panelQuad = lead.panelQuad.map(map);
    return {
      ...lead,
      x: points.map((p, i) => (p ? p[0] : (lead.x[i] as number))),
      y: points.map((p, i) => (p ? p[1] : (lead.y[i] as number))),
      box: boundingBox(corners(lead.box).map(map)),
      panelQuad,
      panelBox: boundingBox(panelQuad),
    };
  });
  return { ...gt, leads };
}

/** Resize a grey image as readGreyImage resizes a file (sharp, 'fill', cubic), through 8-bit grey like a decoded page. */
export async function resizeGrey(image: GreyImage, size: ImageSize): Promise<GreyImage> {
  const bytes = new Uint8Array(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, image.data[i] as number)) * 255);
  const { data, info } = await sharp(bytes, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (data[i * info.channels] as number) / 255;
  return { data: out, width: info.width, height: info.height };
}
