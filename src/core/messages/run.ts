export const sweepNotFound = (id: string, runsDir: string) =>
  `no sweep '${id}' in ${runsDir} (list them with: ecg-lab runs)`;

export const stageUnknown = (name: string, known: readonly string[]) =>
  `stage '${name}' is not registered; registered stages: ${known.join(', ')}`;

export const stageInputMissing = (stage: string, input: string) =>
  `stage '${stage}' reads '${input}', which is not in the stage graph`;

export const stageRegisteredTwice = (name: string) => `stage '${name}' is registered twice: each stage name names one stage`;

export const stageCycle = (names: readonly string[]) => `the stage graph has a cycle through: ${names.join(' -> ')}`;

export const stageFailed = (stage: string, cell: string, detail: string) => `stage '${stage}' failed in cell ${cell}: ${detail}`;

export const cacheEntryCorrupt = (path: string, detail: string) =>
  `cache entry ${path} is unreadable (${detail}); it will be recomputed`;

export const cellFailed = (cell: string, detail: string) => `cell ${cell} failed: ${detail}`;

export const metricLineSkipped = (file: string, line: number, detail: string) =>
  `${file}:${line} is not a metric point (${detail}): skipped; a line cut short by a full disk or a killed write loses that point only`;

export const sweepNeedsYes = (experimentPath: string, cells: number, stages: number, limit: number) =>
  `${experimentPath} expands to ${cells} cells x ${stages} stage(s) = up to ${cells * stages} stage runs, ` +
  `and every cell gets its folder under the run store before any stage runs; above ${limit} cells, add --yes to run it ` +
  `(or narrow the sweep; --dry-run lists the cells and what the cache holds)`;

export const gcSummary = (folders: number, size: string, cacheDir: string, dryRun: boolean) =>
  folders === 0
    ? `nothing to free in ${cacheDir}`
    : `${dryRun ? 'would free' : 'freed'} ${size} in ${folders} folder${folders === 1 ? '' : 's'} of ${cacheDir}${dryRun ? ' (dry run: nothing removed)' : ''}`;

export const cellRunMissing = (cellId: string, sweepId: string) => `cell ${cellId} of sweep ${sweepId} has no run.json`;

export const jsonInvalid = (file: string, detail: string) => `${file} is not valid JSON: ${detail}`;

export const cacheEntryMismatch = (stage: string, key: string) => `entry.json names ${stage}/${key}`;
