/**
 * `ecg-lab runs`: every sweep's cells with status, what each cell sets (its
 * sweep coordinates and the values fixed on the sweep's command line), key
 * metrics and time; a running cell shows its current stage and how long it
 * has been running.
 */
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { formatTable } from '../table.js';
import { duration } from '../duration.js';
import { KEY_METRICS } from '../results-table.js';
import { parseOverrides, parseScalar } from '../../config/overrides.js';
import { EcgError, isEcgError } from '../../core/errors.js';
import { stableStringify } from '../../core/hash.js';
import { runMessages } from '../../core/messages.js';
import { RunStore, type CellRun, type SweepRun } from '../../tracking/run-store.js';


export const runsCommand: Command = {
  name: 'runs',
  summary: 'list sweeps and their cells with status, current stage, key metrics and time',
  usage: `ecg-lab runs [experiment] [--where key=value] [--tag name=value] [--runs DIR]

  --where key=value   only cells whose config has this value (a dotted key: render.noise=0.5, seed.train=1)
  --tag name=value    only cells with this tag (ecg-lab tag sets user tags)

  overrides   what the cell sets: its sweep values and the key=value fixed on the sweep's command line
  stage       a running cell's current stage (n of the sweep's stages); a failed cell's failed stage
  time        a finished cell's duration; a running cell's time so far`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs', 'where', 'tag'] });
    const where = filterPair(parsed.options.get('where'), '--where');
    const tag = filterPair(parsed.options.get('tag'), '--tag');
    const store = new RunStore(runsDirFor(parsed.options.get('runs'), io.env, io.cwd), io.logger);
    const sweeps = await store.listSweeps(parsed.positionals[0]);
    if (sweeps.length === 0) {
      io.out(`no runs in ${store.root}`);
      return 0;
    }
    const now = Date.now();
    const rows: string[][] = [];
    for (const sweep of sweeps) {
      const fixed = fixedOverrides(sweep);
      for (const { id, overrides } of sweep.cells) {
        const cell = await store.readCell(sweep.experiment, sweep.id, id);
        if ((where || tag) && !cell) continue;
        if (where && cell && stableStringify(cell.params[where[0]] ?? null) !== stableStringify(parseScalar(where[1]))) continue;
        if (tag && cell && cell.tags[tag[0]] !== tag[1]) continue;
        const metrics = cell ? await store.latestMetrics(cell) : {};
        rows.push([
          sweep.experiment,
          sweep.id,
          id,
          cell?.status ?? 'missing',
          cell ? stageText(cell, sweep) : '',
          Object.entries({ ...fixed, ...overrides }).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' '),
          ...KEY_METRICS.map((m) => (metrics[m] === undefined ? '' : (metrics[m] as number).toFixed(3))),
          cell ? timeText(cell, now) : '',
        ]);
      }
    }
    io.out(formatTable(['experiment', 'sweep', 'cell', 'status', 'stage', 'overrides', ...KEY_METRICS, 'time'], rows));
    return 0;
  },
};

/** The key=value and group=option the sweep's command line fixed for every cell (its axes are in the cells' overrides). */
function fixedOverrides(sweep: SweepRun): Record<string, unknown> {
  try {
    const parsed = parseOverrides(sweep.args);
    return { ...parsed.groupChoices, ...parsed.values };
  } catch (error) {
    if (isEcgError(error)) return {};
    throw error;
  }
}

/** `digitizer (4/6)` for the stage a running cell is in; the failed stage of a failed cell. */
function stageText(cell: CellRun, sweep: SweepRun): string {
  const wanted = cell.status === 'running' ? 'running' : cell.status === 'failed' ? 'failed' : undefined;
  if (!wanted) return '';
  const name = Object.entries(cell.stages).find(([, record]) => record.status === wanted)?.[0];
  if (!name) return '';
  const index = sweep.stages.indexOf(name);
  return index < 0 ? name : `${name} (${index + 1}/${sweep.stages.length})`;
}

function timeText(cell: CellRun, now: number): string {
  if (!cell.startedAt) return '';
  const started = Date.parse(cell.startedAt);
  if (cell.endedAt) return duration(Date.parse(cell.endedAt) - started);
  return cell.status === 'running' ? `${duration(now - started)} so far` : '';
}

/** `key=value` of a filter option, or undefined when the option is absent. */
function filterPair(option: string | undefined, flag: string): [string, string] | undefined {
  if (option === undefined) return undefined;
  const eq = option.indexOf('=');
  if (eq <= 0) throw new EcgError('USAGE', runMessages.filterBadPair(flag, option));
  return [option.slice(0, eq).trim(), option.slice(eq + 1)];
}
