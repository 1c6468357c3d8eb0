/**
 * What a stage or a library function reports through. Only src/cli/ decides
 * where it goes (terminal, file); tests pass a capturing logger.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

export interface CapturingLogger extends Logger {
  readonly lines: { level: 'info' | 'warn' | 'debug'; message: string }[];
}

export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
  };
}
