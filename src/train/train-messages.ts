/**
 * Messages of the training stages. They belong with the others in
 * src/core/messages/ (owned elsewhere); kept here until they move.
 */
export const trainMessages = {
  inputMissing: (stage: string, input: string) => `stage ${stage} needs the output of stage ${input}; add it to the experiment's stages`,
  imageUnreadable: (path: string, detail: string) => `image ${path} cannot be read: ${detail}`,
  noPages: (stage: string, split: string) => `stage ${stage}: the ${split} split has no pages; use more data.records or larger data.split fractions`,
  roiNoBoxes: (page: string, found: number, expected: number) =>
    `roi: the heatmap of ${page} gave ${found} lead boxes, expected ${expected}; using the nominal layout for this page`,
  leadMissing: (page: string, row: number, col: number) => `page ${page} has no lead at row ${row}, column ${col} of its layout`,
  digitizedMissing: (path: string) => `digitized signals ${path} are missing or truncated; re-run stage digitizer`,
} as const;
