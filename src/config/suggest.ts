/**
 * "Did you mean": the known names closest to a typo, by optimal string
 * alignment distance (Levenshtein plus adjacent transpositions, each edit
 * costing 1), so `render.dip` finds `render.dpi` (one transposition) before
 * `render.noise`. A name is only suggested when at most a third of the typed
 * text (and at least 1 character, at most 3) has to change: an unrelated word
 * gets no guess.
 */

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known names within reach of `typed`, closest first (ties keep the
 * order of `known`). Dotted keys are compared whole: `render.dip` and
 * `render.nosie` both find their key, and a key of another group is further.
 */
export function closestNames(typed: string, known: readonly string[], limit = 3): string[] {
  const reach = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  const scored = known
    .map((name, order) => ({ name, order, distance: editDistance(typed.toLowerCase(), name.toLowerCase()) }))
    .filter((s) => s.distance <= reach);
  return scored
    .sort((x, y) => x.distance - y.distance || x.order - y.order)
    .slice(0, limit)
    .map((s) => s.name);
}
