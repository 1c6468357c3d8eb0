/**
 * vega-lite spec -> SVG (vega's headless renderer, no browser, no canvas)
 * -> PNG (sharp). The CLI, the HTML report and the notebooks all draw
 * through here, so a plot looks the same everywhere.
 */
import sharp from 'sharp';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface RenderedPlot {
  svg: string;
  /** Size of the SVG in CSS pixels. */
  width: number;
  height: number;
}

export async function renderSvg(spec: TopLevelSpec): Promise<RenderedPlot> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
    return { svg, width: Number(size?.[1] ?? 0), height: Number(size?.[2] ?? 0) };
  } finally {
    view.finalize();
  }
}

/** PNG of an SVG at `scale` x its size (2: sharp on high-density screens and in print). */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

export async function renderPng(spec: TopLevelSpec, scale = 2): Promise<{ png: Buffer; width: number; height: number }> {
  const plot = await renderSvg(spec);
  return { png: await svgToPng(plot.svg, scale), width: Math.round(plot.width * scale), height: Math.round(plot.height * scale) };
}
