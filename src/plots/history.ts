/**
 * plotHistory and plotCompare: the training curves of one fit, and several fits overlaid, from
 * exactly what fit returns (a History, or its .history record).
 */
import type { TopLevelSpec } from 'vega-lite';
import { compareCurvesSpec } from '../report/charts.js';
import { historySeriesOf, trainingHistoryFrom, type HistoryInput } from '../report/history-input.js';
import { formatValue } from '../validation.js';
import { Chart } from './chart.js';

export interface PlotHistoryOptions {
  /** Which logged metrics get a panel, e.g. ['accuracy', 'loss']; every one fit logged by default. Validation twins are drawn with each. */
  readonly metrics?: readonly string[];
  readonly title?: string;
}

const trainingColour = '#4c78a8';
const validationColour = '#f58518';

/** One panel per metric, training and validation curves in each, epochs counted from 1 as Keras prints them. */
export function plotHistory(history: HistoryInput, options: PlotHistoryOptions = {}): Chart {
  const { epoch, series } = historySeriesOf(history, 'plotHistory(): history');
  if (typeof options !== 'object' || options === null) throw new TypeError(`plotHistory(): options is ${formatValue(options)}; it must be an object such as { metrics: ['accuracy', 'loss'] }.`);
  const logged = Object.keys(series).filter((name) => !name.startsWith('val_'));
  const metrics = options.metrics ?? [...logged.filter((name) => name !== 'loss'), ...logged.filter((name) => name === 'loss')];
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new TypeError(`plotHistory(): metrics is ${formatValue(options.metrics)}; it must be a non-empty array of logged names (${logged.join(', ')}).`);
  }
  for (const metric of metrics) {
    if (typeof metric !== 'string' || !(metric in series)) {
      throw new RangeError(`plotHistory(): metric ${formatValue(metric)} was not logged; the history holds ${Object.keys(series).join(', ')}.`);
    }
  }
  const hasValidation = metrics.some((metric) => `val_${metric}` in series);
  const domain = ['training', ...(hasValidation ? ['validation'] : [])];
  const colour = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain, range: [trainingColour, validationColour].slice(0, domain.length) },
    legend: { orient: 'bottom', direction: 'horizontal', symbolStrokeWidth: 3 },
  } as const;
  const panel = (metric: string) => {
    const values: { epoch: number; series: string; value: number }[] = [];
    epoch.forEach((number, index) => {
      const training = series[metric]![index]!;
      const validation = series[`val_${metric}`]?.[index];
      if (Number.isFinite(training)) values.push({ epoch: number + 1, series: 'training', value: training });
      if (validation !== undefined && Number.isFinite(validation)) values.push({ epoch: number + 1, series: 'validation', value: validation });
    });
    return {
      title: metric === 'loss' ? 'Loss' : metric.charAt(0).toUpperCase() + metric.slice(1).replace(/_/g, ' '),
      width: 320,
      height: 220,
      data: { values },
      mark: { type: 'line', point: { size: 28 }, strokeWidth: 2 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false, zero: false } },
        y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
        color: colour,
      },
    };
  };
  const title = options.title ?? 'Training history';
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { background: 'white', padding: 12, title: { fontSize: 15, anchor: 'start', offset: 10 }, view: { stroke: '#dddddd' }, axis: { gridColor: '#e8e8e8' } },
    title,
    hconcat: metrics.map(panel),
    spacing: 36,
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
  return new Chart('training-history', title, spec);
}

/** Several fits' curves overlaid, one colour per model: `plotCompare({ small: history1, large: history2 })`. */
export function plotCompare(histories: Readonly<Record<string, HistoryInput>> | readonly { readonly name: string; readonly history: HistoryInput }[]): Chart {
  if (typeof histories !== 'object' || histories === null) {
    throw new TypeError(`plotCompare(): histories is ${formatValue(histories)}; it must be an object of named histories, e.g. { small: history1, large: history2 }.`);
  }
  const entries = Array.isArray(histories)
    ? histories.map((entry: { name: string; history: HistoryInput }) => [entry?.name, entry?.history] as const)
    : Object.entries(histories as Record<string, HistoryInput>);
  if (entries.length === 0) throw new RangeError('plotCompare(): histories is empty; give at least one, e.g. { small: history1 }.');
  const runs = entries.map(([name, history]) => {
    if (typeof name !== 'string' || name === '') throw new TypeError(`plotCompare(): every history needs a name; got ${formatValue(name)}.`);
    return { name, history: trainingHistoryFrom(history, `plotCompare(): the history "${name}"`) };
  });
  const spec = compareCurvesSpec(runs);
  const title = (spec as { hconcat: { title: string }[] }).hconcat[0]!.title.replace(/ accuracy$/, ' curves');
  return new Chart('compare-curves', title, spec);
}
