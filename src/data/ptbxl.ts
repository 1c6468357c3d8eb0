/**
 * PTB-XL in its own folder layout: ptbxl_database.csv (or the
 * ptbxl_database_subset.csv of ../shared/data), scp_statements.csv,
 * records100/ and records500/; optionally the PTB-XL+ 12SL files
 * (12sl_statements.csv, 12slv23ToSNOMED.csv) that resolve Acute MI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcgRecord } from '../core/ecg.js';
import { EcgError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { dataMessages as msg } from '../core/messages.js';
import { parseCsv, readCsv, type CsvRow } from './csv.js';
import { acuteMiAcronyms, challengeLabels, superclassTable } from './ptbxl-labels.js';
import { parseScpCodes, parseStringList } from './python-literal.js';
import { fitRecord } from './fit-record.js';
import { readWfdbRecord, recordFiles } from './wfdb.js';
import { wfdbToEcgRecord } from './wfdb-ecg.js';
import { readAll, type LoadedRecords, type RecordSource } from './record-source.js';

export interface PtbxlOptions {
  readonly path: string;
  readonly fsHz: number;
  readonly durationS: number;
  /** At most this many records, in ecg_id order; 0 = all. */
  readonly limit: number;
  /** Folder of PTB-XL+ (searched with its labels/ and labels/mapping/ subfolders); empty = search `path` only. */
  readonly plusPath?: string;
  readonly logger: Logger;
}

export interface PtbxlRow {
  readonly ecgId: number;
  readonly patientId: string;
  readonly strat: number;
  readonly scpCodes: Map<string, number>;
  readonly age?: number;
  readonly sex?: 'M' | 'F';
  readonly filenameLr: string;
  readonly filenameHr: string;
}


const DATABASE_FILES = ['ptbxl_database.csv', 'ptbxl_database_subset.csv'];

/**
 * The PTB-XL records `options` choose, none read yet: record i is read (and
 * labelled, and fitted to fsHz and durationS) when asked for, so a caller can
 * stream them (the data stage) instead of holding all.
 */
export async function ptbxlSource(options: PtbxlOptions): Promise<RecordSource> {
  const { path, logger } = options;
  const layout = ptbxlLayout(path, options.plusPath);
  const statements = await readCsv(layout.statementsFile);
  const superclassOf = superclassTable(statements.rows, statements.columns[0] ?? '');
  const rows = chooseRows(parsePtbxlDatabase((await readCsv(layout.databaseFile)).rows, layout.databaseFile), options.limit);
  const twelveSl = layout.twelveSl && (await loadTwelveSl(layout.twelveSl));
  if (twelveSl === undefined) logger.warn(msg.ptbxlAcuteMiUnresolved(path));
  const read = async (i: number): Promise<EcgRecord> => {
    const row = rows[i] as PtbxlRow;
    const labels = challengeLabels(
      row.scpCodes.keys(),
      superclassOf,
      twelveSl && { statements: twelveSl.statements.get(row.ecgId) ?? [], acuteMi: twelveSl.acuteMi },
    );
    const wfdb = await readWfdbRecord(recordPath(path, row, options.fsHz));
    const record = wfdbToEcgRecord(wfdb, { labels, patientId: row.patientId, stratFold: row.strat });
    const meta = { ...record.meta, source: 'ptbxl', ecgId: row.ecgId, ...(row.age !== undefined ? { age: row.age } : {}), ...(row.sex ? { sex: row.sex } : {}) };
    return fitRecord({ ...record, meta }, options.fsHz, options.durationS);
  };
  return { count: rows.length, acuteMiResolved: twelveSl !== undefined, read };
}

/** Every chosen record, read at once (tests and small folders; the data stage streams ptbxlSource). */
export async function loadPtbxl(options: PtbxlOptions): Promise<LoadedRecords> {
  return readAll(await ptbxlSource(options));
}

/** Every file loadPtbxl reads with these options, in the order it reads them (for the data stage's cache key). */
export function ptbxlFiles(options: Pick<PtbxlOptions, 'path' | 'plusPath' | 'fsHz' | 'limit'>): string[] {
  const layout = ptbxlLayout(options.path, options.plusPath);
  const rows = parsePtbxlDatabase(parseCsv(readFileSync(layout.databaseFile, 'utf8')).rows, layout.databaseFile);
  const twelveSl = layout.twelveSl ? [layout.twelveSl.mappingFile, layout.twelveSl.statementsFile] : [];
  const records = chooseRows(rows, options.limit).flatMap((row) => recordFiles(recordPath(options.path, row, options.fsHz)));
  return [layout.statementsFile, layout.databaseFile, ...twelveSl, ...records];
}

interface PtbxlLayout {
  readonly databaseFile: string;
  readonly statementsFile: string;
  /** The PTB-XL+ files that resolve Acute MI, if both are found. */
  readonly twelveSl?: TwelveSlFiles;
}

interface TwelveSlFiles {
  readonly statementsFile: string;
  readonly mappingFile: string;
}

/** Where the tables are; PTB-XL+ is searched in plusPath (and its labels/, labels/mapping/), then in path. */
function ptbxlLayout(path: string, plusPath: string | undefined): PtbxlLayout {
  const databaseFile = firstExisting(DATABASE_FILES.map((f) => join(path, f)));
  if (databaseFile === undefined) throw new EcgError('DATA_INVALID', msg.ptbxlMissing(path, DATABASE_FILES.join(' or ')));
  const statementsFile = join(path, 'scp_statements.csv');
  if (!existsSync(statementsFile)) throw new EcgError('DATA_INVALID', msg.ptbxlMissing(path, 'scp_statements.csv'));
  const folders = [plusPath, path].filter((p): p is string => !!p).flatMap((root) => [root, join(root, 'labels'), join(root, 'labels', 'mapping')]);
  const twelveSlStatements = firstExisting(folders.map((f) => join(f, '12sl_statements.csv')));
  const mappingFile = firstExisting(folders.map((f) => join(f, '12slv23ToSNOMED.csv')));
  const twelveSl = twelveSlStatements !== undefined && mappingFile !== undefined ? { statementsFile: twelveSlStatements, mappingFile } : undefined;
  return { databaseFile, statementsFile, ...(twelveSl ? { twelveSl } : {}) };
}

/** At most `limit` rows (0 = all), in ecg_id order. */
function chooseRows(rows: readonly PtbxlRow[], limit: number): readonly PtbxlRow[] {
  return limit > 0 ? rows.slice(0, limit) : rows;
}

/** Rows of ptbxl_database.csv, typed and checked, in ecg_id order. */
export function parsePtbxlDatabase(rows: readonly CsvRow[], file: string): PtbxlRow[] {
  const out = rows.map((row, i) => {
    const line = i + 2;
    const get = (column: string): string => {
      const value = row[column];
      if (value === undefined) throw new EcgError('DATA_INVALID', msg.ptbxlBadRow(file, line, column, '', 'the column is missing'));
      return value;
    };
    const ecgId = Number(get('ecg_id'));
    if (!Number.isInteger(ecgId) || ecgId <= 0) throw new EcgError('DATA_INVALID', msg.ptbxlBadRow(file, line, 'ecg_id', get('ecg_id'), 'expected a positive integer'));
    const strat = Number(get('strat_fold'));
    if (!Number.isInteger(strat) || strat < 1 || strat > 10) {
      throw new EcgError('DATA_INVALID', msg.ptbxlBadRow(file, line, 'strat_fold', get('strat_fold'), 'expected an integer 1-10'));
    }
    const patient = Number(get('patient_id'));
    const age = Number(row['age']);
    const sex = row['sex'] === '0' || row['sex'] === '0.0' ? 'M' : row['sex'] === '1' || row['sex'] === '1.0' ? 'F' : undefined;
    return {
      ecgId,
      patientId: Number.isFinite(patient) && row['patient_id'] !== '' ? String(patient) : `ecg${ecgId}`,
      strat,
      scpCodes: parseScpCodes(get('scp_codes')),
      ...(row['age'] && Number.isFinite(age) ? { age } : {}),
      ...(sex ? { sex } : {}),
      filenameLr: get('filename_lr'),
      filenameHr: get('filename_hr'),
    } satisfies PtbxlRow;
  });
  return out.sort((a, b) => a.ecgId - b.ecgId);
}

/** The record at the preferred rate (records500 from 500 Hz up), else the other one. */
function recordPath(path: string, row: PtbxlRow, fsHz: number): string {
  const preferred = fsHz >= 500 ? [row.filenameHr, row.filenameLr] : [row.filenameLr, row.filenameHr];
  return join(path, preferred.find((file) => existsSync(join(path, `${file}.hea`))) ?? (preferred[0] as string));
}

interface TwelveSl {
  readonly statements: Map<number, string[]>;
  readonly acuteMi: Set<string>;
}

/** PTB-XL+ 12SL statements per ecg_id and the acute MI acronyms. */
async function loadTwelveSl(files: TwelveSlFiles): Promise<TwelveSl> {
  const acuteMi = acuteMiAcronyms((await readCsv(files.mappingFile)).rows);
  const statements = new Map<number, string[]>();
  for (const row of (await readCsv(files.statementsFile)).rows) {
    statements.set(Number(row['ecg_id']), parseStringList(row['statements'] ?? '[]'));
  }
  return { statements, acuteMi };
}

function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((path) => existsSync(path));
}
