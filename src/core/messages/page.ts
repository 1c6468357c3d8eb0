/** Messages of the page geometry found from the image (src/page/geometry/). */

export const imageUnreadable = (source: string, detail: string) => `image ${source} cannot be read as a page: ${detail}`;

export const pxPerMmRangeInvalid = (low: number, high: number) =>
  `pxPerMmRange [${low}, ${high}] is not a range of grid scales: give 0 < low < high with high / low below 2 (a wider range lets a 2 mm or 0.5 mm comb pass for the 1 mm grid)`;

export const imageTooSmall = (width: number, height: number) =>
  `a ${width} x ${height} px image is too small to find an ECG grid or layout in (at least 64 x 48 px)`;
