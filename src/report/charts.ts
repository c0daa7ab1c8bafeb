/**
 * Vega-Lite specs for every chart of the report. Each builder takes plain data and returns a
 * spec; render.ts turns specs into SVG and PNG.
 */
import type { TopLevelSpec } from 'vega-lite';
import { trainingHistoryFrom, type HistoryInput } from './history-input.js';
import { checkHistory } from './metrics.js';
import type { ClassDistribution, CompareRun } from './types.js';

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
const trainingColour = '#4c78a8';
const validationColour = '#f58518';
const stopColour = '#9d9d9d';
const bestColour = '#54a24b';
const wrongColour = '#d62728';
const rightColour = '#2a7d2e';

const baseConfig = {
  background: 'white',
  padding: 12,
  title: { fontSize: 15, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#dddddd' },
} as const;

export interface CurveMarks {
  /** Epoch at which early stopping ended training (history.epoch numbering). */
  readonly stoppedEpoch?: number;
  /** Epoch whose weights were restored (history.epoch numbering). */
  readonly bestEpoch?: number;
}

interface CurvePoint {
  epoch: number;
  series: string;
  value: number;
}

/** History epochs count from 0, as Keras's do; Keras's progress lines and charts show them from 1. */
function shownEpoch(epoch: number): number {
  return epoch + 1;
}

function finite(value: number): boolean {
  return Number.isFinite(value);
}

/**
 * Loss and accuracy per epoch, training and validation side by side, with the early-stopping
 * epoch as a dashed rule and the restored best epoch as a green rule and ringed points.
 */
export function trainingCurvesSpec(historyInput: HistoryInput, marks: CurveMarks = {}): TopLevelSpec {
  const history = trainingHistoryFrom(historyInput);
  checkHistory(history);
  const stopLabel = marks.stoppedEpoch === undefined ? undefined : `early stop (epoch ${shownEpoch(marks.stoppedEpoch)})`;
  const bestLabel = marks.bestEpoch === undefined ? undefined : `restored best (epoch ${shownEpoch(marks.bestEpoch)})`;
  const domain = ['training', ...(history.val_loss || history.val_accuracy ? ['validation'] : [])];
  const range = [trainingColour, validationColour].slice(0, domain.length);
  if (stopLabel) {
    domain.push(stopLabel);
    range.push(stopColour);
  }
  if (bestLabel) {
    domain.push(bestLabel);
    range.push(bestColour);
  }
  const colour = { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { orient: 'bottom', direction: 'horizontal', symbolStrokeWidth: 3, labelLimit: 400 } } as const;

  const panel = (title: string, training: readonly number[], validation: readonly number[] | undefined, axisTitle: string) => {
    const points: CurvePoint[] = [];
    history.epoch.forEach((epoch, index) => {
      if (finite(training[index]!)) points.push({ epoch: shownEpoch(epoch), series: 'training', value: training[index]! });
      if (validation && finite(validation[index]!)) points.push({ epoch: shownEpoch(epoch), series: 'validation', value: validation[index]! });
    });
    const markers: { epoch: number; series: string }[] = [];
    if (stopLabel) markers.push({ epoch: shownEpoch(marks.stoppedEpoch!), series: stopLabel });
    if (bestLabel) markers.push({ epoch: shownEpoch(marks.bestEpoch!), series: bestLabel });
    const bestPoints = marks.bestEpoch === undefined ? [] : points.filter((point) => point.epoch === shownEpoch(marks.bestEpoch!));
    const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false, zero: false } } as const;
    return {
      title,
      width: 340,
      height: 230,
      layer: [
        {
          data: { values: markers },
          mark: { type: 'rule', strokeDash: [5, 4], strokeWidth: 1.5 },
          encoding: { x, color: colour },
        },
        {
          data: { values: points },
          mark: { type: 'line', point: { size: 28 }, strokeWidth: 2 },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative', title: axisTitle, scale: { zero: false } },
            color: colour,
          },
        },
        {
          data: { values: bestPoints },
          mark: { type: 'point', size: 160, strokeWidth: 2, color: bestColour, filled: false },
          encoding: { x, y: { field: 'value', type: 'quantitative' } },
        },
      ],
    };
  };

  return {
    $schema: schema,
    config: baseConfig,
    hconcat: [
      panel('Accuracy', history.accuracy, history.val_accuracy, 'accuracy'),
      panel('Loss', history.loss, history.val_loss, 'loss'),
    ],
    spacing: 36,
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

/**
 * Heatmap of a confusion matrix (true labels down, predicted across, both 0..9) with the count
 * in every cell. The colour scale is symmetric-log so the few errors off the diagonal still show
 * against diagonal counts in the thousands.
 */
export function confusionMatrixSpec(matrix: readonly (readonly number[])[], title = 'Confusion matrix'): TopLevelSpec {
  const classes = matrix.length;
  const largest = Math.max(1, ...matrix.flat());
  const cells: { actual: number; predicted: number; count: number; dark: boolean }[] = [];
  matrix.forEach((row, actual) => {
    if (row.length !== classes) {
      throw new RangeError(`Row ${actual} of the confusion matrix has ${row.length} counts; a ${classes}-class matrix needs ${classes}.`);
    }
    row.forEach((count, predicted) => {
      // Matches the symlog colour scale: cells past 55% of it are dark enough for white text.
      const dark = Math.log1p(count) / Math.log1p(largest) > 0.55;
      cells.push({ actual, predicted, count, dark });
    });
  });
  const order = Array.from({ length: classes }, (_, label) => label);
  const side = Math.min(520, Math.max(200, classes * 40));
  return {
    $schema: schema,
    config: { ...baseConfig, view: { stroke: null } },
    title,
    width: side,
    height: side,
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'predicted label', sort: order, axis: { labelAngle: 0, orient: 'top', domain: false, ticks: false } },
      y: { field: 'actual', type: 'ordinal', title: 'true label', sort: order, axis: { domain: false, ticks: false } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#e4e8ec', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            title: 'count',
            // From white, so empty cells stay blank, through the ColorBrewer blues.
            scale: { type: 'symlog', interpolate: 'rgb', domain: [0, largest], range: ['#ffffff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] },
            legend: { gradientLength: side - 40 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: classes > 12 ? 9 : 12 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          // A field with `scale: null` here would share the heatmap's colour scale, so conditions instead.
          color: {
            condition: [
              { test: 'datum.dark', value: '#ffffff' },
              { test: 'datum.count === 0', value: '#a7b1bc' },
            ],
            value: '#1f2d3d',
          },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Bars of the class counts and proportions of the training and test sets, side by side. */
export function classDistributionSpec(splits: Readonly<Record<string, ClassDistribution>>): TopLevelSpec {
  const names = Object.keys(splits);
  if (names.length === 0) throw new RangeError('classDistributionSpec needs at least one split, e.g. { test: classDistribution(testLabels) }.');
  const values = names.flatMap((split) =>
    splits[split]!.counts.map((count, digit) => ({ digit, split, count, proportion: splits[split]!.proportions[digit]! })),
  );
  const palette = [trainingColour, validationColour, '#54a24b', '#b279a2'];
  const colour = { field: 'split', type: 'nominal', title: null, scale: { domain: names, range: palette.slice(0, names.length) }, legend: { orient: 'bottom', direction: 'horizontal' } } as const;
  const panel = (title: string, field: 'count' | 'proportion', format: string) => ({
    title,
    width: 340,
    height: 220,
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { field: 'digit', type: 'ordinal', title: 'digit', axis: { labelAngle: 0 } },
      xOffset: { field: 'split', type: 'nominal', scale: { domain: names } },
      y: { field, type: 'quantitative', title: field, axis: { format } },
      color: colour,
    },
  });
  return {
    $schema: schema,
    config: baseConfig,
    data: { values },
    hconcat: [panel('Count per class', 'count', ',d'), panel('Proportion per class', 'proportion', '.0%')],
    spacing: 36,
  } as TopLevelSpec;
}

/** One tile of a digit grid: a PNG data URI and up to two caption lines. */
export interface DigitTile {
  readonly image: string;
  readonly caption: string;
  readonly detail?: string;
  /** Draws the caption in red (a wrong prediction) rather than green. */
  readonly wrong?: boolean;
}

/**
 * Digits in a grid with captions under each, as image and text marks on pixel positions (no
 * scales), so the layout is exact and needs no facets.
 */
export function digitGridSpec(tiles: readonly DigitTile[], title: string, columns = 10): TopLevelSpec {
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns is ${columns}; it must be a positive integer.`);
  const imageSize = 56;
  const cellWidth = 96;
  const cellHeight = tiles.some((tile) => tile.detail) ? 100 : 86;
  const usedColumns = Math.max(1, Math.min(columns, tiles.length));
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const values = tiles.map((tile, index) => {
    const left = (index % columns) * cellWidth;
    const top = Math.floor(index / columns) * cellHeight;
    return {
      image: tile.image,
      caption: tile.caption,
      detail: tile.detail ?? '',
      colour: tile.wrong === undefined ? '#333333' : tile.wrong ? wrongColour : rightColour,
      centre: left + cellWidth / 2,
      imageTop: top + 2,
      captionTop: top + imageSize + 8,
      detailTop: top + imageSize + 22,
    };
  });
  const pixels = (field: string) => ({ field, type: 'quantitative', scale: null }) as const;
  return {
    $schema: schema,
    config: { ...baseConfig, view: { stroke: null } },
    title,
    width: usedColumns * cellWidth,
    height: rows * cellHeight,
    data: { values },
    layer: [
      {
        mark: { type: 'image', width: imageSize, height: imageSize, align: 'center', baseline: 'top', smooth: false },
        encoding: { x: pixels('centre'), y: pixels('imageTop'), url: { field: 'image', type: 'nominal' } },
      },
      {
        mark: { type: 'text', align: 'center', baseline: 'top', fontSize: 11, fontWeight: 'bold' },
        encoding: { x: pixels('centre'), y: pixels('captionTop'), text: { field: 'caption' }, color: { field: 'colour', type: 'nominal', scale: null } },
      },
      {
        mark: { type: 'text', align: 'center', baseline: 'top', fontSize: 10, color: '#555555' },
        encoding: { x: pixels('centre'), y: pixels('detailTop'), text: { field: 'detail' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Several runs' validation accuracy and loss overlaid, one colour per run (notebook 002's last
 * figure). A run without validation data is drawn from its training values, dashed, and says so,
 * as do the panel titles.
 */
export function compareCurvesSpec(runs: readonly CompareRun[]): TopLevelSpec {
  const values: { run: string; epoch: number; metric: string; value: number; fallback: boolean }[] = [];
  const names: string[] = [];
  let fallbacks = 0;
  for (const given of runs) {
    const run = { name: given.name, history: trainingHistoryFrom(given.history, `the history of "${given.name}"`) };
    checkHistory(run.history);
    const fallback = !run.history.val_accuracy && !run.history.val_loss;
    if (fallback) fallbacks++;
    const name = fallback ? `${run.name} (training)` : run.name;
    names.push(name);
    const accuracy = run.history.val_accuracy ?? (fallback ? run.history.accuracy : undefined);
    const loss = run.history.val_loss ?? (fallback ? run.history.loss : undefined);
    run.history.epoch.forEach((epoch, index) => {
      const shown = shownEpoch(epoch);
      if (accuracy && finite(accuracy[index]!)) values.push({ run: name, epoch: shown, metric: 'accuracy', value: accuracy[index]!, fallback });
      if (loss && finite(loss[index]!)) values.push({ run: name, epoch: shown, metric: 'loss', value: loss[index]!, fallback });
    });
  }
  // The titles say what is drawn: validation curves, training curves, or a mix of both.
    const subject = fallbacks === 0 ? 'Validation' : fallbacks === runs.length ? 'Training' : 'Validation (dashed: training)';
  // The legend sits under both panels; as many columns as its longest name fits in their width, so no name is cut.
  const panelsWidth = 2 * 340 + 36;
  const longest = Math.max(1, ...names.map((name) => name.length));
  const legendColumns = Math.max(1, Math.min(4, names.length, Math.floor(panelsWidth / (longest * 7 + 36))));
  // Past ten runs a ten-colour scheme repeats colours, so more runs get twenty.
  const scheme = names.length > 10 ? 'tableau20' : 'tableau10';
  const colour = { field: 'run', type: 'nominal', title: null, scale: { domain: names, scheme }, legend: { orient: 'bottom', direction: 'horizontal', columns: legendColumns, labelLimit: panelsWidth - 36 } } as const;
  const panel = (title: string, metric: string) => ({
    title,
    width: 340,
    height: 230,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: { size: 24 }, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false, zero: false } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: colour,
      strokeDash: { field: 'fallback', type: 'nominal', scale: { domain: [false, true], range: [[1, 0], [5, 4]] }, legend: null },
    },
  });
  return {
    $schema: schema,
    config: baseConfig,
    data: { values },
    hconcat: [panel(`${subject} accuracy`, 'accuracy'), panel(`${subject} loss`, 'loss')],
    spacing: 36,
  } as TopLevelSpec;
}
