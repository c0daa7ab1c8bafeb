/**
 * show(x): one call that draws a chart, a model summary or a table where the user is. In a tslab
 * notebook it becomes the cell's rich output (PNG charts, an HTML summary); in a script a chart is
 * written to a file (its name, or `file`) and everything else is printed as text, so the same
 * code runs in both. It returns a promise because charts render asynchronously: `await show(c)`.
 */
import { isChart } from '../plots/chart.js';
import { formatClassificationReport, formatConfusionMatrix } from '../report/tables.js';
import type { ClassificationReport } from '../report/types.js';
import type { SummaryRow } from '../models/summary.js';
import { formatSummary } from '../models/summary.js';
import { formatValue } from '../validation.js';
import { notebookKernel } from './kernel.js';
import { summaryHtml } from './summary-html.js';

export interface ShowOptions {
  /** Outside a notebook, where a chart is written; "<chart name>.svg" in the working folder by default (.png also works). */
  readonly file?: string;
  /** Where text goes outside a notebook; console.log by default. */
  readonly print?: (text: string) => void;
}

interface SummarizedModel {
  readonly name: string;
  summaryRows(): SummaryRow[];
}

function isModel(value: unknown): value is SummarizedModel {
  return typeof value === 'object' && value !== null && typeof (value as SummarizedModel).summaryRows === 'function' && typeof (value as SummarizedModel).name === 'string';
}

function isReport(value: unknown): value is ClassificationReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as ClassificationReport).classes) && 'accuracy' in value && 'macroAverage' in value;
}

function isMatrix(value: unknown): value is number[][] {
  return Array.isArray(value) && value.length > 0 && value.every((row) => Array.isArray(row) && row.length === value.length && row.every((item) => typeof item === 'number'));
}

export async function show(value: unknown, options: ShowOptions = {}): Promise<string | undefined> {
  if (value === undefined) throw new TypeError('show() needs something to show: a chart from a plot function, a model, a classification report or a confusion matrix.');
  if (typeof options !== 'object' || options === null) throw new TypeError(`show(): options is ${formatValue(options)}; it must be an object such as { file: 'curves.svg' }.`);
  const kernel = notebookKernel();
  const print = options.print ?? ((text: string) => console.log(text));
  if (isChart(value)) {
    if (kernel) {
      // PNG, not SVG: nbconvert's HTML export passes an SVG output through its sanitizer, which
      // strips every element Vega draws with, so the exported page showed empty frames.
      kernel.display.png(await value.toPNG(1));
      return undefined;
    }
    const path = await value.save(options.file ?? `${value.name}.svg`);
    print(`${value.title}: wrote ${path}`);
    return path;
  }
  if (isModel(value)) {
    const rows = value.summaryRows();
    if (kernel) kernel.display.html(summaryHtml(value.name, rows));
    else print(formatSummary(value.name, rows));
    return undefined;
  }
  const text = isReport(value) ? formatClassificationReport(value) : isMatrix(value) ? formatConfusionMatrix(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined) {
    throw new TypeError(`show() cannot draw ${formatValue(value)}; it shows charts (plotHistory, plotDigits, ...), models, classification reports and confusion matrices.`);
  }
  if (kernel) kernel.display.text(text);
  else print(text);
  return undefined;
}
