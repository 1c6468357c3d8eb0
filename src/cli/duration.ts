/**
 * Durations for people: `42s`, `3m 05s`, `2h 03m`. The seconds are rounded
 * before they are split, so 1019.6 s reads `17m 00s`, never `16m 60s`.
 */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
