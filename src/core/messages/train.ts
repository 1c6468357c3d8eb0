/** Messages of the training stages (src/train/stages/ and their helpers in src/train/). */

export const inputMissing = (stage: string, input: string) => `stage ${stage} needs the output of stage ${input}; add it to the experiment's stages`;

export const imageUnreadable = (path: string, detail: string) => `image ${path} cannot be read: ${detail}`;

export const noPages = (stage: string, split: string) =>
  `stage ${stage}: the ${split} split has no pages; use more data.records or larger data.split fractions`;

export const roiNoBoxes = (page: string, found: number, expected: number) =>
  `roi: the heatmap of ${page} gave ${found} lead boxes, expected ${expected}; using the nominal layout for this page`;

export const leadMissing = (page: string, row: number, col: number) => `page ${page} has no lead at row ${row}, column ${col} of its layout`;

export const digitizedMissing = (path: string) => `digitized signals ${path} are missing or truncated; re-run stage digitizer`;
