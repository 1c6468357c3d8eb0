export const optionOutOfRange = (key: string, value: unknown, allowed: string) =>
  `${key} = ${JSON.stringify(value)} is out of range: ${allowed}`;

export const optionNotOneOf = (key: string, value: unknown, allowed: readonly string[]) =>
  `${key} = ${JSON.stringify(value)} is not allowed; allowed: ${allowed.join(', ')}`;

export const unknownOption = (key: string, known: readonly string[]) =>
  `${key} is not a render option; known: ${known.join(', ')}`;

export const optionNotListOf = (key: string, value: unknown, allowed: string) =>
  `${key} = ${JSON.stringify(value)} is not allowed: give a non-empty list of ${allowed}`;

export const variedRange = (lowKey: string, low: number, highKey: string, high: number) =>
  `${lowKey} = ${low} is above ${highKey} = ${high}; the range must run upwards`;

export const badColour = (key: string, value: unknown) =>
  `${key} = ${JSON.stringify(value)} is not a colour; give a name (black, blue, darkblue, navy, darkgreen, red, grey) or #rgb / #rrggbb`;

export const recordEmpty = (record: string) => `record ${record} has no samples to plot`;

export const recordLeads = (record: string, count: number) =>
  `record ${record} has ${count} signals; the renderer needs the 12 standard leads`;

export const recordFs = (record: string, fsHz: unknown) => `record ${record} has sampling frequency ${JSON.stringify(fsHz)}; it must be a number > 0`;

export const pageCount = (value: unknown) => `--n = ${JSON.stringify(value)} is not allowed: give a whole number of pages >= 1`;

export const renderedManifestMissing = (dir: string) =>
  `no render manifest in ${dir} (expected manifest.json written by the render stage)`;

export const renderedManifestInvalid = (path: string, detail: string) => `render manifest ${path} is unreadable: ${detail}`;

export const dataInputMissing = (stage: string) => `stage '${stage}' needs the output of stage 'data', which was not given`;

export const snapshotChanged = (name: string, differing: number, total: number, diffPath: string) =>
  `snapshot ${name}: ${differing} of ${total} pixels differ beyond tolerance; wrote ${diffPath}`;

export const imageOverPixelLimit = (path: string, width: number, height: number, limit: number) =>
  `image ${path} is ${width} x ${height} = ${(width * height).toLocaleString('en')} pixels, more than the ${limit.toLocaleString('en')} ` +
  `an image may have to be decoded (sharp's limitInputPixels); raise the limit with --max-pixels ${width * height} if the file is trusted`;
