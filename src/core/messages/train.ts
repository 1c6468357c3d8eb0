/** Messages of the training stages (src/train/stages/ and their helpers in src/train/). */

export const inputMissing = (stage: string, input: string) => `stage ${stage} needs the output of stage ${input}; add it to the experiment's stages`;

export const imageUnreadable = (path: string, detail: string) => `image ${path} cannot be read: ${detail}`;

export const noPages = (stage: string, split: string) =>
  `stage ${stage}: the ${split} split has no pages; use more data.records or larger data.split fractions`;

export const roiNoBoxes = (page: string, found: number, expected: number) =>
  `roi: the heatmap of ${page} gave ${found} lead boxes, expected ${expected}; using the nominal layout for this page`;

export const leadMissing = (page: string, row: number, col: number) => `page ${page} has no lead at row ${row}, column ${col} of its layout`;

export const digitizedMissing = (path: string) => `digitized signals ${path} are missing or truncated; re-run stage digitizer`;

export const cacheEntryUnverifiable = (dir: string, aside: string) =>
  `cache entry ${dir} was written before entries recorded the size and sha256 of their files, so it cannot be checked: moved aside to ${aside}; it will be recomputed`;

export const cacheFileDamaged = (dir: string, file: string, detail: string, aside: string) =>
  `cache entry ${dir}: ${file} ${detail}: moved aside to ${aside}; it will be recomputed`;

export const undeclaredKey = (stage: string, key: string, declared: readonly string[]) =>
  `stage ${stage} read config key ${key}, which is not in its configKeys (${declared.join(', ')}); ` +
  `its cache key would not change with ${key}: add the key to the stage's configKeys or take the value from an input stage's manifest`;

export const configReadOnly = (stage: string, key: string) => `stage ${stage} tried to set config key ${key}; a stage's config is read-only`;

export const roiBoxesMissing = (record: string) => `roi boxes have no page ${record}`;

export const noCleanCrops = (stage: string) => `stage ${stage} asked for clean-twin crops, but its crop sets were cut without them`;

export const noCleanTwin = (stage: string, record: string) =>
  `stage ${stage} needs the clean twin of page ${record}, but the render stage wrote none (it writes them only when digitizer.denoise is on)`;

export const needsLabels = (stage: string, records: number) =>
  `stage ${stage} needs labelled records, but none of the ${records} training records has a label (no '# Labels:' line, or only empty ones); ` +
  `on unlabelled data run only the stages that need none (data, render, roi, denoise, digitizer): 'stages: [digitizer]' in the experiment, as experiments/real-signals.yaml does`;
