/**
 * Page text as glyph outlines from a font the project ships, so a page is the
 * same bytes on every machine. An SVG `<text>` element is drawn by librsvg
 * with whatever fonts the machine's fontconfig offers, which made the header,
 * lead names and footer differ between machines for the same seed (issue 15).
 * Here each string becomes one `<path>` built from Arimo (metric-compatible
 * with Arial/Helvetica, SIL OFL 1.1, npm @fontsource/arimo), so the
 * rasteriser only ever fills paths.
 *
 * Units are those of the caller's SVG user space (mm on ecg-lab pages): a
 * glyph outline in font units is scaled by sizeUnits / unitsPerEm, and y is
 * the baseline, as for SVG `<text>`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import opentype from 'opentype.js';

export type FontWeight = 'normal' | 'bold';
export type TextAnchor = 'start' | 'end';

export interface TextSpec {
  readonly text: string;
  readonly x: number;
  /** Baseline. */
  readonly y: number;
  /** Font size (the em) in user units. */
  readonly size: number;
  readonly weight?: FontWeight;
  readonly anchor?: TextAnchor;
}

const FONT_FILES: Readonly<Record<FontWeight, string>> = {
  normal: '@fontsource/arimo/files/arimo-latin-400-normal.woff',
  bold: '@fontsource/arimo/files/arimo-latin-700-normal.woff',
};

const fonts = new Map<FontWeight, opentype.Font>();

function font(weight: FontWeight): opentype.Font {
  let loaded = fonts.get(weight);
  if (!loaded) {
    const bytes = readFileSync(createRequire(import.meta.url).resolve(FONT_FILES[weight]));
    loaded = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    fonts.set(weight, loaded);
  }
  return loaded;
}

/** Advance width of `text` in user units (kerning included). */
export function textWidth(text: string, size: number, weight: FontWeight = 'normal'): number {
  return font(weight).getAdvanceWidth(text, size, { kerning: true });
}

/** The SVG path data (`d`) of `text` set at (x, y) in the shipped font; 3 decimals. */
export function textPathData(spec: TextSpec): string {
  const weight = spec.weight ?? 'normal';
  const x = spec.anchor === 'end' ? spec.x - textWidth(spec.text, spec.size, weight) : spec.x;
  return font(weight).getPath(spec.text, x, spec.y, spec.size, { kerning: true }).toPathData(3);
}

/** One `<path>` element drawing `text`; it takes its fill from the enclosing group. */
export function textPath(spec: TextSpec): string {
  const d = textPathData(spec);
  return d === '' ? '' : `<path d="${d}"/>`;
}
