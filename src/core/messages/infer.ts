/** Messages of the inference commands (`ecg-lab digitize`, `ecg-lab classify`) and src/train/infer*.ts. */

export const modelRefNotFound = (ref: string, runsDir: string) =>
  `--model ${ref}: no cell of that name in ${runsDir} and no cell folder at that path; give <experiment>/<sweepId>/<cellId>, <sweepId>/<cellId>, a unique prefix of one, or a cell folder (list them with: ecg-lab runs)`;

export const modelRefAmbiguous = (ref: string, matches: readonly string[]) =>
  `--model ${ref} matches ${matches.length} cells: ${matches.slice(0, 8).join(', ')}${matches.length > 8 ? ', ...' : ''}; give more of the reference`;

export const cellConfigMissing = (dir: string) =>
  `${dir} is not a run cell: it has no config.json (a cell folder is runs/<experiment>/<sweepId>/cells/<cellId>)`;

export const cellConfigCorrupt = (file: string, detail: string) => `${file} is not a readable cell config: ${detail}`;

export const cellNotFinished = (cell: string, status: string) =>
  `cell ${cell} has status '${status}'; its models may be missing or not the final ones`;

export const partMissing = (cell: string, part: string, dir: string) =>
  `cell ${cell} has no trained ${part} (expected ${dir}); was the cell run to the end with this stage?`;

export const thresholdsMissing = (cell: string) =>
  `cell ${cell} logged no threshold/<class> metrics; labels use 0.5 for every class`;

export const imageUnreadable = (path: string, detail: string) =>
  `image ${path} cannot be read as a PNG or JPEG: ${detail}`;

export const imageTooSmall = (path: string, width: number, height: number) =>
  `image ${path} is ${width} x ${height} px, too small to hold an ECG page (at least 64 x 48 px)`;

export const gridScaleFallback = (path: string, scaleSource: string) =>
  `${path}: no grid found (scale from the ${scaleSource}); the time axis takes the page's scale (--time-axis page-scale) instead of the grid's`;

/** Where 'image' took the page's px per second from. */
export type ImageScaleSource = 'grid' | 'boxes' | 'page';

const SCALE_SOURCES: Record<ImageScaleSource, string> = {
  grid: "the grid's scale",
  boxes: "the ROI boxes' panel edges (one scale fitted across the page)",
  page: "the page's scale (--time-axis page-scale)",
};

export const imageScaleFallback = (path: string, source: ImageScaleSource) =>
  `${path}: no grid found; each row's px per second comes from its column bars where they are found, else from ${SCALE_SOURCES[source]}`;

export const rowStartsFallback = (path: string, source: ImageScaleSource) =>
  `${path}: no trace rows found in the image; each row's time axis is placed by the ROI boxes at ${SCALE_SOURCES[source]}`;

export const rowStartsUnmatched = (path: string, rows: readonly number[], maxShiftMm: number, maxBarShiftMm: number) =>
  `${path}: no trace row start found in the image near lead row(s) ${rows.join(', ')} (no row there, or a start more than ${maxShiftMm} mm from the ROI boxes', ${maxBarShiftMm} mm from column bars); those rows' time axes are placed by their ROI boxes`;

export const imageRowsMismatch = (path: string, found: number, expected: number) =>
  `${path}: the image shows ${found} trace row(s), the cell's layout ${expected}; the leads keep the layout's nominal boxes`;

export const roiFallback = (path: string, found: number, expected: number) =>
  `${path}: the ROI model found ${found} of ${expected} lead boxes; using the layout's nominal boxes`;

export const imageFailed = (path: string, code: string, detail: string) =>
  `${detail.includes(path) ? detail : `${path}: ${detail}`} (${code}); the other images go on`;

export const someFailed = (failed: number, total: number) => `${failed} of ${total} image(s) failed; see the messages above`;

/** main.ts prefixes every refusal with `ecg-lab <command>: `, so messages here do not. */
export const noImages = () => `give at least one image (PNG or JPEG)`;

export const modelOptionMissing = () => `--model <run> is required (a trained cell, see: ecg-lab runs)`;

export const outOptionMissing = () => `--out <dir> is required`;

export const cellConfigIncomplete = () => 'expected the composed config (render, model, digitizer, data)';

export const noRecords = () => `give at least one digitized record (its .hea file, or a folder of them)`;

export const referenceOptionMissing = () => `--reference <dir> is required (the folder of the source records, WFDB)`;

export const recordPathMissing = (path: string) => `${path}: no such file or folder (give digitized records' .hea files, or folders of them)`;

export const noHeadersIn = (dir: string) => `${dir}: no .hea files in this folder`;

export const referenceMissing = (record: string, tried: readonly string[]) =>
  `${record}: no reference record for it (looked for ${tried.map((t) => `${t}.hea`).join(', ')})`;

export const snrRecordFailed = (record: string, detail: string) => `${detail.includes(record) ? detail : `${record}: ${detail}`}; the other records go on`;

export const someRecordsFailed = (failed: number, total: number) => `${failed} of ${total} record(s) could not be scored; see the messages above`;
