import { formatValue } from '../validation.js';
import { Accuracy } from './accuracy.js';
import { AUC } from './auc.js';
import { CategoricalAccuracy } from './categorical-accuracy.js';
import { F1Score } from './f1-score.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import type { Metric, MetricConfig } from './metric.js';
import { Precision } from './precision.js';
import { Recall } from './recall.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';
import { SparseTopKCategoricalAccuracy } from './sparse-top-k-categorical-accuracy.js';
import { TopKCategoricalAccuracy } from './top-k-categorical-accuracy.js';

type MetricClass = new (options: Record<string, unknown>) => Metric;

/** Every metric class by its class name, as a saved compile config names it. */
const METRIC_CLASSES: Record<string, MetricClass> = {
  Accuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  MeanAbsoluteError,
  MeanSquaredError,
  Precision,
  Recall,
  F1Score,
  AUC,
};

/** The names compile({ metrics }) takes, in Keras's spelling; our camelCase and the class names work too. */
export const METRIC_NAMES = [
  'accuracy',
  'acc',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'top_k_categorical_accuracy',
  'sparse_top_k_categorical_accuracy',
  'mae',
  'mean_absolute_error',
  'mse',
  'mean_squared_error',
  'precision',
  'recall',
  'f1_score',
  'auc',
] as const;

/** What compile's metrics list takes as a string (Keras's spelling or ours). */
export type MetricName =
  | (typeof METRIC_NAMES)[number]
  | 'categoricalAccuracy'
  | 'sparseCategoricalAccuracy'
  | 'topKCategoricalAccuracy'
  | 'sparseTopKCategoricalAccuracy'
  | 'meanAbsoluteError'
  | 'meanSquaredError'
  | 'f1Score';

const ALIASES: Record<string, MetricClass> = { acc: Accuracy, mae: MeanAbsoluteError, mse: MeanSquaredError };

function classFor(name: string): MetricClass | undefined {
  // 'top_k_categorical_accuracy', 'topKCategoricalAccuracy' and Keras's 'TopKCategoricalAccuracy' alike.
  const key = name.replace(/_/g, '').toLowerCase();
  if (ALIASES[name.toLowerCase()]) return ALIASES[name.toLowerCase()];
  return Object.entries(METRIC_CLASSES).find(([className]) => className.toLowerCase() === key)?.[1];
}

/**
 * A metric from what compile's list holds: a metric object, or a name, which (as Keras) is also
 * the name its logs use: 'acc' logs acc and val_acc, 'mae' logs mae.
 */
export function getMetric(identifier: unknown): Metric {
  if (typeof identifier === 'object' && identifier !== null && 'update' in identifier && 'result' in identifier) return identifier as Metric;
  if (typeof identifier === 'string') {
    const metricClass = classFor(identifier);
    if (metricClass) return new metricClass({ name: identifier });
  }
  throw new Error(`Unknown metric ${formatValue(identifier)}: allowed are ${METRIC_NAMES.map((name) => `"${name}"`).join(', ')} (or their camelCase spellings), or a metric such as topKCategoricalAccuracy({ k: 3 }).`);
}

/** A metric from its serialized form (a saved compile config); only the known classes can be made. */
export function deserializeMetric(serialized: string | MetricConfig): Metric {
  if (typeof serialized === 'string') return getMetric(serialized);
  const metricClass = METRIC_CLASSES[serialized.className];
  if (!metricClass) throw new Error(`Unknown metric class "${serialized.className}": allowed are ${Object.keys(METRIC_CLASSES).join(', ')}.`);
  return new metricClass(serialized.config);
}

export { Accuracy, accuracy, type MetricOptions } from './accuracy.js';
export { AUC, auc, type AucOptions } from './auc.js';
export { CategoricalAccuracy, categoricalAccuracy } from './categorical-accuracy.js';
export { CompiledMetrics } from './compiled-metrics.js';
export type { ThresholdOptions } from './confusion-counts.js';
export { F1Score, f1Score, type F1Average, type F1ScoreOptions } from './f1-score.js';
export { MeanAbsoluteError, meanAbsoluteError } from './mean-absolute-error.js';
export { MeanSquaredError, meanSquaredErrorMetric } from './mean-squared-error.js';
export { Metric, type MetricBatch, type MetricConfig, type MetricTargets } from './metric.js';
export { Precision, precision } from './precision.js';
export { Recall, recall } from './recall.js';
export { SparseCategoricalAccuracy, sparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';
export { SparseTopKCategoricalAccuracy, sparseTopKCategoricalAccuracy } from './sparse-top-k-categorical-accuracy.js';
export { TopKCategoricalAccuracy, topKCategoricalAccuracy, type TopKOptions } from './top-k-categorical-accuracy.js';
