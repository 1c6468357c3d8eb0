/** A comparison as Markdown, CSV (the long table) or JSON. */
import { from, toCSV } from 'arquero';
import { expectRows, expectText, expectTitle } from './stats/expect.js';
import { COMBINER_WEIGHTS_TITLE } from './combiner-weights.js';
import { cellsText, deltaText, deltaTitle, headline, pivotText, pivotTitle, type Comparison, type TextTable } from './comparison.js';
import { armsText, pairedText, recordBootstrapNotes, statsRows, STATS_TITLE, pairedTitle } from './stats/stats-table.js';

export function toMarkdown(cmp: Comparison): string {
  const parts = [`# Comparison: ${cmp.title}`, '', headline(cmp), ''];
  for (const n of cmp.set.notes) parts.push(`Runs: ${n}`, '');
  for (const w of cmp.warnings) parts.push(`> **Note:** ${w}`, '');
  parts.push(`## ${pivotTitle(cmp)}`, '', markdownTable(pivotText(cmp)), '');
  const delta = deltaText(cmp);
  if (delta) parts.push(`## ${deltaTitle(cmp)}`, '', markdownTable(delta), '');
  if (cmp.stats) {
    parts.push(`## ${STATS_TITLE}`, '', markdownTable(armsText(cmp.stats, cmp.pivot.spec.values)), '');
    for (const note of recordBootstrapNotes(cmp.stats)) parts.push(`> ${note}`, '');
    if (cmp.stats.baseline) parts.push(`## ${pairedTitle(cmp.stats)}`, '', markdownTable(pairedText(cmp.stats)), '');
  }
  if (cmp.expect) parts.push(`## ${expectTitle(cmp.expect)}`, '', markdownTable(expectText(cmp.expect)), '');
  if (cmp.combiner) parts.push(`## ${COMBINER_WEIGHTS_TITLE}`, '', markdownTable(cmp.combiner), '');
  parts.push('## Cells', '', markdownTable(cellsText(cmp)), '');
  return parts.join('\n');
}

export function markdownTable(table: TextTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(table.header), line(table.header.map(() => '---')), ...table.rows.map(line)].join('\n');
}

/**
 * The long table, one row per cell; the first line names the work. Empty
 * fields are cells without a value. With --stats, the statistics instead:
 * one row per arm and metric (statsRows), the same numbers as the other
 * formats; with --expect, the checks (expectRows), one row per check and arm.
 */
export function toCsvText(cmp: Comparison): string {
  const head = `# ${headline(cmp)}\n${cmp.set.notes.map((n) => `# runs: ${n}\n`).join('')}`;
  if (cmp.expect) return `${head}${toCSV(from(expectRows(cmp.expect)))}\n`;
  if (cmp.stats) return `${head}${toCSV(from(statsRows(cmp.stats)))}\n`;
  return `${head}${toCSV(cmp.table)}\n`;
}

export function toJsonText(cmp: Comparison): string {
  const pivot = pivotText(cmp);
  const delta = deltaText(cmp);
  return `${JSON.stringify(
    {
      title: cmp.title,
      notes: cmp.set.notes,
      work: cmp.work,
      warnings: cmp.warnings,
      sweptKeys: cmp.set.sweptKeys,
      metrics: cmp.metrics,
      cells: cmp.table.objects(),
      pivot: { spec: cmp.pivot.spec, header: pivot.header, rows: pivot.rows },
      ...(delta ? { baseline: cmp.baseline, differences: { header: delta.header, rows: delta.rows } } : {}),
      ...(cmp.stats ? { stats: statsRows(cmp.stats) } : {}),
      ...(cmp.expect ? { expect: { file: cmp.expect.file, checks: expectRows(cmp.expect) } } : {}),
      ...(cmp.combiner ? { combinerWeights: { header: cmp.combiner.header, rows: cmp.combiner.rows } } : {}),
      ...(cmp.stats?.records ? { bootstrap: { resamples: cmp.stats.records.resamples, notes: cmp.stats.records.notes } } : {}),
    },
    null,
    2,
  )}\n`;
}
