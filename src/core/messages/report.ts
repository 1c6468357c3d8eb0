/** Messages of comparison reports: tables, plots, the HTML page, notebooks. */

export const refNotFound = (ref: string, where: string) =>
  `no experiment, sweep or run '${ref}' in ${where} (list them with: ecg-lab runs)`;

export const noRuns = (refs: readonly string[], where: string) => `nothing to compare: ${refs.join(', ') || '(no ids)'} found no runs in ${where}`;

/** `earlier`: the experiment's other sweeps, oldest first (at least one). */
export const latestSweep = (experiment: string, sweepId: string, cells: number, earlier: readonly string[]) =>
  `'${experiment}' is its latest sweep, ${sweepId} (${cells} cell${cells === 1 ? '' : 's'}); ` +
  `it has ${earlier.length} earlier: ${earlier.slice(-3).reverse().join(', ')}${earlier.length > 3 ? ', ...' : ''} ` +
  `(name sweep ids to compare them, e.g. ecg-lab compare ${earlier[earlier.length - 1]} ${sweepId})`;

export const badPivot = (text: string) =>
  `--pivot '${text}' is not understood; write e.g. 'rows=model.hierarchy,digitizer.roi cols=render.noise value=f1/macro,snr/mean'`;

export const unknownKey = (what: string, key: string, known: readonly string[]) =>
  `${what} '${key}' is not a swept key of these runs; swept keys: ${known.join(', ') || '(none)'}`;

export const badBaseline = (text: string) => `--baseline '${text}' must be key=value pairs separated by commas, e.g. model.hierarchy=false,digitizer.roi=false`;

export const baselineNotFound = (text: string) => `no cell matches --baseline ${text}; differences are left out`;

export const mixedData = (digests: readonly string[]) =>
  `the runs were made on different data (${digests.join('; ')}): their figures are not comparable`;

export const badFormat = (format: string, allowed: readonly string[]) => `--format ${format} is not one of ${allowed.join(', ')}`;

export const badTraces = (file: string, detail: string) => `${file} is not a traces file of the expected format (docs/compare.md): ${detail}`;

export const mlflowNeedsUri = () => `--from mlflow needs a server: pass --uri http://host:port or set MLFLOW_TRACKING_URI`;

export const mlflowExperimentNotFound = (name: string, uri: string) => `MLflow at ${uri} has no experiment '${name}'`;

export const mlflowSweepNotFound = (ref: string, uri: string) => `MLflow at ${uri} has no sweep '${ref}' (parent run with tag ecg-lab.sweep)`;

export const badRecordFile = (file: string, detail: string) => `${file} is not a per-record output file of ecg-lab (docs/reproducibility.md): ${detail}`;

export const recordFileDisagrees = (file: string, metric: string, fromFile: number, reported: number) =>
  `${file} gives ${metric} = ${fromFile.toFixed(4)} on all its test records but the cell reports ${reported.toFixed(4)}: left out of the bootstrap`;

export const noRecordFiles = () => 'no per-record outputs';

export const noRecordFilesWhy = () =>
  `'no per-record outputs': cells made before ecg-lab kept them (re-run the sweep: the classifier and hierarchical stages run again, the rest comes from the cache), or loaded from MLflow`;

export const notBootstrapped = (metrics: readonly string[]) => `bootstrapped over records: ${metrics.join(', ')} only`;

export const recordsDiffer = (a: string, b: string) => `${a} and ${b} were scored on different records or data (data.digest): no paired bootstrap`;

/** compare --expect: `where` is the place in the file, e.g. checks[2].tolerance. */
export const badExpect = (file: string, where: string, detail: string) => `${file}, ${where}: ${detail} (docs/reproducibility.md, Expected numbers)`;

export const notOneOf = (what: string, allowed: readonly string[]) => `not a known ${what}; allowed: ${allowed.join(', ')}`;

export const badTolerance = () => `needs a tolerance: a mapping with abs (absolute), ci (multiples of the 95% interval's half-width) and/or sd (multiples of the sd over seeds), each >= 0, e.g. { abs: 0.05 } or { ci: 1 }`;

export const unknownExpectMetric = (metric: string, near: readonly string[], allowed: readonly string[]) =>
  `unknown metric '${metric}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; allowed: ${allowed.join(', ')}, or any metric the runs logged`;

export const unknownArmKey = (key: string, near: readonly string[], swept: readonly string[]) =>
  `'${key}' is neither a swept key nor a config key of these runs${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; swept keys: ${swept.join(', ') || '(none)'}`;

export const armMatchesNothing = (arm: Record<string, unknown>, seen: readonly string[]) =>
  `no cell has ${Object.entries(arm).map(([k, v]) => `${k} = ${String(v)}`).join(', ')}; the runs have ${seen.join('; ')}`;

export const expectNoValue = (metric: string, statuses: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return `no finished cell of the arm has ${metric} (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')})`;
};

export const expectNeedsSeeds = () => `the tolerance is in units of the spread over seeds and the arm has one seed (n = 1): add seeds or an abs tolerance`;

export const expectAbsOnly = () => `n = 1: abs tolerance only`;

export const badResamples = (text: string) => `--bootstrap ${text} is not a whole number of resamples >= 0 (0 turns the bootstrap off)`;

export const bootstrapLocalOnly = () => `no bootstrap over records: the per-record outputs are read from the local run store (compare without --from mlflow)`;
