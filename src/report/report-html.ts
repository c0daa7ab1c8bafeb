import { join } from 'node:path';
import { classDistributionSpec, confusionMatrixSpec, digitGridSpec, trainingCurvesSpec, type DigitTile } from './charts.js';
import { digitPng, pngDataUri } from './digits-png.js';
import { escapeHtml, writeFileAtomic } from './files.js';
import { card, chartFigure, htmlTable, page, type PageSection } from './html.js';
import {
  accuracyOf,
  argmaxRows,
  checkHistory,
  classDistribution,
  classificationReport,
  confusionMatrix,
  historyToCsv,
  mostConfidentMistakes,
} from './metrics.js';
import { renderChart } from './render.js';
import { formatCount, formatNumber, formatPercent, formatSeconds } from './tables.js';
import type {
  ClassDistribution,
  ClassificationReport,
  Mistake,
  ModelSummary,
  RenderedChart,
  RunReportInput,
  SettingValue,
  TrainingHistory,
} from './types.js';

/** What metrics.json holds: every number the report shows. */
export interface RunMetrics {
  readonly engine: string;
  readonly settings: Readonly<Record<string, SettingValue>>;
  readonly test: { readonly samples: number; readonly loss?: number; readonly accuracy: number };
  readonly confusionMatrix: number[][];
  readonly classificationReport: ClassificationReport;
  readonly mostConfidentMistakes: Mistake[];
  readonly classDistribution: { readonly train?: ClassDistribution; readonly test: ClassDistribution };
  readonly history?: TrainingHistory;
  readonly stoppedEpoch?: number;
  readonly bestEpoch?: number;
  readonly timings?: Readonly<Record<string, number>>;
  readonly modelSummary?: ModelSummary;
}

export interface BuiltRunReport {
  readonly html: string;
  readonly charts: readonly RenderedChart[];
  readonly metrics: RunMetrics;
  /** history.csv's text, when there is a history. */
  readonly historyCsv?: string;
}

export interface RunReportResult extends BuiltRunReport {
  /** Path of report.html. */
  readonly htmlPath: string;
  /** Every file written, report.html last. */
  readonly files: readonly string[];
}

function checkTestResults(input: RunReportInput, classes: number): { count: number; rows: number; cols: number } {
  const { labels, probabilities, images } = input.test;
  const rows = input.test.rows ?? 28;
  const cols = input.test.cols ?? 28;
  const count = labels.length;
  if (probabilities.length !== count * classes) {
    throw new RangeError(
      `test.probabilities holds ${probabilities.length} values; ${count} labels × ${classes} classes needs ${count * classes}.`,
    );
  }
  if (images.length !== count * rows * cols) {
    throw new RangeError(`test.images holds ${images.length} pixels; ${count} images of ${rows} × ${cols} needs ${count * rows * cols}.`);
  }
  return { count, rows, cols };
}

function settingText(value: SettingValue): string {
  if (value === undefined) return '–';
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.every((item) => typeof item !== 'object' || item === null) ? value.join(', ') : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function historySummary(history: TrainingHistory | undefined, stoppedEpoch?: number, bestEpoch?: number): string {
  if (!history || history.epoch.length === 0) return '';
  const parts = [`${history.epoch.length} epoch${history.epoch.length === 1 ? '' : 's'} run`];
  if (stoppedEpoch !== undefined) parts.push(`early stopping ended training at epoch ${stoppedEpoch}`);
  if (bestEpoch !== undefined) {
    const index = history.epoch.indexOf(bestEpoch);
    const detail =
      index >= 0 && history.val_loss ? ` (validation loss ${formatNumber(history.val_loss[index])}` + (history.val_accuracy ? `, accuracy ${formatPercent(history.val_accuracy[index])})` : ')') : '';
    parts.push(`the weights of epoch ${bestEpoch}${detail} were restored as the best`);
  }
  return parts.join('; ') + '.';
}

/** Renders every chart and the page without touching the disk. */
export async function buildRunReport(input: RunReportInput): Promise<BuiltRunReport> {
  const classes = input.classes ?? 10;
  const { count, rows, cols } = checkTestResults(input, classes);
  if (input.history) checkHistory(input.history);
  const sampleCount = Math.min(input.sampleCount ?? 30, count);
  const mistakeCount = input.mistakeCount ?? 30;

  const predicted = argmaxRows(input.test.probabilities, classes);
  const matrix = confusionMatrix(input.test.labels, predicted, classes);
  const report = classificationReport(input.test.labels, predicted, { classes });
  const mistakes = mostConfidentMistakes(input.test.labels, input.test.probabilities, mistakeCount, classes);
  const testDistribution = classDistribution(input.test.labels, classes);
  const trainDistribution = input.trainLabels ? classDistribution(input.trainLabels, classes) : undefined;
  const accuracy = input.test.accuracy ?? accuracyOf(input.test.labels, predicted);
  const digit = (index: number): string => pngDataUri(digitPng(input.test.images, index, { rows, cols }));

  const sampleTiles: DigitTile[] = [];
  for (let index = 0; index < sampleCount; index++) {
    const label = input.test.labels[index]!;
    const guess = predicted[index]!;
    sampleTiles.push({
      image: digit(index),
      caption: `label ${label}`,
      detail: `pred ${guess} · ${(input.test.probabilities[index * classes + guess]! * 100).toFixed(1)}%`,
      wrong: guess !== label,
    });
  }
  const mistakeTiles: DigitTile[] = mistakes.map((mistake) => ({
    image: digit(mistake.index),
    caption: `true ${mistake.trueLabel} → ${mistake.predictedLabel}`,
    detail: `p ${mistake.probability.toFixed(3)} · #${mistake.index}`,
    wrong: true,
  }));

  const charts: RenderedChart[] = [];
  const render = async (name: string, title: string, spec: Parameters<typeof renderChart>[2]): Promise<RenderedChart> => {
    const chart = await renderChart(name, title, spec);
    charts.push(chart);
    return chart;
  };
  const curves =
    input.history && input.history.epoch.length > 0
      ? await render('training-curves', 'Training curves', trainingCurvesSpec(input.history, { stoppedEpoch: input.stoppedEpoch, bestEpoch: input.bestEpoch }))
      : undefined;
  const matrixChart = await render('confusion-matrix', 'Confusion matrix', confusionMatrixSpec(matrix, `Confusion matrix (${formatCount(count)} test digits)`));
  const wrongChart =
    mistakeTiles.length > 0
      ? await render('wrong-digits', 'Most confidently wrong test digits', digitGridSpec(mistakeTiles, 'Most confidently wrong test digits'))
      : undefined;
  const samplesChart =
    sampleTiles.length > 0 ? await render('sample-digits', 'Sample test digits', digitGridSpec(sampleTiles, `The first ${sampleCount} test digits`)) : undefined;
  const distributionSplits: Record<string, ClassDistribution> = trainDistribution
    ? { train: trainDistribution, test: testDistribution }
    : { test: testDistribution };
  const distributionChart = await render('class-distribution', 'Class distribution', classDistributionSpec(distributionSplits));

  const metrics: RunMetrics = {
    engine: input.engine,
    settings: input.settings,
    test: { samples: count, ...(input.test.loss !== undefined ? { loss: input.test.loss } : {}), accuracy },
    confusionMatrix: matrix,
    classificationReport: report,
    mostConfidentMistakes: mistakes,
    classDistribution: { ...(trainDistribution ? { train: trainDistribution } : {}), test: testDistribution },
    ...(input.history ? { history: input.history } : {}),
    ...(input.stoppedEpoch !== undefined ? { stoppedEpoch: input.stoppedEpoch } : {}),
    ...(input.bestEpoch !== undefined ? { bestEpoch: input.bestEpoch } : {}),
    ...(input.timings ? { timings: input.timings } : {}),
    ...(input.modelSummary ? { modelSummary: input.modelSummary } : {}),
  };

  const sections: PageSection[] = [];
  const totalSeconds = input.timings ? Object.values(input.timings).reduce((sum, seconds) => sum + seconds, 0) : undefined;
  sections.push({
    id: 'summary',
    title: 'Summary',
    body: `<div class="cards">
${card('Test accuracy', formatPercent(accuracy))}
${card('Test loss', formatNumber(input.test.loss))}
${card('Wrong test digits', `${formatCount(count - Math.round(accuracyOf(input.test.labels, predicted) * count))} of ${formatCount(count)}`)}
${card('Epochs run', input.history ? String(input.history.epoch.length) : '–')}
${card('Parameters', formatCount(input.modelSummary?.totalParams))}
${card('Total time', formatSeconds(totalSeconds))}
${card('Engine', escapeHtml(input.engine), true)}
</div>`,
  });

  const settingRows = Object.entries(input.settings).map(([name, value]) => [`<code>${escapeHtml(name)}</code>`, escapeHtml(settingText(value))]);
  sections.push({
    id: 'settings',
    title: 'Settings',
    body: settingRows.length > 0 ? htmlTable([{ title: 'setting' }, { title: 'value' }], settingRows) : '<p class="note">No settings were recorded.</p>',
  });

  if (input.modelSummary) {
    const summary = input.modelSummary;
    const summaryRows = summary.rows.map((row) => [
      `${escapeHtml(row.name)} (${escapeHtml(row.type)})`,
      `<code>${escapeHtml(row.outputShape)}</code>`,
      formatCount(row.params),
    ]);
    sections.push({
      id: 'model',
      title: 'Model summary',
      body:
        htmlTable([{ title: 'Layer (type)' }, { title: 'Output shape' }, { title: 'Param #', numeric: true }], summaryRows) +
        `\n<p class="note">Total params: <strong>${formatCount(summary.totalParams)}</strong> · trainable: ${formatCount(summary.trainableParams)} · non-trainable: ${formatCount(summary.nonTrainableParams)}</p>`,
    });
  } else {
    sections.push({ id: 'model', title: 'Model summary', body: '<p class="note">No model summary was recorded.</p>' });
  }

  sections.push({
    id: 'training',
    title: 'Training curves',
    body: curves
      ? chartFigure(curves, escapeHtml(historySummary(input.history, input.stoppedEpoch, input.bestEpoch))) +
        (input.history ? `\n<p class="note">Per-epoch values are in <a href="history.csv">history.csv</a>.</p>` : '')
      : '<p class="note">No training history: this model was evaluated without being trained in this run.</p>',
  });

  sections.push({
    id: 'confusion',
    title: 'Confusion matrix',
    body: chartFigure(matrixChart, 'Rows are true labels, columns predicted labels; the diagonal counts correct predictions.'),
  });

  const scoreRow = (name: string, precision: number, recall: number, f1: number, support: number): string[] => [
    name,
    precision.toFixed(4),
    recall.toFixed(4),
    f1.toFixed(4),
    formatCount(support),
  ];
  const classRows = report.classes.map((scores) => scoreRow(String(scores.label), scores.precision, scores.recall, scores.f1, scores.support));
  classRows.push(['accuracy', '', '', report.accuracy.toFixed(4), formatCount(report.support)]);
  classRows.push(scoreRow('macro avg', report.macroAverage.precision, report.macroAverage.recall, report.macroAverage.f1, report.macroAverage.support));
  classRows.push(scoreRow('weighted avg', report.weightedAverage.precision, report.weightedAverage.recall, report.weightedAverage.f1, report.weightedAverage.support));
  const firstTotal = report.classes.length;
  sections.push({
    id: 'per-class',
    title: 'Per-class precision, recall and F1',
    body: htmlTable(
      [{ title: 'class' }, { title: 'precision', numeric: true }, { title: 'recall', numeric: true }, { title: 'f1-score', numeric: true }, { title: 'support', numeric: true }],
      classRows,
      classRows.map((_, index) => (index === firstTotal ? 'total' : '')),
    ) + '\n<p class="note">Computed as scikit-learn’s <code>classification_report</code> on the test set.</p>',
  });

  sections.push({
    id: 'mistakes',
    title: 'Most confidently wrong digits',
    body: wrongChart
      ? chartFigure(wrongChart, `The ${mistakeTiles.length} wrong test predictions with the highest probability: true label → predicted label, the probability given to the prediction, and the digit’s index in the test set.`)
      : '<p class="note">The model got every test digit right.</p>',
  });

  if (samplesChart) {
    sections.push({
      id: 'samples',
      title: 'Sample digits',
      body: chartFigure(samplesChart, 'Each digit with its true label and the model’s prediction (green right, red wrong) with its probability.'),
    });
  }

  const distributionRows = testDistribution.counts.map((testCount, label) => [
    String(label),
    ...(trainDistribution ? [formatCount(trainDistribution.counts[label]), formatPercent(trainDistribution.proportions[label])] : []),
    formatCount(testCount),
    formatPercent(testDistribution.proportions[label]),
  ]);
  distributionRows.push([
    'total',
    ...(trainDistribution ? [formatCount(trainDistribution.total), '100.00%'] : []),
    formatCount(testDistribution.total),
    '100.00%',
  ]);
  sections.push({
    id: 'distribution',
    title: 'Class distribution',
    body:
      chartFigure(distributionChart) +
      '\n' +
      htmlTable(
        [
          { title: 'digit' },
          ...(trainDistribution ? [{ title: 'train count', numeric: true }, { title: 'train share', numeric: true }] : []),
          { title: 'test count', numeric: true },
          { title: 'test share', numeric: true },
        ],
        distributionRows,
        distributionRows.map((_, index) => (index === distributionRows.length - 1 ? 'total' : '')),
      ),
  });

  const timingRows = Object.entries(input.timings ?? {}).map(([phase, seconds]) => [escapeHtml(phase), formatSeconds(seconds)]);
  if (totalSeconds !== undefined) timingRows.push(['total', formatSeconds(totalSeconds)]);
  sections.push({
    id: 'timings',
    title: 'Timings and engine',
    body:
      `<p>Engine: <strong>${escapeHtml(input.engine)}</strong></p>\n` +
      (timingRows.length > 0
        ? htmlTable([{ title: 'phase' }, { title: 'time', numeric: true }], timingRows, timingRows.map((_, index) => (index === timingRows.length - 1 ? 'total' : '')))
        : '<p class="note">No timings were recorded.</p>'),
  });

  const fileNames = [
    ...charts.flatMap((chart) => [`${chart.name}.svg`, `${chart.name}.png`]),
    ...(input.history ? ['history.csv'] : []),
    'metrics.json',
  ];
  sections.push({
    id: 'files',
    title: 'Files',
    body: `<p class="note">Saved beside this report:</p>\n<ul class="files">${fileNames.map((name) => `<li><a href="${name}">${name}</a></li>`).join('')}</ul>`,
  });

  const title = input.title ?? 'digitnet run report';
  const subtitle = [escapeHtml(input.engine), input.generatedAt ? escapeHtml(input.generatedAt) : ''].filter(Boolean).join(' · ');
  return {
    html: page(title, subtitle, sections),
    charts,
    metrics,
    ...(input.history ? { historyCsv: historyToCsv(input.history) } : {}),
  };
}

/**
 * Writes DIR/report.html (one self-contained file) and beside it every chart as SVG and PNG,
 * history.csv (when there is a history) and metrics.json. Each file is written atomically;
 * report.html goes last, so its presence means the rest is there.
 */
export async function writeRunReport(dir: string, input: RunReportInput): Promise<RunReportResult> {
  const built = await buildRunReport(input);
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, data);
    files.push(path);
  };
  for (const chart of built.charts) {
    await write(`${chart.name}.svg`, chart.svg);
    await write(`${chart.name}.png`, chart.png);
  }
  if (built.historyCsv !== undefined) await write('history.csv', built.historyCsv);
  await write('metrics.json', JSON.stringify(built.metrics, null, 2) + '\n');
  await write('report.html', built.html);
  return { ...built, htmlPath: join(dir, 'report.html'), files };
}
