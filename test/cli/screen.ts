/**
 * What a terminal shows after a byte stream: printable characters overwrite
 * at the cursor, \r goes to column 0, \n to the next row, ESC[nA moves up,
 * ESC[J clears from the cursor to the end of the screen, ESC[K / ESC[2K clear
 * the line. Rows scrolled off stay (the scrollback), so a log line written
 * over a bar, or a line a bar overwrote, shows as it would to a reader.
 */
export function screenLines(raw: string): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  const at = (r: number) => (rows[r] ??= []);
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\x1b') {
      const m = /^\x1b\[(\??[0-9;]*)([A-Za-z])/.exec(raw.slice(i));
      if (!m) continue;
      i += m[0].length - 1;
      const n = Number(m[1]) || 1;
      if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'B') row += n;
      else if (m[2] === 'G') col = n - 1;
      else if (m[2] === 'J') {
        at(row).length = Math.min(at(row).length, col);
        rows.length = row + 1;
      } else if (m[2] === 'K') {
        if (m[1] === '2') at(row).length = 0;
        else at(row).length = Math.min(at(row).length, col);
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      at(row);
    } else {
      const line = at(row);
      while (line.length < col) line.push(' ');
      line[col] = ch;
      col += 1;
    }
  }
  return rows.map((r) => (r ?? []).join('').trimEnd());
}
