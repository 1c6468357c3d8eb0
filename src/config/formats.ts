/**
 * Custom convict formats named by the group schemas. Each validator throws
 * with a message saying what is allowed; compose.ts adds the key, the value
 * and where it came from.
 */
import convict from 'convict';
import { CHALLENGE_CLASSES, isChallengeClass } from '../core/ecg.js';

type Format = { name: string; validate: (value: unknown) => void; coerce?: (value: unknown) => unknown };

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const range = (name: string, lo: number, hi: number, integer = false): Format => ({
  name,
  validate(value) {
    if (!isFiniteNumber(value) || value < lo || value > hi || (integer && !Number.isInteger(value))) {
      throw new Error(`must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}]`);
    }
  },
  coerce: Number,
});

export const FORMATS: readonly Format[] = [
  range('unit-interval', 0, 1),
  range('fraction-half', 0, 0.5),
  range('dpi', 50, 600),
  {
    name: 'positive-number',
    validate(value) {
      if (!isFiniteNumber(value) || value <= 0) throw new Error('must be a number > 0');
    },
    coerce: Number,
  },
  {
    name: 'non-negative-number',
    validate(value) {
      if (!isFiniteNumber(value) || value < 0) throw new Error('must be a number >= 0');
    },
    coerce: Number,
  },
  {
    name: 'positive-int',
    validate(value) {
      if (!isFiniteNumber(value) || value < 1 || !Number.isInteger(value)) throw new Error('must be an integer >= 1');
    },
    coerce: Number,
  },
  {
    name: 'int-list',
    validate(value) {
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => Number.isInteger(v) && v > 0)) {
        throw new Error('must be a non-empty list of positive integers, e.g. [16, 32, 64]');
      }
    },
  },
  {
    name: 'class-priors',
    validate(value) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`must be a mapping of class name to probability in [0, 1]; classes: ${CHALLENGE_CLASSES.join(', ')}`);
      }
      for (const [name, p] of Object.entries(value as Record<string, unknown>)) {
        if (!isChallengeClass(name)) throw new Error(`has unknown class '${name}'; classes: ${CHALLENGE_CLASSES.join(', ')}`);
        if (!isFiniteNumber(p) || p < 0 || p > 1) throw new Error(`gives ${name} a prior of ${JSON.stringify(p)}; allowed: [0, 1]`);
      }
    },
  },
];

let registered = false;

export function registerFormats(): void {
  if (registered) return;
  for (const format of FORMATS) convict.addFormat(format);
  registered = true;
}
