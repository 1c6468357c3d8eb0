/** CSV tables as rows of strings (arquero's parser, no type inference). */
import { readFile } from 'node:fs/promises';
import { fromCSV } from 'arquero';

export type CsvRow = Readonly<Record<string, string>>;

export function parseCsv(text: string): { columns: string[]; rows: CsvRow[] } {
  const table = fromCSV(text, { autoType: false });
  const columns = table.columnNames();
  const rows = table.objects() as Record<string, unknown>[];
  return {
    columns,
    rows: rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] == null ? '' : String(row[c])]))),
  };
}

export async function readCsv(path: string): Promise<{ columns: string[]; rows: CsvRow[] }> {
  return parseCsv(await readFile(path, 'utf8'));
}
