/** Small argument reader shared by the commands: flags, options with values, positionals. */
import { EcgError } from '../core/errors.js';
import { cliMessages } from '../core/messages.js';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Set<string>;
  readonly options: Map<string, string>;
}

/**
 * `--name value` or `--name=value` for names in `withValue`; other `--x` are
 * flags; everything else is positional (experiment, key=value overrides).
 */
export function parseArgs(args: readonly string[], spec: { withValue?: readonly string[]; flags?: readonly string[] }): ParsedArgs {
  const withValue = new Set(spec.withValue ?? []);
  const known = new Set([...(spec.flags ?? []), 'help', 'verbose']);
  const positionals: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (withValue.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new EcgError('USAGE', cliMessages.optionNeedsValue(name));
      options.set(name, value);
    } else if (known.has(name) && eq < 0) {
      flags.add(name);
    } else {
      const allowed = [...withValue].map((n) => `--${n} <value>`).concat([...known].map((n) => `--${n}`));
      throw new EcgError('USAGE', cliMessages.unknownOption(arg, allowed));
    }
  }
  return { positionals, flags, options };
}

export function intOption(parsed: ParsedArgs, name: string, fallback: number, min = 1): number {
  const text = parsed.options.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new EcgError('USAGE', cliMessages.optionNotAnInteger(name, text, min));
  return value;
}

/** A number option in [min, max]: the fallback when absent, USAGE naming the range otherwise. */
export function numberOption(parsed: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const text = parsed.options.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new EcgError('USAGE', cliMessages.optionNotInRange(name, text, min, max));
  return value;
}
