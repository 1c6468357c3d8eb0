/**
 * Planning a sweep, in two steps: read the experiment and expand its sweep
 * (outlineSweep: cheap, so a command can refuse a sweep by its size first),
 * then compose, validate and check the config of every cell (composeSweep).
 * Nothing is written: a bad key or value in any cell, a missing data folder
 * included, stops the run before runs/ is touched.
 */
import { composer, readExperiment, flattenConfig, type Experiment } from '../config/compose.js';
import { parseOverrides, type ParsedOverrides } from '../config/overrides.js';
import { expandSweep, type Cell } from '../config/sweep.js';
import type { Config } from '../config/schema/index.js';
import { hashValue } from '../core/hash.js';

export interface PlannedCell {
  readonly cell: Cell;
  readonly config: Config;
  readonly configHash: string;
}

export interface SweepPlan {
  readonly experiment: Experiment;
  readonly args: readonly string[];
  readonly cells: readonly PlannedCell[];
}

/** The experiment and its expanded cells, no config composed yet: cheap, for refusing a sweep by its size. */
export interface SweepOutline {
  readonly experiment: Experiment;
  readonly args: readonly string[];
  readonly overrides: ParsedOverrides;
  readonly cells: readonly Cell[];
}

export function outlineSweep(experimentPath: string, args: readonly string[]): SweepOutline {
  const experiment = readExperiment(experimentPath);
  const overrides = parseOverrides(args);
  const cells = expandSweep({
    spec: experiment.sweep,
    where: experimentPath,
    cliAxes: overrides.axes,
    cliFixed: Object.keys(overrides.values),
  });
  return { experiment, args, overrides, cells };
}

/** Every cell's config composed, validated and checked (config/checks.ts), or the first refusal. */
export function composeSweep(outline: SweepOutline, configsDir: string): SweepPlan {
  const { experiment, overrides } = outline;
  const cellConfig = composer({ experiment, configsDir, groupChoices: overrides.groupChoices });
  return {
    experiment,
    args: outline.args,
    cells: outline.cells.map((cell) => {
      const { config } = cellConfig.compose(
        { ...overrides.values, ...cell.overrides },
        Object.keys(cell.overrides).length ? `command line / sweep cell ${cell.id}` : 'command line',
      );
      return { cell, config, configHash: hashValue(flattenConfig(config)) };
    }),
  };
}

export function planSweep(experimentPath: string, args: readonly string[], configsDir: string): SweepPlan {
  return composeSweep(outlineSweep(experimentPath, args), configsDir);
}
