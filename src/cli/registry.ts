import type { Command } from './command.js';
import { runCommand } from './commands/run.js';
import { resumeCommand } from './commands/resume.js';
import { runCellCommand } from './commands/run-cell.js';
import { configCommand } from './commands/config.js';
import { runsCommand } from './commands/runs.js';
import { generateCommand } from './commands/generate.js';
import { syncCommand } from './commands/sync.js';
import { compareCommand } from './commands/compare.js';
import { statusCommand } from './commands/status.js';
import { digitizeCommand } from './commands/digitize.js';
import { classifyCommand } from './commands/classify.js';
import { snrCommand } from './commands/snr.js';
import { gcCommand } from './commands/gc.js';
import { diffCommand } from './commands/diff.js';
import { tagCommand } from './commands/tag.js';

/** Every sub-command of `ecg-lab`, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze(
  Object.fromEntries([runCommand, resumeCommand, statusCommand, configCommand, runsCommand, compareCommand, diffCommand, tagCommand, syncCommand, gcCommand, generateCommand, digitizeCommand, classifyCommand, snrCommand, runCellCommand].map((c) => [c.name, c])),
);
