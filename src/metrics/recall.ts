import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import { addConfusionCounts, checkClassId, FALSE_NEGATIVES, thresholdSchema, TRUE_POSITIVES, type ThresholdOptions } from './confusion-counts.js';
import { divideNoNan, Metric, type MetricBatch } from './metric.js';

/**
 * Keras's Recall(): true positives / (true positives + false negatives), counted over every
 * (sample, output) pair with predictions above `thresholds` (0.5) as positive; with `classId`,
 * over that output only. 0 when nothing was counted, as Keras.
 */
export class Recall extends Metric {
  readonly className = 'Recall';
  readonly direction = 'max';
  override readonly comparesClasses = false;
  readonly thresholds: number;
  readonly classId: number | undefined;
  private readonly counts = new Float64Array(3);

  constructor(options: KerasSpelled<ThresholdOptions> = {}) {
    const parsed = parseOptions(thresholdSchema, options, 'recall()');
    super(parsed.name ?? 'recall');
    this.thresholds = parsed.thresholds ?? 0.5;
    this.classId = parsed.classId;
  }

  override build(classes: number): void {
    checkClassId(this.classId, classes, 'recall()');
  }

  reset(): void {
    this.counts.fill(0);
  }

  update(batch: MetricBatch): void {
    addConfusionCounts(batch, this.thresholds, this.classId, this.counts);
  }

  result(): number {
    const truePositives = this.counts[TRUE_POSITIVES]!;
    return divideNoNan(truePositives, truePositives + this.counts[FALSE_NEGATIVES]!);
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, thresholds: this.thresholds, ...(this.classId !== undefined ? { classId: this.classId } : {}) };
  }
}

export function recall(options: KerasSpelled<ThresholdOptions> = {}): Recall {
  return new Recall(options);
}
