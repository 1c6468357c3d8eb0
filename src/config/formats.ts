/**
 * Custom convict formats named by the group schemas. Each validator throws
 * with a message saying what is allowed (core/messages/config.ts, format*);
 * compose.ts adds the key, the value and where it came from.
 */
import convict from 'convict';
import { CHALLENGE_CLASSES, isChallengeClass } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import { configMessages as msg } from '../core/messages.js';

type Format = { name: string; validate: (value: unknown) => void; coerce?: (value: unknown) => unknown };

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const range = (name: string, lo: number, hi: number, integer = false): Format => ({
  name,
  validate(value) {
    if (!isFiniteNumber(value) || value < lo || value > hi || (integer && !Number.isInteger(value))) {
      throw new EcgError('CONFIG_INVALID', msg.formatRange(lo, hi, integer));
    }
  },
  coerce: Number,
});

export const FORMATS: readonly Format[] = [
  range('unit-interval', 0, 1),
  range('fraction-half', 0, 0.5),
  {
    name: 'positive-number',
    validate(value) {
      if (!isFiniteNumber(value) || value <= 0) throw new EcgError('CONFIG_INVALID', msg.formatPositive());
    },
    coerce: Number,
  },
  {
    name: 'non-negative-number',
    validate(value) {
      if (!isFiniteNumber(value) || value < 0) throw new EcgError('CONFIG_INVALID', msg.formatNonNegative());
    },
    coerce: Number,
  },
  {
    name: 'positive-int',
    validate(value) {
      if (!isFiniteNumber(value) || value < 1 || !Number.isInteger(value)) throw new EcgError('CONFIG_INVALID', msg.formatPositiveInt());
    },
    coerce: Number,
  },
  {
    name: 'int-list',
    validate(value) {
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => Number.isInteger(v) && v > 0)) {
        throw new EcgError('CONFIG_INVALID', msg.formatIntList());
      }
    },
  },
  {
    name: 'class-priors',
    validate(value) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new EcgError('CONFIG_INVALID', msg.formatPriors(CHALLENGE_CLASSES));
      }
      for (const [name, p] of Object.entries(value as Record<string, unknown>)) {
        if (!isChallengeClass(name)) throw new EcgError('CONFIG_INVALID', msg.formatPriorClass(name, CHALLENGE_CLASSES));
        if (!isFiniteNumber(p) || p < 0 || p > 1) throw new EcgError('CONFIG_INVALID', msg.formatPriorValue(name, p));
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
