import type { ClassificationReport, CompareRow } from './types.js';

/** "98.04%" style, or "–" when unknown. */
export function formatPercent(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)}%`;
}

export function formatNumber(value: number | undefined, digits = 4): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** Thousands separated with commas, as Keras's summary prints parameter counts. */
export function formatCount(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatSeconds(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value < 10) return `${value.toFixed(2)} s`;
  if (value < 600) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  return `${minutes} min ${Math.round(value - minutes * 60)} s`;
}

export function hiddenLayersText(hiddenLayers: string | readonly number[]): string {
  return typeof hiddenLayers === 'string' ? hiddenLayers : hiddenLayers.length === 0 ? '(none)' : hiddenLayers.join('-');
}

/** Accuracy gained over the notebook's figure, in percentage points, e.g. "+0.31 pt". */
export function formatAccuracyDelta(row: CompareRow): string {
  if (row.testAccuracy === undefined || row.reportedAccuracy === undefined) return '–';
  const points = (row.testAccuracy - row.reportedAccuracy) * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)} pt`;
}

/** The lowest and highest of several seeds' accuracies, e.g. "97.20–97.82%". */
export function formatSeedRange(accuracies: readonly number[]): string {
  return `${(Math.min(...accuracies) * 100).toFixed(2)}–${(Math.max(...accuracies) * 100).toFixed(2)}%`;
}

/** Epochs as a whole number, or the mean over seeds with one decimal when they differ. */
function formatEpochs(epochs: number | undefined): string {
  return epochs === undefined ? '–' : Number.isInteger(epochs) ? String(epochs) : epochs.toFixed(1);
}

type Align = 'left' | 'right';

/** Lays out cells in columns padded to the widest cell, with a rule under the header. */
export function alignColumns(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const pad = (cell: string, column: number): string =>
    align[column] === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!);
  const line = (cells: readonly string[]): string => cells.map((cell, column) => pad(cell, column)).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function checkSquare(matrix: readonly (readonly number[])[]): void {
  for (const [index, row] of matrix.entries()) {
    if (row.length !== matrix.length) {
      throw new RangeError(`Row ${index} of the confusion matrix has ${row.length} counts; a ${matrix.length}-class matrix needs ${matrix.length}.`);
    }
  }
}

/**
 * The confusion matrix as an aligned terminal table: true labels down the side, predicted
 * labels across the top, each row's total at the right.
 */
export function formatConfusionMatrix(matrix: readonly (readonly number[])[]): string {
  checkSquare(matrix);
  const corner = 'true \\ pred';
  const rows = matrix.map((counts, label) => [
    String(label),
    ...counts.map((count) => String(count)),
    String(counts.reduce((sum, count) => sum + count, 0)),
  ]);
  const header = [corner, ...matrix.map((_, label) => String(label)), 'total'];
  return alignColumns(header, rows, header.map((_, column) => (column === 0 ? 'left' : 'right')));
}

/**
 * The report laid out as scikit-learn's classification_report prints it (same columns, row
 * names and spacing); `digits` decimals, 4 by default because two hide differences between
 * models that score around 98%.
 */
export function formatClassificationReport(report: ClassificationReport, digits = 4): string {
  const names = report.classes.map((scores) => String(scores.label));
  const width = Math.max('weighted avg'.length, digits, ...names.map((name) => name.length));
  const cell = (text: string): string => ' ' + text.padStart(9);
  const number = (value: number): string => cell(value.toFixed(digits));
  let text = ''.padStart(width) + ' ' + ['precision', 'recall', 'f1-score', 'support'].map(cell).join('') + '\n\n';
  report.classes.forEach((scores, index) => {
    text += names[index]!.padStart(width) + ' ' + number(scores.precision) + number(scores.recall) + number(scores.f1) + cell(String(scores.support)) + '\n';
  });
  text += '\n';
  text += 'accuracy'.padStart(width) + ' ' + cell('') + cell('') + number(report.accuracy) + cell(String(report.support)) + '\n';
  for (const [name, scores] of [['macro avg', report.macroAverage], ['weighted avg', report.weightedAverage]] as const) {
    text += name.padStart(width) + ' ' + number(scores.precision) + number(scores.recall) + number(scores.f1) + cell(String(scores.support)) + '\n';
  }
  return text;
}

export const compareColumns = [
  'name',
  'hidden layers',
  'parameters',
  'epochs',
  'seconds',
  'test loss',
  'test accuracy',
  'notebook',
  'vs notebook',
] as const;

/** One compare row as display texts in compareColumns order; a failed row reads "failed: …". */
export function compareCells(row: CompareRow): string[] {
  const notebook =
    row.reportedAccuracy !== undefined
      ? formatPercent(row.reportedAccuracy) + (row.reportedLoss !== undefined ? ` / ${formatNumber(row.reportedLoss)}` : '')
      : '–';
  if (row.error !== undefined) {
    return [row.name, hiddenLayersText(row.hiddenLayers), `failed: ${row.error}`];
  }
  return [
    row.name,
    hiddenLayersText(row.hiddenLayers),
    formatCount(row.parameters),
    formatEpochs(row.epochsRun),
    row.seconds === undefined ? '–' : row.seconds.toFixed(1),
    formatNumber(row.testLoss),
    formatPercent(row.testAccuracy) + (row.seedAccuracies ? ` (${formatSeedRange(row.seedAccuracies)}, ${row.seedAccuracies.length} seeds)` : ''),
    notebook,
    formatAccuracyDelta(row),
  ];
}

/** The comparison as an aligned terminal table; failed rows show their error after the hidden layers. */
export function formatCompareTable(rows: readonly CompareRow[]): string {
  const table = alignColumns(
    [...compareColumns],
    rows.map((row) => (row.error === undefined ? compareCells(row) : compareCells(row).slice(0, 2))),
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  // Failed rows would stretch every numeric column if their message sat in one, so it goes
  // after the padded name and layers instead.
  const lines = table.split('\n');
  let rowIndex = 0;
  const out = lines.map((line, lineIndex) => {
    if (lineIndex < 2) return line;
    const row = rows[rowIndex++]!;
    return row.error === undefined ? line : `${line}  failed: ${row.error.replace(/\s+/g, ' ')}`;
  });
  return out.join('\n');
}
