import type { Layer } from '../layers/layer.js';

export interface SummaryRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

export function summaryRows(layers: readonly Layer[]): SummaryRow[] {
  return layers.map((layer) => ({
    name: layer.name,
    type: layer.className,
    outputShape: `(None, ${layer.outputShape.join(', ')})`,
    params: layer.countParams(),
  }));
}

/** Keras 3's summary table, box-drawn, with the parameter totals and their size in float32. */
export function formatSummary(modelName: string, rows: readonly SummaryRow[]): string {
  const widths = [33, 24, 15];
  const cells = rows.map((row) => [`${row.name} (${row.type})`, row.outputShape, row.params.toLocaleString('en-US')]);
  for (const cell of cells) {
    widths[0] = Math.max(widths[0]!, cell[0]!.length + 2);
    widths[1] = Math.max(widths[1]!, cell[1]!.length + 2);
  }
  const line = (left: string, fill: string, middle: string, right: string): string =>
    left + widths.map((width) => fill.repeat(width)).join(middle) + right;
  const row = (values: string[], border: string): string =>
    border +
    values
      .map((value, index) => (index === 2 ? ` ${value.padStart(widths[index]! - 2)} ` : ` ${value.padEnd(widths[index]! - 2)} `))
      .join(border) +
    border;
  const total = rows.reduce((sum, entry) => sum + entry.params, 0);
  const lines = [`Model: "${modelName}"`, line('┏', '━', '┳', '┓'), row(['Layer (type)', 'Output Shape', 'Param #'], '┃'), line('┡', '━', '╇', '┩')];
  cells.forEach((cell, index) => {
    lines.push(row(cell, '│'));
    lines.push(index < cells.length - 1 ? line('├', '─', '┼', '┤') : line('└', '─', '┴', '┘'));
  });
  lines.push(` Total params: ${total.toLocaleString('en-US')} (${formatBytes(total * 4)})`);
  lines.push(` Trainable params: ${total.toLocaleString('en-US')} (${formatBytes(total * 4)})`);
  lines.push(` Non-trainable params: 0 (0.00 B)`);
  return lines.join('\n');
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}
