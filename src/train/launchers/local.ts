/** The local launcher: the runner as it is, cells in this process or `--jobs N` child processes. */
import { runCells, unfinishedCells } from '../runner.js';
import type { Launcher } from './launcher.js';

export const localLauncher: Launcher = {
  name: 'local',
  unfinishedCells: (sweep, options) => unfinishedCells(sweep, options),
  launch: (sweep, cellIds, options) => runCells(sweep, cellIds, options),
};
