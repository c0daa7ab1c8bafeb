/** plotConfusionMatrix: sklearn's confusion matrix heatmap from labels and predict's output. */
import { confusionMatrixSpec } from '../report/charts.js';
import { labelsOf, type LabelsInput } from '../report/labels.js';
import { confusionMatrix } from '../report/metrics.js';
import { formatValue } from '../validation.js';
import { Chart } from './chart.js';

export interface PlotConfusionMatrixOptions {
  /** Classes 0..classes-1 along each axis; 10 by default. */
  readonly classes?: number;
  readonly title?: string;
}

/** True labels down, predicted across; `yPred` may be predict's probabilities, reduced to the argmax of each row. */
export function plotConfusionMatrix(yTrue: LabelsInput, yPred: LabelsInput, options: PlotConfusionMatrixOptions = {}): Chart {
  if (typeof options !== 'object' || options === null) throw new TypeError(`plotConfusionMatrix(): options is ${formatValue(options)}; it must be an object such as { title: 'Test set' }.`);
  const matrix = confusionMatrix(labelsOf(yTrue, 'plotConfusionMatrix(): yTrue'), labelsOf(yPred, 'plotConfusionMatrix(): yPred'), options.classes ?? 10);
  const title = options.title ?? 'Confusion matrix';
  return new Chart('confusion-matrix', title, confusionMatrixSpec(matrix, title));
}
