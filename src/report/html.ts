/**
 * The comparison as one self-contained HTML page: the work line, the
 * ablation table, differences, the cells, every plot and the example pages.
 * Plots are SVG data URIs in <img> (so the ids inside vega's SVGs never
 * clash), example pages PNG data URIs; the page loads nothing else.
 */
import { cellsText, deltaText, deltaTitle, headline, pivotText, pivotTitle, type Comparison, type TextTable } from './comparison.js';
import { armsText, pairedText, pairedTitle, recordBootstrapNotes, STATS_TITLE } from './stats/stats-table.js';
import { examplePages } from './example-overlay.js';
import { expectText, expectTitle } from './stats/expect.js';
import { allPlots } from './plots.js';
import { CHALLENGE_CLASSES } from '../core/ecg.js';
import { COMBINER_WEIGHTS_TITLE } from './combiner-weights.js';
import { renderSvg, svgToPng } from './render-plot.js';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222;background:#fff}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f2f2f2}td.key,th.key{text-align:left}td.failed{color:#b00020}td.missing{color:#888;font-style:italic}
.work{background:#eef5ff;padding:.5rem 1rem;border-left:4px solid #3b7dd8}.note{background:#fff4e0;padding:.5rem 1rem}
figure{display:inline-block;margin:1rem;vertical-align:top;max-width:95%}img{max-width:100%;height:auto}figcaption{font-size:13px;color:#555}.scroll{overflow-x:auto}`;

export async function toHtml(cmp: Comparison): Promise<string> {
  const body: string[] = [`<h1>Comparison: ${esc(cmp.title)}</h1>`, `<p class="work">${esc(headline(cmp))}</p>`];
  for (const n of cmp.set.notes) body.push(`<p class="runs">Runs: ${esc(n)}</p>`);
  for (const w of cmp.warnings) body.push(`<p class="note">${esc(w)}</p>`);
  body.push(`<h2>${esc(pivotTitle(cmp))}</h2>`, htmlTable(pivotText(cmp), cmp.pivot.spec.rows.length));
  const delta = deltaText(cmp);
  if (delta) body.push(`<h2>${esc(deltaTitle(cmp))}</h2>`, htmlTable(delta, cmp.pivot.spec.rows.length));
  if (cmp.stats) {
    body.push(`<h2>${esc(STATS_TITLE)}</h2>`, htmlTable(armsText(cmp.stats, cmp.pivot.spec.values), cmp.stats.armKeys.length));
    for (const note of recordBootstrapNotes(cmp.stats)) body.push(`<p class="runs">${esc(note)}</p>`);
    if (cmp.stats.baseline) body.push(`<h2>${esc(pairedTitle(cmp.stats))}</h2>`, htmlTable(pairedText(cmp.stats), cmp.stats.armKeys.length + 1));
  }
  if (cmp.expect) body.push(`<h2>${esc(expectTitle(cmp.expect))}</h2>`, `<div class="scroll">${htmlTable(expectText(cmp.expect), 2)}</div>`);
  body.push('<h2>Plots</h2>');
  for (const plot of await allPlots(cmp.set)) {
    const rendered = await renderSvg(plot.spec);
    body.push(figure(`data:image/svg+xml;base64,${Buffer.from(rendered.svg).toString('base64')}`, plot.title, rendered.width, rendered.height));
  }
  const pages = await examplePages(cmp.set.cells);
  if (pages.length > 0) {
    body.push('<h2>Example pages (red: digitized, blue dashed: reference)</h2>');
    for (const page of pages) {
      const png = await svgToPng(page.svg, 1);
      body.push(figure(`data:image/png;base64,${png.toString('base64')}`, `${page.cell} · ${page.stage}`, page.width, page.height));
    }
  }
  if (cmp.combiner) body.push(`<h2>${esc(COMBINER_WEIGHTS_TITLE)}</h2>`, `<div class="scroll">${htmlTable(cmp.combiner, cmp.combiner.header.length - CHALLENGE_CLASSES.length)}</div>`);
  body.push('<h2>Cells</h2>', `<div class="scroll">${htmlTable(cellsText(cmp), 2 + cmp.set.sweptKeys.length)}</div>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ecg-lab: ${esc(cmp.title)}</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

function figure(src: string, caption: string, width: number, height: number): string {
  return `<figure><img src="${src}" width="${Math.round(width)}" height="${Math.round(height)}" alt="${esc(caption)}"><figcaption>${esc(caption)}</figcaption></figure>`;
}

function htmlTable(table: TextTable, keyColumns: number): string {
  const cls = (i: number, text: string) => {
    const classes = [i < keyColumns ? 'key' : '', text === 'failed' || text === 'FAIL' ? 'failed' : text === 'missing' || text === 'MISSING' ? 'missing' : ''].filter(Boolean);
    return classes.length ? ` class="${classes.join(' ')}"` : '';
  };
  const head = `<tr>${table.header.map((h, i) => `<th${cls(i, '')}>${esc(h)}</th>`).join('')}</tr>`;
  const rows = table.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i, c)}>${esc(c)}</td>`).join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
