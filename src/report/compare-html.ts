import { join } from 'node:path';
import { compareCurvesSpec } from './charts.js';
import { csvCell, escapeHtml, writeFileAtomic } from './files.js';
import { card, chartFigure, page, type PageSection } from './html.js';
import { renderChart } from './render.js';
import { compareCells, compareColumns, formatPercent, formatSeconds, hiddenLayersText } from './tables.js';
import type { CompareRow, CompareRun, RenderedChart } from './types.js';

export interface CompareReportOptions {
  /** Page heading; "digitnet model comparison" when omitted. */
  readonly title?: string;
  /** The engine every model ran on, shown under the heading. */
  readonly engine?: string;
  /** Shown under the heading when given; omitted to keep output reproducible. */
  readonly generatedAt?: string;
}

export interface CompareReportResult {
  readonly htmlPath: string;
  /** Every file written, compare.html last. */
  readonly files: readonly string[];
  readonly html: string;
  readonly chart?: RenderedChart;
}

const csvColumns = [
  'name',
  'hidden_layers',
  'parameters',
  'epochs_run',
  'seconds',
  'test_loss',
  'test_accuracy',
  'reported_accuracy',
  'reported_loss',
  'reported_source',
  'seeds',
  'seed_accuracies',
  'error',
] as const;

/** The comparison rows as CSV, one line per model, numbers unrounded. */
export function compareCsv(rows: readonly CompareRow[]): string {
  const lines = [csvColumns.join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.name,
        hiddenLayersText(row.hiddenLayers),
        row.parameters,
        row.epochsRun,
        row.seconds,
        row.testLoss,
        row.testAccuracy,
        row.reportedAccuracy,
        row.reportedLoss,
        row.reportedSource,
        // Space-separated within their cell, in the same order.
        row.seeds?.join(' '),
        row.seedAccuracies?.join(' '),
        row.error,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function deltaClass(row: CompareRow): string {
  if (row.testAccuracy === undefined || row.reportedAccuracy === undefined) return '';
  return row.testAccuracy >= row.reportedAccuracy ? 'good' : 'bad';
}

/** Builds compare.html's text and its chart without touching the disk. */
export async function buildCompareReport(
  rows: readonly CompareRow[],
  runs: readonly CompareRun[],
  options: CompareReportOptions = {},
): Promise<{ html: string; chart?: RenderedChart }> {
  const withCurves = runs.filter((run) => run.history.epoch.length > 0);
  const chart = withCurves.length > 0 ? await renderChart('compare-curves', 'Validation curves', compareCurvesSpec(withCurves)) : undefined;

  const succeeded = rows.filter((row) => row.error === undefined);
  const failed = rows.length - succeeded.length;
  const best = succeeded.reduce<CompareRow | undefined>(
    (leader, row) => (row.testAccuracy !== undefined && (leader?.testAccuracy === undefined || row.testAccuracy > leader.testAccuracy) ? row : leader),
    undefined,
  );
  const totalSeconds = succeeded.reduce((sum, row) => sum + (row.seconds ?? 0) * (row.seeds?.length ?? 1), 0);
  const seedsNote = succeeded.some((row) => row.seeds)
    ? ' A model trained with several seeds shows its mean test accuracy with the lowest and highest seed beside it; its loss, seconds and epochs are means per run. Each seed\'s figure is in compare.csv.'
    : '';

  const tableRows = rows.map((row) => {
    const cells = compareCells(row).map(escapeHtml);
    if (row.error !== undefined) {
      return [cells[0]!, `<code>${cells[1]!}</code>`, `failed: ${escapeHtml(row.error)}`];
    }
    const source = row.reportedSource ? `<br><small class="note">${escapeHtml(row.reportedSource)}</small>` : '';
    cells[7] = cells[7]! + (row.reportedAccuracy !== undefined ? source : '');
    cells[1] = `<code>${cells[1]}</code>`;
    cells[8] = `<span class="${deltaClass(row)}">${cells[8]}</span>`;
    return cells;
  });
  // A failed row's message spans the numeric columns instead of squeezing into one of them.
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8]);
  const head = compareColumns.map((title, column) => `<th${numeric.has(column) ? ' class="num"' : ''}>${escapeHtml(title)}</th>`).join('');
  const body = tableRows
    .map((cells, index) => {
      if (rows[index]!.error !== undefined) {
        return `<tr class="failed"><td>${cells[0]}</td><td>${cells[1]}</td><td class="error" colspan="${compareColumns.length - 2}">${cells[2]}</td></tr>`;
      }
      return `<tr>${cells.map((cell, column) => `<td${numeric.has(column) ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const table = `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;

  const sections: PageSection[] = [
    {
      id: 'summary',
      title: 'Summary',
      body: `<div class="cards">
${card('Models trained', `${succeeded.length} of ${rows.length}`)}
${card('Best test accuracy', best ? formatPercent(best.testAccuracy) : '–')}
${card('Best model', best ? escapeHtml(best.name) : '–', true)}
${card('Failed', String(failed))}
${card('Training time', formatSeconds(totalSeconds))}
</div>`,
    },
    {
      id: 'table',
      title: 'Models',
      body:
        table +
        '\n<p class="note">“notebook” is the test accuracy (and loss) the seed notebook reported for the same model; “vs notebook” is the difference in percentage points.' +
        seedsNote +
        ' The numbers are also in <a href="compare.csv">compare.csv</a> and <a href="compare.json">compare.json</a>.</p>',
    },
    {
      id: 'curves',
      title: 'Validation curves',
      body: chart
        ? chartFigure(chart, 'Validation accuracy and loss per epoch of every run (a dashed line is a run without validation data, drawn from its training values).')
        : '<p class="note">No run recorded a training history.</p>',
    },
  ];
  const subtitle = [options.engine ? escapeHtml(options.engine) : '', options.generatedAt ? escapeHtml(options.generatedAt) : ''].filter(Boolean).join(' · ');
  return { html: page(options.title ?? 'digitnet model comparison', subtitle, sections), ...(chart ? { chart } : {}) };
}

/**
 * Writes DIR/compare.html with the models' table and overlaid validation curves, plus
 * compare.json, compare.csv and the chart as SVG and PNG; each file atomically, compare.html last.
 */
export async function writeCompareReport(
  dir: string,
  rows: readonly CompareRow[],
  runs: readonly CompareRun[],
  options: CompareReportOptions = {},
): Promise<CompareReportResult> {
  const built = await buildCompareReport(rows, runs, options);
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, data);
    files.push(path);
  };
  if (built.chart) {
    await write(`${built.chart.name}.svg`, built.chart.svg);
    await write(`${built.chart.name}.png`, built.chart.png);
  }
  await write('compare.json', JSON.stringify({ rows, runs: runs.map((run) => ({ name: run.name, history: run.history })) }, null, 2) + '\n');
  await write('compare.csv', compareCsv(rows));
  await write('compare.html', built.html);
  return { htmlPath: join(dir, 'compare.html'), files, html: built.html, ...(built.chart ? { chart: built.chart } : {}) };
}
