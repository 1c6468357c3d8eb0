/**
 * What happens to one page between the printer and the image, drawn once
 * from the seed: a DistortionPlan. `render.noise` scales every distortion;
 * `render.distort.<name>` is its strength at noise 1 (0 turns it off); each
 * draws from its own forked generator, so changing one distortion's strength
 * leaves the others' draws unchanged.
 *
 * The plan is plain data (it goes into the ground truth), and the geometric
 * part rebuilds the exact PageMapping from it (pageMappingOf).
 */
import type { DistortConfig } from '../config/schema/render.js';
import type { Rng } from '../core/rng.js';
import { homographyFromCorners, IDENTITY, sampleField, type Matrix3, type PageMapping } from './geometry.js';

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

export function planDistortions(input: PlanInput, rng: Rng): DistortionPlan {
  const { noise, distort: d, width, height, pxPerMm } = input;
  const scale = pxPerMm / (200 / 25.4);
  const rGeom = rng.fork('geometry');
  const rWaves = rng.fork('wrinkles');
  const rCreases = rng.fork('creases');
  const rLight = rng.fork('lighting');
  const rOptics = rng.fork('optics');
  const rColour = rng.fork('colour');
  const rStains = rng.fork('stains');
  const rMarks = rng.fork('marks');

  const rotationDeg = signed(rGeom, amount(rGeom, noise, d.rotationDeg));
  const crop = amount(rGeom, noise, d.crop);
  const zoom = 1 + crop;
  const slack = crop * 0.5;
  const shiftPx: [number, number] = [rGeom.uniform(-slack, slack) * width, rGeom.uniform(-slack, slack) * height];
  const perspective = amount(rGeom, noise, d.perspective);
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
    const jx = rGeom.uniform(-1, 1) * perspective * width;
    const jy = rGeom.uniform(-1, 1) * perspective * height;
    const ox = (x - cx) * zoom;
    const oy = (y - cy) * zoom;
    return [cx + cos * ox - sin * oy + shiftPx[0] + jx, cy + sin * ox + cos * oy + shiftPx[1] + jy] as const;
  });
  const geometric = rotationDeg !== 0 || crop !== 0 || perspective !== 0;
  const homography = geometric ? homographyFromCorners(pageCorners, corners) : IDENTITY;

  const wrinkle = amount(rWaves, noise, d.wrinkles);
  const waves: WaveComponent[] = [];
  if (wrinkle > 0) {
    const n = 10;
    for (let i = 0; i < n; i++) {
      const ridged = i % 2 === 1;
      const wavelength = (ridged ? rWaves.uniform(90, 320) : rWaves.uniform(220, 700)) * scale;
      const k = (2 * Math.PI) / wavelength;
      const angle = rWaves.uniform(0, Math.PI);
      const envWavelength = rWaves.uniform(500, 1400) * scale;
      const envAngle = rWaves.uniform(0, Math.PI);
      // |grad E| <= sum of shiftPx * k stays below 0.2: the fixed point converges fast.
      const shiftPx = ridged ? 0 : Math.min(wrinkle * 2.2 * scale * rWaves.uniform(0.5, 1), 0.2 / (n * k));
      waves.push({
        kx: k * Math.cos(angle),
        ky: k * Math.sin(angle),
        phase: rWaves.uniform(0, 2 * Math.PI),
        shiftPx,
        shade: wrinkle * (ridged ? 0.06 : 0.035) * rWaves.uniform(0.4, 1),
        ridged,
        envKx: ((2 * Math.PI) / envWavelength) * Math.cos(envAngle),
        envKy: ((2 * Math.PI) / envWavelength) * Math.sin(envAngle),
        envPhase: rWaves.uniform(0, 2 * Math.PI),
      });
    }
  }

  const creases: Crease[] = [];
  const nCreases = count(rCreases, noise, d.creases);
  for (let i = 0; i < nCreases; i++) {
    // Folds run roughly along or across the page, as when it was folded to fit a pocket or a file.
    const across = rCreases.chance(0.5);
    const angle = (across ? 0 : Math.PI / 2) + rCreases.normal(0, 0.06);
    const nx = Math.cos(angle);
    const ny = Math.sin(angle);
    const along = across ? width : height;
    const position = rCreases.uniform(0.2, 0.8) * along;
    const kinkPx = rCreases.uniform(0.6, 1.6) * scale * noise;
    creases.push({
      nx,
      ny,
      offset: nx * (across ? position : cx) + ny * (across ? cy : position),
      kinkPx: signed(rCreases, kinkPx),
      kinkWidthPx: Math.max(6 * Math.abs(kinkPx), 4),
      darkness: rCreases.uniform(0.12, 0.3) * noise,
      lineWidthPx: rCreases.uniform(1, 2.2) * scale,
      sideShade: signed(rCreases, rCreases.uniform(0.01, 0.05) * noise),
    });
  }

  const lightAngle = rLight.uniform(0, 2 * Math.PI);
  const lighting = {
    strength: amount(rLight, noise, d.shading),
    dirX: Math.cos(lightAngle),
    dirY: Math.sin(lightAngle),
    vignette: amount(rLight, noise, d.shading) * 0.8,
  };

  const blurSigmaPx = amount(rOptics, noise, d.blurPx) * scale;
  const sensorNoiseSd = amount(rOptics, noise, d.sensorNoise);
  const jpeg = amount(rOptics, noise, d.jpeg);
  const jpegQuality = jpeg > 0 ? Math.round(95 - 65 * jpeg) : 0;

  const brightness = signed(rColour, amount(rColour, noise, d.brightness));
  const contrast = 1 - amount(rColour, noise, d.contrast);
  const colourTemperature = signed(rColour, amount(rColour, noise, d.colourTemperature));

  const stains: Stain[] = [];
  const nStains = count(rStains, noise, d.stains);
  for (let i = 0; i < nStains; i++) {
    stains.push({
      kind: rStains.chance(0.6) ? 'ring' : 'blob',
      cx: rStains.uniform(0, width),
      cy: rStains.uniform(0, height),
      radiusPx: rStains.uniform(8, 30) * pxPerMm,
      opacity: rStains.uniform(0.12, 0.4),
      rgb: [rStains.int(120, 170), rStains.int(80, 110), rStains.int(30, 60)],
      wobble: [rStains.uniform(0, 0.08), rStains.uniform(0, 0.06), rStains.uniform(0, 2 * Math.PI)],
    });
  }

  const marks: Mark[] = [];
  const nMarks = count(rMarks, noise, d.marks);
  for (let i = 0; i < nMarks; i++) marks.push(drawMark(rMarks, width, height, pxPerMm));

  return {
    noise,
    rotationDeg,
    zoom,
    shiftPx,
    corners,
    homography,
    waves,
    creases,
    fieldCellPx: FIELD_CELL_PX,
    lighting,
    blurSigmaPx,
    sensorNoiseSd,
    jpegQuality,
    brightness,
    contrast,
    colourTemperature,
    stains,
    marks,
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

function waveEnvelope(w: WaveComponent, x: number, y: number): number {
  return 0.5 + 0.5 * Math.sin(w.envKx * x + w.envKy * y + w.envPhase);
}

/** The exact geometric mapping a plan describes (homography + wrinkle and crease displacement). */
export function pageMappingOf(
  plan: Pick<DistortionPlan, 'homography' | 'waves' | 'creases' | 'fieldCellPx'>,
  width: number,
  height: number,
): PageMapping {
  const shifting = plan.waves.filter((w) => w.shiftPx !== 0);
  if (shifting.length === 0 && plan.creases.length === 0) return { homography: plan.homography };
  const field = sampleField(width, height, plan.fieldCellPx, (x, y) => {
    let ex = 0;
    let ey = 0;
    for (const w of shifting) {
      const k = Math.hypot(w.kx, w.ky);
      const s = w.shiftPx * waveEnvelope(w, x, y) * Math.cos(w.kx * x + w.ky * y + w.phase);
      ex += (s * w.kx) / k;
      ey += (s * w.ky) / k;
    }
    for (const c of plan.creases) {
      const s = c.kinkPx * Math.tanh((c.nx * x + c.ny * y - c.offset) / c.kinkWidthPx);
      ex += s * c.nx;
      ey += s * c.ny;
    }
    return [ex, ey];
  });
  return { homography: plan.homography, field };
}

/** Brightness multiplier of lighting, wrinkles and the sides of folds (not the fold lines) at image pixel (x, y). */
export function smoothShadeAt(plan: DistortionPlan, width: number, height: number, x: number, y: number): number {
  const u = x / width - 0.5;
  const v = y / height - 0.5;
  const { strength, dirX, dirY, vignette } = plan.lighting;
  let m = 1 - strength * (0.5 + (u * dirX + v * dirY)) * 0.6 - vignette * (u * u + v * v) * 1.6;
  // Wrinkle shading: the slope of each wave seen under a light from (dirX, dirY).
  for (const w of plan.waves) {
    const theta = w.kx * x + w.ky * y + w.phase;
    const slope = w.ridged ? Math.sign(Math.sin(theta)) * Math.cos(theta) : Math.cos(theta);
    const k = Math.hypot(w.kx, w.ky);
    const facing = (w.kx * dirX + w.ky * dirY) / k;
    m += w.shade * waveEnvelope(w, x, y) * slope * (0.4 + 0.6 * facing);
  }
  // One side of each fold faces the light a little more than the other.
  for (const c of plan.creases) m *= 1 + c.sideShade * Math.tanh((c.nx * x + c.ny * y - c.offset) / (c.lineWidthPx * 6));
  return m;
}
