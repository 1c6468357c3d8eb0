import YAML from 'yaml';
import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { configsDirFor, experimentFile } from '../paths.js';
import { planSweep } from '../../train/plan.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'print the composed config of an experiment (each cell of its sweep with --cells)',
  usage: `ecg-lab config <experiment.yaml> [key=value ...] [--json] [--cells]

  --json    print JSON instead of YAML
  --cells   print every cell of the sweep with its own values`,
  async run(args, io) {
    const parsed = parseArgs(args, { flags: ['json', 'cells'] });
    const [experimentRef, ...overrides] = parsed.positionals;
    if (!experimentRef) {
      io.out(this.usage);
      return 2;
    }
    const experimentPath = experimentFile(experimentRef, io.cwd);
    const plan = planSweep(experimentPath, overrides, configsDirFor(experimentPath, io.cwd));
    const json = parsed.flags.has('json');
    if (parsed.flags.has('cells')) {
      const cells = plan.cells.map((c) => ({ cell: c.cell.id, overrides: c.cell.overrides, config: c.config }));
      io.out(json ? JSON.stringify(cells, null, 2) : YAML.stringify(cells));
      return 0;
    }
    const first = plan.cells[0];
    if (!first) return 1;
    if (plan.cells.length > 1) io.logger.info(`sweep of ${plan.cells.length} cells; showing ${first.cell.id} (use --cells for all)`);
    io.out(json ? JSON.stringify(first.config, null, 2) : YAML.stringify(first.config));
    return 0;
  },
};
