/**
 * The config of a `generate` command: composed like a run's (schema
 * defaults, configs/<group>/default.yaml, then the command line), limited to
 * the groups the command uses, one value per key.
 */
import { compose } from '../config/compose.js';
import { parseOverrides } from '../config/overrides.js';
import type { Config } from '../config/schema/index.js';
import { isSeedKey } from '../config/schema/run.js';
import { EcgError } from '../core/errors.js';
import { cliMessages } from '../core/messages.js';
import { configsDirFor } from './paths.js';

export function generateConfig(
  command: string,
  args: readonly string[],
  allowedPrefixes: readonly string[],
  cwd: string,
  fixed: Readonly<Record<string, unknown>> = {},
): Config {
  const overrides = parseOverrides(args);
  const axes = Object.keys(overrides.axes);
  if (axes.length > 0) throw new EcgError('USAGE', cliMessages.overridesNotASweep(command, axes));
  for (const key of Object.keys(overrides.values)) {
    if (!isSeedKey(key) && !allowedPrefixes.some((prefix) => key.startsWith(`${prefix}.`))) {
      const allowed = ['seed', 'seed.data', ...allowedPrefixes.map((p) => `${p}.*`)];
      throw new EcgError('USAGE', cliMessages.overrideNotAllowed(command, allowed, key));
    }
  }
  return compose({
    experiment: { path: 'command line', name: command.replace(/\s+/g, '-'), defaults: {}, values: {}, sweep: undefined, stages: [] },
    configsDir: configsDirFor('.', cwd),
    overrides: { ...fixed, ...overrides.values },
    groupChoices: overrides.groupChoices,
  }).config;
}
