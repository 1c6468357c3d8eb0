/**
 * The Python literals PTB-XL's tables store as text: `{'NORM': 100.0, 'SR': 0.0}`
 * (scp_codes) and `['NSR', 'LVH']` (PTB-XL+ 12SL statements). Only quoted
 * strings, numbers, dicts and lists are accepted; anything else is refused.
 */
import { EcgError } from '../core/errors.js';
import { dataMessages as msg } from '../core/messages.js';

type Literal = string | number | Literal[] | Map<string, Literal>;

export function parsePythonLiteral(text: string): Literal {
  let at = 0;
  const fail = (): never => {
    throw new EcgError('DATA_INVALID', msg.pythonLiteral(text, at));
  };
  const skip = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  const value = (): Literal => {
    skip();
    const c = text[at];
    if (c === '{') return dict();
    if (c === '[') return list();
    if (c === "'" || c === '"') return str();
    return num();
  };
  const str = (): string => {
    const quote = text[at];
    let out = '';
    at++;
    while (at < text.length && text[at] !== quote) {
      if (text[at] === '\\') at++;
      out += text[at] ?? '';
      at++;
    }
    if (at >= text.length) fail();
    at++;
    return out;
  };
  const num = (): number => {
    const match = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(at));
    if (!match) return fail();
    at += match[0].length;
    return Number(match[0]);
  };
  const items = <T>(close: string, item: () => T): T[] => {
    at++;
    const out: T[] = [];
    skip();
    while (text[at] !== close) {
      out.push(item());
      skip();
      if (text[at] === ',') {
        at++;
        skip();
      } else if (text[at] !== close) fail();
    }
    at++;
    return out;
  };
  const dict = (): Map<string, Literal> =>
    new Map(
      items('}', () => {
        skip();
        const key = text[at] === "'" || text[at] === '"' ? str() : fail();
        skip();
        if (text[at] !== ':') fail();
        at++;
        return [key, value()] as const;
      }),
    );
  const list = (): Literal[] => items(']', value);
  const result = value();
  skip();
  if (at !== text.length) fail();
  return result;
}

/** `{'NORM': 100.0, 'SR': 0.0}` -> Map of code to likelihood. */
export function parseScpCodes(text: string): Map<string, number> {
  const value = parsePythonLiteral(text);
  if (!(value instanceof Map)) throw new EcgError('DATA_INVALID', msg.pythonLiteral(text, 0));
  const out = new Map<string, number>();
  for (const [key, v] of value) {
    if (typeof v !== 'number') throw new EcgError('DATA_INVALID', msg.pythonLiteral(text, 0));
    out.set(key, v);
  }
  return out;
}

/** `['NSR', 'LVH']` -> list of strings. */
export function parseStringList(text: string): string[] {
  const value = parsePythonLiteral(text);
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new EcgError('DATA_INVALID', msg.pythonLiteral(text, 0));
  return value as string[];
}
