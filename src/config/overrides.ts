/**
 * Command-line overrides: `a.b=value` sets a key, `a.b=v1,v2,v3` makes it a
 * sweep axis, `group=option` picks a config group's option file. Values are
 * read as YAML scalars (0.5, true, [8, 16]); a bracketed list is one value.
 * A shorthand key sets all its leaves: `seed=3` is seed.data=3 seed.train=3
 * (as an axis, `seed=0,1`, the two vary together: config/sweep.ts).
 */
import YAML from 'yaml';
import { EcgError } from '../core/errors.js';
import { configMessages as msg } from '../core/messages.js';
import { expandShorthand, isGroup, type Values } from './compose.js';
import type { ConfigGroup } from './schema/index.js';

export interface ParsedOverrides {
  readonly values: Values;
  readonly axes: Readonly<Record<string, unknown[]>>;
  readonly groupChoices: Partial<Record<ConfigGroup, string>>;
}

export function parseOverrides(args: readonly string[]): ParsedOverrides {
  const values: Values = {};
  const axes: Record<string, unknown[]> = {};
  const groupChoices: Partial<Record<ConfigGroup, string>> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new EcgError('USAGE', msg.badOverride(arg));
    const key = arg.slice(0, eq).trim();
    const text = arg.slice(eq + 1).trim();
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(key)) throw new EcgError('USAGE', msg.badOverride(arg));
    if (!key.includes('.') && isGroup(key)) {
      groupChoices[key] = text;
      continue;
    }
    const items = splitTopLevel(text);
    if (items.length > 1) axes[key] = items.map(parseScalar);
    else Object.assign(values, expandShorthand(key, parseScalar(text)));
  }
  return { values, axes, groupChoices };
}

export function parseScalar(text: string): unknown {
  if (text === '') return '';
  try {
    return YAML.parse(text);
  } catch {
    return text;
  }
}

/** Split on commas that are not inside brackets or quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}
