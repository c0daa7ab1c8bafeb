/** The page shell and pieces shared by report.html and compare.html. */
import { escapeHtml } from './files.js';
import type { RenderedChart } from './types.js';

const styles = `
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #e3e7ec; --panel: #ffffff; --page: #f4f6f8; --accent: #2f6fb0; --bad: #c62828; --good: #2e7d32; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
a { color: var(--accent); }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Helvetica, Arial, sans-serif; }
header.top { background: #17324d; color: #fff; padding: 28px 24px 22px; }
header.top .inner, main, nav.toc .inner { max-width: 1120px; margin: 0 auto; }
header.top h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: .2px; }
header.top p { margin: 0; color: #c9d6e3; }
nav.toc { background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
nav.toc .inner { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 10px 24px; font-size: 14px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { padding: 20px 24px 48px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px 20px; margin: 18px 0; scroll-margin-top: 56px; }
section h2 { margin: 0 0 12px; font-size: 19px; font-weight: 650; }
section h3 { margin: 18px 0 8px; font-size: 15px; color: var(--muted); font-weight: 600; }
p.note { margin: 6px 0 0; font-size: 14px; }
.note { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fbfcfd; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 22px; font-weight: 650; margin-top: 2px; overflow-wrap: anywhere; }
.card .value.small { font-size: 15px; font-weight: 600; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; min-width: 50%; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f0f3f6; font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #c9d1da; }
tr.failed td { color: var(--bad); }
td.error { color: var(--bad); white-space: pre-wrap; }
td code { white-space: nowrap; }
td code, p code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
figure.chart { margin: 6px 0 0; }
figure.chart img { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
figure.chart figcaption a { color: var(--accent); }
ul.files { columns: 2 220px; margin: 0; padding-left: 18px; }
ul.files a { color: var(--accent); }
.good { color: var(--good); } .bad { color: var(--bad); }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 0 24px 32px; }
@media (max-width: 640px) { nav.toc { position: static; } main { padding: 12px 10px 32px; } section { padding: 14px 12px; } header.top h1 { font-size: 21px; } }
@media print { nav.toc { display: none; } section { break-inside: avoid; border: none; } body { background: #fff; } }
`;

export interface PageSection {
  readonly id: string;
  readonly title: string;
  readonly body: string;
}

/** A complete self-contained HTML page: inline styles, no scripts, no external resources. */
export function page(title: string, subtitle: string, sections: readonly PageSection[]): string {
  const toc = sections.map((section) => `<a href="#${section.id}">${escapeHtml(section.title)}</a>`).join('\n');
  const body = sections
    .map((section) => `<section id="${section.id}">\n<h2>${escapeHtml(section.title)}</h2>\n${section.body}\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="digitnet">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body>
<header class="top"><div class="inner"><h1>${escapeHtml(title)}</h1>${subtitle ? `<p>${subtitle}</p>` : ''}</div></header>
<nav class="toc"><div class="inner">${toc}</div></nav>
<main>
${body}
</main>
<footer>Made by digitnet. Charts are Vega-Lite specs rendered to SVG; each is also saved beside this file as SVG and PNG.</footer>
</body>
</html>
`;
}

/** A chart as an inline SVG image (an <img>, so the ids inside each SVG can't clash) with links to its files. */
export function chartFigure(chart: RenderedChart, caption = ''): string {
  const source = `data:image/svg+xml;base64,${Buffer.from(chart.svg).toString('base64')}`;
  return `<figure class="chart"><img src="${source}" alt="${escapeHtml(chart.title)}" width="${chart.width}" height="${chart.height}">
<figcaption>${caption ? `${caption} · ` : ''}<a href="${chart.name}.svg">SVG</a> · <a href="${chart.name}.png">PNG</a></figcaption></figure>`;
}

export interface Column {
  readonly title: string;
  readonly numeric?: boolean;
}

/** An HTML table; cells are HTML (escape text before passing it). */
export function htmlTable(columns: readonly Column[], rows: readonly (readonly string[])[], rowClasses: readonly string[] = []): string {
  const head = columns.map((column) => `<th${column.numeric ? ' class="num"' : ''}>${escapeHtml(column.title)}</th>`).join('');
  const body = rows
    .map((row, index) => {
      const cells = row.map((cell, column) => `<td${columns[column]?.numeric ? ' class="num"' : ''}>${cell}</td>`).join('');
      const rowClass = rowClasses[index] ? ` class="${rowClasses[index]}"` : '';
      return `<tr${rowClass}>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function card(label: string, value: string, small = false): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value${small ? ' small' : ''}">${value}</div></div>`;
}
