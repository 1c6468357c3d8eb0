/**
 * PTB-XL SCP codes -> the PhysioNet Challenge 2024 classes, as the
 * Challenge's prepare_ptbxl_data.py assigns them (see ../shared/data/README.md):
 *   1. superclasses = diagnostic_class of every code with diagnostic = 1
 *      (every code counts, whatever its likelihood, 0.0 included);
 *   2. NORM, STTC, CD, HYP from the superclasses;
 *   3. Acute MI: the record's GE 12SL statements contain an acronym that
 *      12slv23ToSNOMED.csv gives for one of ACUTE_MI_STATEMENTS (PTB-XL+);
 *   4. Old MI: MI superclass and no Acute MI statement;
 *   5. PAC, PVC, AFIB/AFL (AFIB, AFLT), TACHY (STACH, SVTAC, PSVT), BRADY (SBRAD).
 * Without the PTB-XL+ files step 3 cannot run: no record gets Acute MI and
 * every MI record is Old MI; the caller says so (acuteMiResolved = false).
 */
import { CHALLENGE_CLASSES, type ChallengeClass } from '../core/ecg.js';
import type { CsvRow } from './csv.js';

/** 12SL statement numbers the Challenge counts as acute MI. */
export const ACUTE_MI_STATEMENTS = [821, 822, 823, 827, 829, 902, 903, 904, 963, 964, 965, 966, 967, 968] as const;

const RHYTHM_CODES: ReadonlyArray<readonly [ChallengeClass, readonly string[]]> = [
  ['PAC', ['PAC']],
  ['PVC', ['PVC']],
  ['AFIB/AFL', ['AFIB', 'AFLT']],
  ['TACHY', ['STACH', 'SVTAC', 'PSVT']],
  ['BRADY', ['SBRAD']],
];

/** Code -> diagnostic superclass, from scp_statements.csv rows (first column is the code). */
export function superclassTable(rows: readonly CsvRow[], codeColumn: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const row of rows) {
    if (Number(row['diagnostic']) === 1 && row['diagnostic_class']) table.set(row[codeColumn] as string, row['diagnostic_class'] as string);
  }
  return table;
}

/** Acronyms of the acute MI statements, from 12slv23ToSNOMED.csv rows. */
export function acuteMiAcronyms(rows: readonly CsvRow[]): Set<string> {
  const wanted = new Set<number>(ACUTE_MI_STATEMENTS);
  const out = new Set<string>();
  for (const row of rows) {
    if (wanted.has(Number(row['StatementNumber'])) && row['Acronym']) out.add((row['Acronym'] as string).trim());
  }
  return out;
}

/**
 * The challenge classes of one record, in CHALLENGE_CLASSES order.
 * `twelveSl`: the record's 12SL statement acronyms and the acute MI acronyms,
 * or undefined when PTB-XL+ is not available.
 */
export function challengeLabels(
  scpCodes: Iterable<string>,
  superclassOf: ReadonlyMap<string, string>,
  twelveSl?: { statements: readonly string[]; acuteMi: ReadonlySet<string> },
): ChallengeClass[] {
  const codes = new Set(scpCodes);
  const superclasses = new Set<string>();
  for (const code of codes) {
    const superclass = superclassOf.get(code);
    if (superclass !== undefined) superclasses.add(superclass);
  }
  const labels = new Set<ChallengeClass>();
  for (const name of ['NORM', 'STTC', 'CD', 'HYP'] as const) if (superclasses.has(name)) labels.add(name);
  const acute = twelveSl !== undefined && twelveSl.statements.some((s) => twelveSl.acuteMi.has(s));
  if (acute) labels.add('Acute MI');
  if (superclasses.has('MI') && !acute) labels.add('Old MI');
  for (const [label, wanted] of RHYTHM_CODES) if (wanted.some((code) => codes.has(code))) labels.add(label);
  return CHALLENGE_CLASSES.filter((c) => labels.has(c));
}
