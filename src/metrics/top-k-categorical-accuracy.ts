import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import { parseOptions, positiveInteger } from '../validation.js';
import { NAME, type MetricOptions } from './accuracy.js';
import { divideNoNan, Metric, trueClass, type MetricBatch } from './metric.js';

export interface TopKOptions extends MetricOptions {
  /** How many of the most probable classes may hold the true one; 5, as Keras. */
  k?: number;
}

const topKSchema = z.strictObject({ name: NAME.optional(), k: positiveInteger.optional() });

/**
 * Keras's top_k_categorical_accuracy: the share of samples whose true class is among the k most
 * probable. As Keras's in_top_k, classes tied with the k-th count as in the top k: a sample counts
 * when fewer than k classes score strictly higher than its true class.
 */
export class TopKCategoricalAccuracy extends Metric {
  readonly className: string = 'TopKCategoricalAccuracy';
  readonly direction = 'max';
  override readonly targets: 'rows' | 'labels' = 'rows';
  readonly k: number;
  private hits = 0;
  private count = 0;

  constructor(options: KerasSpelled<TopKOptions> = {}, defaultName = 'top_k_categorical_accuracy', context = 'topKCategoricalAccuracy()') {
    const parsed = parseOptions(topKSchema, options, context);
    super(parsed.name ?? defaultName);
    this.k = parsed.k ?? 5;
  }

  reset(): void {
    this.hits = 0;
    this.count = 0;
  }

  update(batch: MetricBatch): void {
    const { predictions, rows, classes } = batch;
    for (let row = 0; row < rows; row++) {
      const offset = row * classes;
      const truth = predictions[offset + trueClass(batch, row)]!;
      let higher = 0;
      for (let j = 0; j < classes; j++) if (predictions[offset + j]! > truth) higher++;
      if (higher < this.k) this.hits++;
    }
    this.count += rows;
  }

  result(): number {
    return divideNoNan(this.hits, this.count);
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, k: this.k };
  }
}

export function topKCategoricalAccuracy(options: KerasSpelled<TopKOptions> = {}): TopKCategoricalAccuracy {
  return new TopKCategoricalAccuracy(options);
}
