/** model.summary() as an HTML table, for notebooks: the same rows and totals as the text form. */
import type { SummaryRow } from '../models/summary.js';
import { escapeHtml } from '../report/files.js';

export function summaryHtml(modelName: string, rows: readonly SummaryRow[]): string {
  const total = rows.reduce((sum, row) => sum + row.params, 0);
  const count = (value: number) => value.toLocaleString('en-US');
  const cell = 'style="padding:3px 12px;border-bottom:1px solid #e0e0e0;text-align:left"';
  const number = 'style="padding:3px 12px;border-bottom:1px solid #e0e0e0;text-align:right"';
  const body = rows
    .map((row) => `<tr><td ${cell}>${escapeHtml(row.name)} (${escapeHtml(row.type)})</td><td ${cell}>${escapeHtml(row.outputShape)}</td><td ${number}>${count(row.params)}</td></tr>`)
    .join('');
  return [
    `<div class="digitnet-summary"><b>Model: "${escapeHtml(modelName)}"</b>`,
    '<table style="border-collapse:collapse;margin:6px 0;font-family:monospace">',
    `<thead><tr><th ${cell}>Layer (type)</th><th ${cell}>Output Shape</th><th ${number}>Param #</th></tr></thead>`,
    `<tbody>${body}</tbody></table>`,
    `<div>Total params: ${count(total)} (${kilobytes(total * 4)})<br>Trainable params: ${count(total)}<br>Non-trainable params: 0</div></div>`,
  ].join('');
}

function kilobytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(2)} KB`;
}
