import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import { divideNoNan, Metric, type MetricBatch } from './metric.js';

export interface MetricOptions {
  /** The name the logs use; the metric's Keras name by default. */
  name?: string;
}

export const NAME = z.string('must be a non-empty string').min(1, 'must be a non-empty string');
export const metricOptionsSchema = z.strictObject({ name: NAME.optional() });

/**
 * The share of samples whose most probable class is the true one (its label, or the largest of
 * its target row), as Keras's 'accuracy' for a classifier. The loss kernel counts the matches as
 * it computes the loss (stats[STAT_CORRECT]), so this costs nothing in the step.
 */
export class Accuracy extends Metric {
  readonly className: string = 'Accuracy';
  readonly direction = 'max';
  private correct = 0;
  private count = 0;

  constructor(options: KerasSpelled<MetricOptions> = {}, defaultName = 'accuracy', context = 'accuracy()') {
    super(parseOptions(metricOptionsSchema, options, context).name ?? defaultName);
  }

  reset(): void {
    this.correct = 0;
    this.count = 0;
  }

  update(batch: MetricBatch): void {
    this.correct += batch.correct;
    this.count += batch.rows;
  }

  result(): number {
    return divideNoNan(this.correct, this.count);
  }
}

export function accuracy(options: KerasSpelled<MetricOptions> = {}): Accuracy {
  return new Accuracy(options);
}
