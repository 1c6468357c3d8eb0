/**
 * The status lines at the bottom of a terminal (the sweep line, the current
 * task's bar). Everything else written while they show goes through
 * `print`, which erases them, writes the text on lines of its own and draws
 * them again below it: a log line never lands on a bar, and a bar never
 * overwrites a log line.
 *
 * The footer's lines are cut to the terminal's width, so each takes exactly
 * one screen row and erasing is: up (rows - 1), carriage return, clear to the
 * end of the screen (ESC[J). The cursor rests at the end of the last row.
 */
export interface Footer {
  /** Write `text` (one or more lines) above the footer, to `to` (stdout for results; default the footer's stream). */
  print(text: string, to?: NodeJS.WritableStream): void;
  /** Draw the footer's current lines again (none: it disappears). */
  redraw(): void;
  /** Take the footer off the screen (at exit). */
  erase(): void;
}

const ESC = '\x1b[';

/** `lines` gives the footer's current lines each time it is drawn. */
export function terminalFooter(stream: NodeJS.WriteStream, lines: () => readonly string[]): Footer {
  let drawn = 0;
  const eraseCodes = (): string => {
    if (drawn === 0) return '';
    const up = drawn > 1 ? `${ESC}${drawn - 1}A` : '';
    drawn = 0;
    return `${up}\r${ESC}J`;
  };
  const drawCodes = (): string => {
    const now = lines();
    if (now.length === 0) return '';
    const width = Math.max(20, (stream.columns || 80) - 1);
    drawn = now.length;
    return now.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n');
  };
  return {
    print(text, to = stream) {
      const line = text.endsWith('\n') ? text : `${text}\n`;
      if (to === stream) {
        stream.write(eraseCodes() + line + drawCodes());
        return;
      }
      stream.write(eraseCodes());
      to.write(line);
      stream.write(drawCodes());
    },
    redraw() {
      const codes = eraseCodes() + drawCodes();
      if (codes) stream.write(codes);
    },
    erase() {
      const codes = eraseCodes();
      if (codes) stream.write(codes);
    },
  };
}
