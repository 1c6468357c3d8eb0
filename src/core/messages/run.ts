export const sweepNotFound = (id: string, runsDir: string) =>
  `no sweep '${id}' in ${runsDir} (list them with: ecg-lab runs)`;

export const stageUnknown = (name: string, known: readonly string[]) =>
  `stage '${name}' is not registered; registered stages: ${known.join(', ')}`;

export const stageInputMissing = (stage: string, input: string) =>
  `stage '${stage}' reads '${input}', which is not in the stage graph`;

export const pluginUnloadable = (module: string, detail: string) => `cannot load stage plugin ${module} (ECG_LAB_PLUGINS): ${detail}`;

export const pluginWithoutStages = (module: string) => `stage plugin ${module} (ECG_LAB_PLUGINS) must export 'stages', a list of stages`;

/** Why a cell stopped before its next stage: its run was aborted (the signal it was handed fired). */
export const cancelled = () => 'cancelled';

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

export const forcedStageUnknown = (name: string, stages: readonly string[]) =>
  `--force ${name}: no such stage in this experiment; its stages: ${stages.join(', ')}`;

export const headMoved = (sweep: string, createdAt: string, now: string) =>
  `HEAD moved since sweep ${sweep} was created (${createdAt.slice(0, 12)} -> ${now.slice(0, 12)}): the cells resumed now run the new code and record commit ${now.slice(0, 12)}; compare them with care (ecg-lab diff)`;

export const noCacheAndForce = () => '--no-cache already runs every stage again; give it or --force STAGE, not both';

export const forceNeedsStage = () => '--force takes a stage name (or several, comma-separated)';

export const interruptFirst = (signal: string) =>
  signal === 'SIGINT' ? 'stopping after the current step; Ctrl-C again to stop now' : `${signal}: stopping after the current step; again to stop now`;

export const interrupted = (sweep: string) => `stopped; ecg-lab resume ${sweep} finishes the cells that did not`;

export const estimateNone = (stageRuns: number, runsDir: string) =>
  stageRuns === 0
    ? 'estimated time: none to speak of, every stage comes from the cache'
    : `estimated time: none yet (no earlier run in ${runsDir} timed these stages; a first run records them)`;

export const estimate = (time: string, stageRuns: number, same: number, other: number, untimed: readonly string[], jobs: number) =>
  `estimated time: about ${time} for ${stageRuns} stage run(s)${jobs > 1 ? ` with --jobs ${jobs}` : ''}, ` +
  `from earlier runs (${same} with the same settings${other > 0 ? `, ${other} with other settings` : ''})` +
  (untimed.length > 0 ? `; not counted, no timing yet: ${untimed.join(', ')}` : '');

export const tagNeedsStoreCell = (label: string) => `${label} is a folder outside a run store: tag takes <experiment>/<sweep>/<cell>`;

export const tagBadPair = (pair: string) => `'${pair}' is not a tag: give name=value`;

export const tagReserved = (name: string) => `'${name}' is one of ecg-lab's own tags; choose another name (e.g. note.${name.split('.').pop()})`;

export const filterBadPair = (flag: string, value: string) => `${flag} ${value}: give key=value`;
