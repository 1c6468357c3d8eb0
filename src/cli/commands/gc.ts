import type { Command } from '../command.js';
import { parseArgs } from '../args.js';
import { runsDirFor } from '../paths.js';
import { formatTable } from '../table.js';
import { isAlive } from '../runner-env.js';
import { findGarbage, removeGarbage } from '../cache-gc.js';
import { runMessages as msg } from '../../core/messages.js';
import { RunStore } from '../../tracking/run-store.js';

export const gcCommand: Command = {
  name: 'gc',
  summary: 'free the stage cache: entries no finished or running cell uses, damaged and abandoned folders',
  usage: `ecg-lab gc [--dry-run] [--runs DIR]

  Removes from <runs>/.cache/:
    unreferenced  entries that no finished, running or pending cell's run.json names (delete a sweep's
                  folder under runs/ first to let go of what it used; resume rebuilds what failed cells used)
    corrupt       <key>.corrupt-* folders: entries set aside as damaged
    temporary     .tmp-* folders of processes of this host that no longer run
  --dry-run      list what would be freed, remove nothing
  --runs DIR     run store folder (default ./runs, or $ECG_LAB_RUNS)`,
  async run(args, io) {
    const parsed = parseArgs(args, { withValue: ['runs'], flags: ['dry-run'] });
    const store = new RunStore(runsDirFor(parsed.options.get('runs'), io.env, io.cwd), io.logger);
    const garbage = await findGarbage(store, isAlive);
    const dryRun = parsed.flags.has('dry-run');
    if (garbage.length > 0) io.out(formatTable(['cache folder', 'why', 'size'], garbage.map((g) => [g.name, g.kind, bytesText(g.bytes)])));
    if (!dryRun) await removeGarbage(garbage);
    io.out(msg.gcSummary(garbage.length, bytesText(garbage.reduce((sum, g) => sum + g.bytes, 0)), store.cacheDir(), dryRun));
    return 0;
  },
};

function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
