import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { EcgError } from '../../core/errors.js';
import { cliMessages, reportMessages as msg } from '../../core/messages.js';
import { MlflowClient } from '../../tracking/mlflow/client.js';
import { authFromEnv, trackingUri } from '../../tracking/mlflow/auth.js';
import {
  buildComparison,
  expectExitCode,
  loadLocalRuns,
  loadMlflowRuns,
  parseBaseline,
  parseExpect,
  parsePivotSpec,
  recordBootstrap,
  toCsvText,
  toHtml,
  toJsonText,
  toMarkdown,
  type RunSet,
} from '../../report/index.js';

const FORMATS = ['md', 'csv', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare runs: the ablation table (mean ± std over seeds), differences to a baseline, plots, an HTML report',
  usage: `ecg-lab compare <experiment | sweep | run ids...> [--from local|mlflow] [--format md|csv|json|html] [--out FILE]
                  [--pivot 'rows=a,b cols=c value=f1/macro,snr/mean'] [--baseline key=value,...] [--runs DIR] [--uri URI]
                  [--stats [--bootstrap B]] [--expect FILE]

  <ids>        an experiment (its latest sweep), a sweep id or prefix, experiment/sweep, or sweep/cell
  --from       local run store (default) or MLflow alone (--uri or $MLFLOW_TRACKING_URI)
  --format     md (default), csv (one row per cell), json, html (one self-contained page with the plots)
  --out FILE   write there instead of stdout
  --pivot      the ablation table's rows, columns and values (default: rows = swept keys but render.noise
               and seed, cols = render.noise, value = f1/macro,snr/mean)
  --baseline   add differences against the cells with these values, e.g. model.hierarchy=false,digitizer.roi=false
  --stats      per arm (cells differing only in seeds) the mean with its 95% t interval; with --baseline the
               difference paired by seed, its interval, a paired t-test, an exact Wilcoxon test and d_z;
               from the local store also a percentile bootstrap over test records of f1/macro and snr/mean
               (the cells' per-record outputs), paired against the baseline on the same records
  --bootstrap B  resamples of that bootstrap (default 2000; 0: none)
  --expect FILE  expected numbers with tolerances (YAML, docs/reproducibility.md), judged PASS / FAIL / MISSING;
               exit code 0 all pass, 1 a check failed, 3 none failed but some could not be judged (MISSING)

Failed or never-run cells show as 'failed' / 'missing', never as 0; every table names its split, data and noise.`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['from', 'format', 'out', 'pivot', 'baseline', 'runs', 'uri', 'bootstrap', 'expect'], flags: ['stats'] });
    if (parsed.flags.has('help') || parsed.positionals.length === 0) {
      io.out(this.usage);
      return parsed.flags.has('help') ? 0 : 2;
    }
    const format = (parsed.options.get('format') ?? 'md') as Format;
    if (!FORMATS.includes(format)) throw new EcgError('USAGE', msg.badFormat(format, FORMATS));
    const resamples = Number(parsed.options.get('bootstrap') ?? 2000);
    if (!Number.isInteger(resamples) || resamples < 0) throw new EcgError('USAGE', msg.badResamples(parsed.options.get('bootstrap') ?? ''));
    const expectPath = parsed.options.get('expect');
    const expect = expectPath ? parseExpect(await readExpectFile(resolve(io.cwd, expectPath), expectPath), expectPath) : undefined;
    const set = await loadRuns(parsed.options.get('from') ?? 'local', parsed, io);
    const pivotText = parsed.options.get('pivot');
    const baselineText = parsed.options.get('baseline');
    const cmp = buildComparison(set, {
      ...(pivotText ? { pivot: parsePivotSpec(pivotText, set.sweptKeys) } : {}),
      ...(baselineText ? { baseline: parseBaseline(baselineText) } : {}),
      stats: parsed.flags.has('stats'),
      ...(expect ? { expect } : {}),
    });
    if (cmp.stats && resamples > 0 && set.source === 'local') cmp.stats.records = await recordBootstrap(cmp.stats, { resamples });
    else if (cmp.stats && resamples > 0) cmp.warnings.push(msg.bootstrapLocalOnly());
    for (const warning of cmp.warnings) io.logger.warn(warning);
    const text = format === 'md' ? toMarkdown(cmp) : format === 'csv' ? toCsvText(cmp) : format === 'json' ? toJsonText(cmp) : await toHtml(cmp);
    const out = parsed.options.get('out');
    if (out) {
      await writeFile(resolve(io.cwd, out), text);
      io.logger.info(`wrote ${out}`);
    } else {
      io.out(text.replace(/\n$/, ''));
    }
    return cmp.expect ? expectExitCode(cmp.expect) : 0;
  },
};

async function readExpectFile(path: string, given: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new EcgError('USAGE', msg.badExpect(given, '(file)', (error as Error).message), { cause: error });
  }
}

async function loadRuns(from: string, parsed: ReturnType<typeof parseArgs>, io: Parameters<Command['run']>[1]): Promise<RunSet> {
  if (from === 'local') return loadLocalRuns(runsDirFor(parsed.options.get('runs'), io.env, io.cwd), parsed.positionals, io.logger);
  if (from !== 'mlflow') throw new EcgError('USAGE', cliMessages.fromNotOneOf(from));
  const uri = trackingUri(parsed.options.get('uri'), parsed.options.has('uri') ? {} : io.env);
  if (!uri) throw new EcgError('USAGE', msg.mlflowNeedsUri());
  const client = new MlflowClient({ uri, auth: authFromEnv(io.env), logger: io.logger });
  return loadMlflowRuns(client, parsed.positionals);
}
