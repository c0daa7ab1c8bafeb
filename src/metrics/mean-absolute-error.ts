import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import { metricOptionsSchema, type MetricOptions } from './accuracy.js';
import { divideNoNan, Metric, targetValue, type MetricBatch } from './metric.js';

/**
 * Keras's mean_absolute_error: the mean of |target − prediction| over every sample and output.
 * With class labels as targets, each label counts as its one-hot row.
 */
export class MeanAbsoluteError extends Metric {
  readonly className = 'MeanAbsoluteError';
  readonly direction = 'min';
  override readonly comparesClasses = false;
  private sum = 0;
  private count = 0;

  constructor(options: KerasSpelled<MetricOptions> = {}) {
    super(parseOptions(metricOptionsSchema, options, 'meanAbsoluteError()').name ?? 'mean_absolute_error');
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  update(batch: MetricBatch): void {
    const { predictions, rows, classes } = batch;
    let sum = 0;
    for (let row = 0; row < rows; row++) {
      for (let j = 0; j < classes; j++) sum += Math.abs(targetValue(batch, row, j) - predictions[row * classes + j]!);
    }
    this.sum += sum;
    this.count += rows * classes;
  }

  result(): number {
    return divideNoNan(this.sum, this.count);
  }
}

export function meanAbsoluteError(options: KerasSpelled<MetricOptions> = {}): MeanAbsoluteError {
  return new MeanAbsoluteError(options);
}
