/** plotClassBalance: count and share of each class, for one split or several side by side. */
import type { TopLevelSpec } from 'vega-lite';
import { classDistributionSpec } from '../report/charts.js';
import { labelsOf, type LabelsInput } from '../report/labels.js';
import { classDistribution } from '../report/metrics.js';
import type { ClassDistribution } from '../report/types.js';
import type { ImageSet } from '../data/tensor.js';
import { formatValue } from '../validation.js';
import { Chart } from './chart.js';
import { isImageSet } from './inputs.js';

type SplitLabels = LabelsInput | ImageSet;

function labelsOfSplit(value: unknown, name: string): ArrayLike<number> {
  return isImageSet(value) ? value.labels : labelsOf(value, name);
}

/**
 * `plotClassBalance(mnist)` (loadMnist's train and test side by side), `plotClassBalance(yTrain)`
 * or `plotClassBalance({ train: yTrain, test: yTest })`.
 */
export function plotClassBalance(labels: SplitLabels | Readonly<Record<string, SplitLabels>>, options: { readonly classes?: number; readonly title?: string } = {}): Chart {
  const classes = options.classes ?? 10;
  const splits: Record<string, ClassDistribution> = {};
  const single = isImageSet(labels) || ArrayBuffer.isView(labels) || Array.isArray(labels) || (typeof labels === 'object' && labels !== null && 'shape' in labels);
  if (single) {
    splits.labels = classDistribution(labelsOfSplit(labels, 'plotClassBalance(): labels'), classes);
  } else if (typeof labels === 'object' && labels !== null && Object.keys(labels).length > 0) {
    for (const [name, split] of Object.entries(labels as Record<string, SplitLabels>)) {
      // loadMnist({ combined: true }) and similar objects carry non-split fields; only label-bearing ones are drawn.
      splits[name] = classDistribution(labelsOfSplit(split, `plotClassBalance(): labels.${name}`), classes);
    }
  } else {
    throw new TypeError(
      `plotClassBalance(): labels is ${formatValue(labels)}; it must be labels (an array, typed array or tensor), an image set, or named splits such as loadMnist()'s { train, test }.`,
    );
  }
  const title = options.title ?? 'Class balance';
  return new Chart('class-balance', title, { ...classDistributionSpec(splits), title } as TopLevelSpec);
}
