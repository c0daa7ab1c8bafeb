/** Small text layout helpers shared by the commands. */

export type Align = 'left' | 'right';

/** Columns padded to their widest cell, two spaces apart, with a rule under the header. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const pad = (cell: string, column: number): string =>
    (align[column] ?? 'left') === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!);
  const line = (cells: readonly string[]): string => cells.map((cell, column) => pad(cell, column)).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** "12,345" — counts read more easily grouped. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** "1 epoch", "3 epochs", "1,000 images". */
export function plural(count: number, word: string): string {
  return `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;
}

export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A horizontal bar of `width` cells for a fraction in [0, 1], with eighth-cell resolution. */
export function bar(fraction: number, width = 30): string {
  const eighths = Math.round(Math.min(1, Math.max(0, fraction)) * width * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]!;
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

/** Writes text with a final newline to stdout. */
export function print(text = ''): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
