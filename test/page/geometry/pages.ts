/**
 * Rendered pages with their ground truth for the geometry tests: the
 * PTB-XL record 00001_lr drawn by src/render at 100 DPI, decoded as
 * page/geometry reads any page.
 */
import { readPtbxl00001 } from '../../render/fixtures.js';
import { renderPage, type PageGroundTruth, type RenderConfigInput } from '../../../src/render/index.js';
import { readPageChannels, type PageChannels } from '../../../src/page/geometry/index.js';

export interface TestPage {
  readonly channels: PageChannels;
  readonly gt: PageGroundTruth;
}

const record = readPtbxl00001();

/** Every distortion off but those named (strengths at render.noise = 1). */
export const ONLY = {
  rotationDeg: 0,
  perspective: 0,
  crop: 0,
  wrinkles: 0,
  creases: 0,
  blurPx: 0,
  sensorNoise: 0,
  jpeg: 0,
  brightness: 0,
  contrast: 0,
  colourTemperature: 0,
  shading: 0,
  stains: 0,
  marks: 0,
};

export async function testPage(config: RenderConfigInput, seed: number): Promise<TestPage> {
  const page = await renderPage(record, { dpi: 100, ...config }, { seed, cleanTwin: false });
  return { channels: await readPageChannels(page.image), gt: page.groundTruth };
}
