/**
 * Planning a sweep: read the experiment, expand the sweep, compose and
 * validate the config of every cell. Nothing is written: a bad key or value
 * in any cell stops the run before runs/ is touched.
 */
import { compose, readExperiment, flattenConfig, type Experiment } from '../config/compose.js';
import { parseOverrides } from '../config/overrides.js';
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

export function planSweep(experimentPath: string, args: readonly string[], configsDir: string): SweepPlan {
  const experiment = readExperiment(experimentPath);
  const parsed = parseOverrides(args);
  const cells = expandSweep({
    spec: experiment.sweep,
    where: experimentPath,
    cliAxes: parsed.axes,
    cliFixed: Object.keys(parsed.values),
  });
  return {
    experiment,
    args,
    cells: cells.map((cell) => {
      const { config } = compose({
        experiment,
        configsDir,
        groupChoices: parsed.groupChoices,
        overrides: { ...parsed.values, ...cell.overrides },
        overridesLabel: Object.keys(cell.overrides).length ? `command line / sweep cell ${cell.id}` : 'command line',
      });
      return { cell, config, configHash: hashValue(flattenConfig(config)) };
    }),
  };
}
