import type { Command, Io } from '../command.js';
import { parseArgs, intOption } from '../args.js';
import { configsDirFor, experimentFile, runsDirFor } from '../paths.js';
import { runnerEnv, stageRegistry } from '../runner-env.js';
import { composeSweep, outlineSweep, type SweepOutline } from '../../train/plan.js';
import { createSweep, dryRun, type Rebuild } from '../../train/runner.js';
import { LAUNCHER_ARGS, LAUNCHER_USAGE, launcherFrom } from '../launcher-options.js';
import { formatTable } from '../table.js';
import { launchSweep } from '../launch-sweep.js';
import { estimateRun, type RunEstimate } from '../run-estimate.js';
import { duration } from '../duration.js';
import { trackingUri } from '../../tracking/mlflow/auth.js';
import { resolveStages, type StageRegistry } from '../../train/graph.js';
import type { SweepPlan } from '../../train/plan.js';
import { EcgError } from '../../core/errors.js';
import { runMessages } from '../../core/messages.js';

/**
 * Above this many cells `run` wants --yes: every cell gets its folder, config
 * and run record under runs/ before any stage runs (10,000 cells wrote about
 * 200 MB), and a typo such as one axis too many multiplies the compute.
 */
export const CONFIRM_ABOVE_CELLS = 256;

/** Load the backend up front when any stage trains, so the run's first line says which. */
function sweepUsesBackend(plan: SweepPlan, registry: StageRegistry): boolean {
  return resolveStages(registry, plan.experiment.stages).some((s) => s.usesBackend === true);
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run an experiment: every cell of its sweep, stages from the cache where they can be',
  usage: `ecg-lab run <experiment.yaml | name> [key=value ...] [key=v1,v2 ...] [group=option ...] [--jobs N] [--dry-run] [--yes] [--runs DIR]
                   [--no-cache | --force STAGE[,STAGE...]]
                   [--launcher local|slurm [--slurm.partition P ...] [--no-wait]]

  name           an experiment by name: experiments/<name>.yaml (e.g. ecg-lab run quickstart)
  key=value      override a config key (after the experiment's own values)
  key=v1,v2,v3   sweep a key over values (adds a grid axis to the experiment's sweep)
  group=option   take configs/<group>/<option>.yaml for a config group
  --jobs N       run N cells at a time, each in its own process (default 1)
  --dry-run      list the cells and, per stage, whether it would come from the cache; estimate the time
                 from the stage timings of earlier runs in the run store
  --no-cache     run every stage again instead of reading the cache; the new entries replace the old
  --force STAGE  run STAGE again, and every stage that reads it (directly or not); comma-separated for several
  --yes          run a sweep of more than ${CONFIRM_ABOVE_CELLS} cells (refused without it, before anything is written)
  --runs DIR     run store folder (default ./runs, or $ECG_LAB_RUNS)
${LAUNCHER_USAGE}`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['jobs', 'runs', 'force', ...LAUNCHER_ARGS.withValue], flags: ['dry-run', 'yes', 'no-cache', ...LAUNCHER_ARGS.flags] });
    const [experimentRef, ...overrides] = parsed.positionals;
    if (!experimentRef) {
      io.out(this.usage);
      return 2;
    }
    const experimentPath = experimentFile(experimentRef, io.cwd);
    const runsDir = runsDirFor(parsed.options.get('runs'), io.env, io.cwd);
    const jobs = intOption(parsed, 'jobs', 1);
    const launcher = launcherFrom(parsed, io);
    const rebuild = rebuildFrom(parsed.flags.has('no-cache'), parsed.options.get('force'));
    const outline = outlineSweep(experimentPath, overrides);
    if (!parsed.flags.has('dry-run') && !parsed.flags.has('yes')) await refuseLargeSweep(outline, io);
    const plan = composeSweep(outline, configsDirFor(experimentPath, io.cwd));
    const uri = parsed.flags.has('dry-run') ? undefined : trackingUri(plan.cells[0]?.config.tracking.uri, io.env);
    const env = await runnerEnv(io, runsDir, { jobs, trackingUri: uri });
    try {
      if (parsed.flags.has('dry-run')) {
        const lines = dryRun(plan, env.options, rebuild);
        printDryRun(io, plan.cells.length, lines);
        io.out(estimateText(await estimateRun(plan, lines, env.options.store, env.options.registry, jobs), runsDir, jobs));
        return 0;
      }
      const first = plan.cells[0];
      if (first && sweepUsesBackend(plan, env.options.registry)) await env.options.prepareBackend?.(first.config);
      const sweep = await createSweep(plan, env.options, rebuild);
      io.logger.info(`sweep ${sweep.experiment}/${sweep.id}: ${plan.cells.length} cell(s), stages ${sweep.stages.join(' -> ') || '(none)'}`);
      return await launchSweep(io, env, launcher, sweep, sweep.cells.map((c) => c.id));
    } finally {
      env.dispose();
    }
  },
};

function rebuildFrom(noCache: boolean, force: string | undefined): Rebuild | undefined {
  if (noCache && force !== undefined) throw new EcgError('USAGE', runMessages.noCacheAndForce());
  if (noCache) return { all: true };
  if (force === undefined) return undefined;
  const stages = force.split(',').map((s) => s.trim()).filter(Boolean);
  if (stages.length === 0) throw new EcgError('USAGE', runMessages.forceNeedsStage());
  return { stages };
}

/** USAGE (exit 2) when the sweep has more than CONFIRM_ABOVE_CELLS cells, saying how many cells and stage runs. */
async function refuseLargeSweep(outline: SweepOutline, io: Io): Promise<void> {
  const cells = outline.cells.length;
  if (cells <= CONFIRM_ABOVE_CELLS) return;
  const stages = resolveStages(await stageRegistry(io), outline.experiment.stages).length;
  throw new EcgError('USAGE', runMessages.sweepNeedsYes(outline.experiment.path, cells, stages, CONFIRM_ABOVE_CELLS));
}

function estimateText(estimate: RunEstimate, runsDir: string, jobs: number): string {
  const timed = estimate.sameSettings + estimate.otherSettings;
  if (timed === 0) return runMessages.estimateNone(estimate.stageRuns, runsDir);
  return runMessages.estimate(duration(estimate.totalMs), estimate.stageRuns, estimate.sameSettings, estimate.otherSettings, estimate.untimed, jobs);
}

function printDryRun(io: Io, cells: number, lines: ReturnType<typeof dryRun>): void {
  io.out(`${cells} cell(s)`);
  io.out(
    formatTable(
      ['cell', 'stage', 'cache key', 'from cache'],
      lines.map((l) => [l.cellId, l.stage, l.key, l.cached ? 'yes' : 'no']),
    ),
  );
}
