/** Messages of comparison reports: tables, plots, the HTML page, notebooks. */

export const refNotFound = (ref: string, where: string) =>
  `no experiment, sweep or run '${ref}' in ${where} (list them with: ecg-lab runs)`;

export const noRuns = (refs: readonly string[], where: string) => `nothing to compare: ${refs.join(', ') || '(no ids)'} found no runs in ${where}`;

export const latestSweep = (experiment: string, sweepId: string, count: number) =>
  `experiment '${experiment}' has ${count} sweeps; comparing the latest, ${sweepId} (name a sweep id to choose another)`;

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
