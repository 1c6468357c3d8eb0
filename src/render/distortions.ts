/**
 * What happens to one page between the printer and the image, drawn once
 * from the seed: a DistortionPlan. `render.noise` scales every distortion;
 * `render.distort.<name>` is its strength at noise 1 (0 turns it off); each
 * draws from its own forked generator, so changing one distortion's strength
 * leaves the others' draws unchanged.
 *
 * The plan is plain data (it goes into the ground truth), and the geometric
 * part rebuilds the exact PageMapping from it (grids/wave-grids.ts pageMappingOf).
 */
import type { DistortConfig } from '../config/schema/render.js';
import type { Rng } from '../core/rng.js';
import { homographyFromCorners, IDENTITY, type Matrix3 } from './geometry.js';

/** One plane wave of the crumpled-paper height field. */
export interface WaveComponent {
  readonly kx: number;
  readonly ky: number;
  readonly phase: number;
  /** Displacement amplitude in px (0 for shading-only ridges). */
  readonly shiftPx: number;
  /** Shading amplitude (fraction of brightness). */
  readonly shade: number;
  /** |sin| (a sharp ridge) instead of sin. */
  readonly ridged: boolean;
  /** A slow envelope, so the wave fades in and out across the page. */
  readonly envKx: number;
  readonly envKy: number;
  readonly envPhase: number;
}

/** A straight fold across the page: distance d = nx x + ny y - offset (image px). */
export interface Crease {
  readonly nx: number;
  readonly ny: number;
  readonly offset: number;
  readonly kinkPx: number;
  readonly kinkWidthPx: number;
  readonly darkness: number;
  readonly lineWidthPx: number;
  readonly sideShade: number;
}

export interface Stain {
  readonly kind: 'ring' | 'blob';
  readonly cx: number;
  readonly cy: number;
  readonly radiusPx: number;
  readonly opacity: number;
  readonly rgb: readonly [number, number, number];
  readonly wobble: readonly [number, number, number];
}

export interface Mark {
  readonly kind: 'scribble' | 'circle' | 'underline';
  /** Polyline in image px. */
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly widthPx: number;
  readonly rgb: readonly [number, number, number];
  readonly opacity: number;
}

export interface DistortionPlan {
  readonly noise: number;
  readonly rotationDeg: number;
  readonly zoom: number;
  readonly shiftPx: readonly [number, number];
  /** Where the page corners (TL, TR, BR, BL) land before the displacement field. */
  readonly corners: readonly (readonly [number, number])[];
  readonly homography: Matrix3;
  readonly waves: readonly WaveComponent[];
  readonly creases: readonly Crease[];
  readonly fieldCellPx: number;
  readonly lighting: { readonly strength: number; readonly dirX: number; readonly dirY: number; readonly vignette: number };
  readonly blurSigmaPx: number;
  readonly sensorNoiseSd: number;
  /** JPEG quality, or 0 for none. */
  readonly jpegQuality: number;
  readonly brightness: number;
  readonly contrast: number;
  readonly colourTemperature: number;
  readonly stains: readonly Stain[];
  readonly marks: readonly Mark[];
}

export interface PlanInput {
  readonly noise: number;
  readonly distort: DistortConfig;
  readonly width: number;
  readonly height: number;
  readonly pxPerMm: number;
}

const FIELD_CELL_PX = 8;

/** A draw in [0.5, 1] of the configured strength, scaled by noise (always drawn, so later draws do not shift). */
const amount = (rng: Rng, noise: number, strength: number) => noise * strength * rng.uniform(0.5, 1);
const signed = (rng: Rng, value: number) => (rng.chance(0.5) ? value : -value);
/** Integer count: noise * strength, rounded at random. */
const count = (rng: Rng, noise: number, strength: number) => {
  const expected = noise * strength * rng.uniform(0.4, 1);
  return Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0);
};

/** Page pixels per mm of the 200 dpi page the distortion sizes below were tuned on: sizes in pixels scale by pxPerMm / this. */
const TUNED_PX_PER_MM = 200 / 25.4;

/** Wrinkle components: alternately smooth (displacing) and ridged (shading only). */
const WRINKLE_COMPONENTS = 10;
/** Wavelengths in pixels at 200 dpi: ridged folds are short, smooth waves long; the envelope sets where they show. */
const RIDGED_WAVELENGTH_PX = [90, 320] as const;
const SMOOTH_WAVELENGTH_PX = [220, 700] as const;
const ENVELOPE_WAVELENGTH_PX = [500, 1400] as const;
/** Largest displacement of one smooth wave per unit of wrinkle strength, pixels at 200 dpi. */
const WAVE_SHIFT_PX = 2.2;
/** Bound on sum |grad E| of the displacement field: below 1 the fixed point q + E(q) = H p converges, at 0.2 fast. */
const WAVE_GRADIENT_BOUND = 0.2;
/** Shading of a wave per unit of wrinkle strength: ridges darker than smooth waves. */
const RIDGED_SHADE = 0.06;
const SMOOTH_SHADE = 0.035;

/** Fraction of the shading strength the vignette takes. */
const VIGNETTE_FRACTION = 0.8;
/** JPEG quality at jpeg strength 0+ and its drop at strength 1 (95 -> 30). */
const JPEG_QUALITY_MAX = 95;
const JPEG_QUALITY_DROP = 65;

type Geometry = Pick<DistortionPlan, 'rotationDeg' | 'zoom' | 'shiftPx' | 'corners' | 'homography'>;
type Photometry = Pick<DistortionPlan, 'blurSigmaPx' | 'sensorNoiseSd' | 'jpegQuality'>;
type Colour = Pick<DistortionPlan, 'brightness' | 'contrast' | 'colourTemperature'>;

/** Rotation, crop (zoom with a shift inside its slack) and perspective (each corner jittered), as the homography of the page's corners. */
function planGeometry(r: Rng, input: PlanInput): Geometry {
  const { noise, distort: d, width, height } = input;
  const rotationDeg = signed(r, amount(r, noise, d.rotationDeg));
  const crop = amount(r, noise, d.crop);
  const zoom = 1 + crop;
  // The shift stays within half the zoom's margin, so the page still fills the image.
  const slack = crop * 0.5;
  const shiftPx: [number, number] = [r.uniform(-slack, slack) * width, r.uniform(-slack, slack) * height];
  const perspective = amount(r, noise, d.perspective);
  const pageCorners: [number, number][] = [
    [0, 0],
    [width - 1, 0],
    [width - 1, height - 1],
    [0, height - 1],
  ];
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos((rotationDeg * Math.PI) / 180);
  const sin = Math.sin((rotationDeg * Math.PI) / 180);
  const corners = pageCorners.map(([x, y]) => {
    const jx = r.uniform(-1, 1) * perspective * width;
    const jy = r.uniform(-1, 1) * perspective * height;
    const ox = (x - cx) * zoom;
    const oy = (y - cy) * zoom;
    return [cx + cos * ox - sin * oy + shiftPx[0] + jx, cy + sin * ox + cos * oy + shiftPx[1] + jy] as const;
  });
  const geometric = rotationDeg !== 0 || crop !== 0 || perspective !== 0;
  const homography = geometric ? homographyFromCorners(pageCorners, corners) : IDENTITY;
  return { rotationDeg, zoom, shiftPx, corners, homography };
}

/** Wrinkles: WRINKLE_COMPONENTS plane waves, each under a plane-wave envelope; none without wrinkle strength. */
function planWaves(r: Rng, input: PlanInput, scale: number): WaveComponent[] {
  const wrinkle = amount(r, input.noise, input.distort.wrinkles);
  const waves: WaveComponent[] = [];
  if (wrinkle <= 0) return waves;
  const n = WRINKLE_COMPONENTS;
  for (let i = 0; i < n; i++) {
    const ridged = i % 2 === 1;
    const wavelength = (ridged ? r.uniform(...RIDGED_WAVELENGTH_PX) : r.uniform(...SMOOTH_WAVELENGTH_PX)) * scale;
    const k = (2 * Math.PI) / wavelength;
    const angle = r.uniform(0, Math.PI);
    const envWavelength = r.uniform(...ENVELOPE_WAVELENGTH_PX) * scale;
    const envAngle = r.uniform(0, Math.PI);
    // |grad E| <= sum of shiftPx * k stays below WAVE_GRADIENT_BOUND: the fixed point converges fast.
    const shiftPx = ridged ? 0 : Math.min(wrinkle * WAVE_SHIFT_PX * scale * r.uniform(0.5, 1), WAVE_GRADIENT_BOUND / (n * k));
    waves.push({
      kx: k * Math.cos(angle),
      ky: k * Math.sin(angle),
      phase: r.uniform(0, 2 * Math.PI),
      shiftPx,
      shade: wrinkle * (ridged ? RIDGED_SHADE : SMOOTH_SHADE) * r.uniform(0.4, 1),
      ridged,
      envKx: ((2 * Math.PI) / envWavelength) * Math.cos(envAngle),
      envKy: ((2 * Math.PI) / envWavelength) * Math.sin(envAngle),
      envPhase: r.uniform(0, 2 * Math.PI),
    });
  }
  return waves;
}

/** Creases: straight folds with a kink in the displacement, a dark line and a shaded side. */
function planCreases(r: Rng, input: PlanInput, scale: number): Crease[] {
  const { noise, width, height } = input;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const creases: Crease[] = [];
  const nCreases = count(r, noise, input.distort.creases);
  for (let i = 0; i < nCreases; i++) {
    // Folds run roughly along or across the page, as when it was folded to fit a pocket or a file.
    const across = r.chance(0.5);
    const angle = (across ? 0 : Math.PI / 2) + r.normal(0, 0.06);
    const nx = Math.cos(angle);
    const ny = Math.sin(angle);
    const along = across ? width : height;
    // Folds keep off the outer fifth of the page.
    const position = r.uniform(0.2, 0.8) * along;
    const kinkPx = r.uniform(0.6, 1.6) * scale * noise;
    creases.push({
      nx,
      ny,
      offset: nx * (across ? position : cx) + ny * (across ? cy : position),
      kinkPx: signed(r, kinkPx),
      kinkWidthPx: Math.max(6 * Math.abs(kinkPx), 4),
      darkness: r.uniform(0.12, 0.3) * noise,
      lineWidthPx: r.uniform(1, 2.2) * scale,
      sideShade: signed(r, r.uniform(0.01, 0.05) * noise),
    });
  }
  return creases;
}

/** Uneven lighting: a directional gradient and a vignette. */
function planLighting(r: Rng, input: PlanInput): DistortionPlan['lighting'] {
  const lightAngle = r.uniform(0, 2 * Math.PI);
  return {
    strength: amount(r, input.noise, input.distort.shading),
    dirX: Math.cos(lightAngle),
    dirY: Math.sin(lightAngle),
    vignette: amount(r, input.noise, input.distort.shading) * VIGNETTE_FRACTION,
  };
}

/** Optics and sensor: blur, sensor noise, JPEG quality (0: not JPEG-encoded). */
function planOptics(r: Rng, input: PlanInput, scale: number): Photometry {
  const { noise, distort: d } = input;
  const blurSigmaPx = amount(r, noise, d.blurPx) * scale;
  const sensorNoiseSd = amount(r, noise, d.sensorNoise);
  const jpeg = amount(r, noise, d.jpeg);
  const jpegQuality = jpeg > 0 ? Math.round(JPEG_QUALITY_MAX - JPEG_QUALITY_DROP * jpeg) : 0;
  return { blurSigmaPx, sensorNoiseSd, jpegQuality };
}

/** Brightness, contrast and colour temperature. */
function planColour(r: Rng, input: PlanInput): Colour {
  const { noise, distort: d } = input;
  const brightness = signed(r, amount(r, noise, d.brightness));
  const contrast = 1 - amount(r, noise, d.contrast);
  const colourTemperature = signed(r, amount(r, noise, d.colourTemperature));
  return { brightness, contrast, colourTemperature };
}

/** Coffee stains: rings or blobs of brown, 8-30 mm across, wobbly. */
function planStains(r: Rng, input: PlanInput): Stain[] {
  const { width, height, pxPerMm } = input;
  const stains: Stain[] = [];
  const nStains = count(r, input.noise, input.distort.stains);
  for (let i = 0; i < nStains; i++) {
    stains.push({
      kind: r.chance(0.6) ? 'ring' : 'blob',
      cx: r.uniform(0, width),
      cy: r.uniform(0, height),
      radiusPx: r.uniform(8, 30) * pxPerMm,
      opacity: r.uniform(0.12, 0.4),
      rgb: [r.int(120, 170), r.int(80, 110), r.int(30, 60)],
      wobble: [r.uniform(0, 0.08), r.uniform(0, 0.06), r.uniform(0, 2 * Math.PI)],
    });
  }
  return stains;
}

/** Pen marks (drawMark). */
function planMarks(r: Rng, input: PlanInput): Mark[] {
  const marks: Mark[] = [];
  const nMarks = count(r, input.noise, input.distort.marks);
  for (let i = 0; i < nMarks; i++) marks.push(drawMark(r, input.width, input.height, input.pxPerMm));
  return marks;
}

/**
 * Every distortion of one page, drawn from its own stream of `rng` (forked
 * by name, in this order), so that switching one distortion off or changing
 * its draws leaves the others' as they were.
 */
export function planDistortions(input: PlanInput, rng: Rng): DistortionPlan {
  const scale = input.pxPerMm / TUNED_PX_PER_MM;
  const rGeom = rng.fork('geometry');
  const rWaves = rng.fork('wrinkles');
  const rCreases = rng.fork('creases');
  const rLight = rng.fork('lighting');
  const rOptics = rng.fork('optics');
  const rColour = rng.fork('colour');
  const rStains = rng.fork('stains');
  const rMarks = rng.fork('marks');
  return {
    noise: input.noise,
    ...planGeometry(rGeom, input),
    waves: planWaves(rWaves, input, scale),
    creases: planCreases(rCreases, input, scale),
    fieldCellPx: FIELD_CELL_PX,
    lighting: planLighting(rLight, input),
    ...planOptics(rOptics, input, scale),
    ...planColour(rColour, input),
    stains: planStains(rStains, input),
    marks: planMarks(rMarks, input),
  };
}

const INKS: readonly (readonly [number, number, number])[] = [
  [25, 45, 150],
  [20, 20, 30],
  [170, 30, 40],
];

/** A pen mark: cursive-like loops (a trochoid with jitter), a circle around something, or an underline. */
function drawMark(rng: Rng, width: number, height: number, pxPerMm: number): Mark {
  const kind = rng.pick(['scribble', 'scribble', 'circle', 'underline'] as const);
  const x0 = rng.uniform(0.05, 0.8) * width;
  const y0 = rng.uniform(0.05, 0.95) * height;
  const xs: number[] = [];
  const ys: number[] = [];
  const slant = rng.uniform(-0.35, 0.1);
  if (kind === 'scribble') {
    const letters = rng.int(5, 14);
    const size = rng.uniform(2.5, 4.5) * pxPerMm;
    let heightScale = 1;
    for (let t = 0; t <= letters * 2 * Math.PI; t += 0.18) {
      if (Math.abs(Math.sin(t / 2)) < 0.1) heightScale = rng.uniform(0.6, 1.6);
      const lx = size * (0.32 * t - 0.6 * Math.sin(t));
      const ly = -size * 0.55 * heightScale * (1 - Math.cos(t));
      xs.push(x0 + lx + slant * ly + rng.normal(0, 0.08 * pxPerMm));
      ys.push(y0 + ly + rng.normal(0, 0.08 * pxPerMm));
    }
  } else if (kind === 'circle') {
    const rx = rng.uniform(8, 25) * pxPerMm;
    const ry = rx * rng.uniform(0.5, 1);
    const start = rng.uniform(0, 2 * Math.PI);
    const turns = rng.uniform(1.05, 1.3);
    for (let t = 0; t <= turns * 2 * Math.PI; t += 0.05) {
      const wobble = 1 + 0.04 * Math.sin(3 * t) + (t / (2 * Math.PI)) * 0.06;
      xs.push(x0 + rx * wobble * Math.cos(start + t));
      ys.push(y0 + ry * wobble * Math.sin(start + t));
    }
  } else {
    const length = rng.uniform(20, 60) * pxPerMm;
    const bend = rng.normal(0, 1.5) * pxPerMm;
    for (let u = 0; u <= 1; u += 0.02) {
      xs.push(x0 + u * length);
      ys.push(y0 + bend * Math.sin(Math.PI * u) + rng.normal(0, 0.05 * pxPerMm));
    }
  }
  return { kind, xs, ys, widthPx: rng.uniform(0.35, 0.7) * pxPerMm, rgb: rng.pick(INKS), opacity: rng.uniform(0.6, 0.9) };
}

export { pageMappingOf, smoothShadeGrid } from './grids/wave-grids.js';
