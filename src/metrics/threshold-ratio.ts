import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import { addConfusionCounts, checkClassId, thresholdSchema, TRUE_POSITIVES, type ThresholdOptions } from './confusion-counts.js';
import { divideNoNan, Metric, type MetricBatch } from './metric.js';

/**
 * Precision and recall: true positives / (true positives + one other count), counted over every
 * (sample, output) pair with predictions above `thresholds` (0.5) as positive; with `classId`,
 * over that output only. 0 when nothing was counted, as Keras.
 */
export abstract class ThresholdRatioMetric extends Metric {
  readonly direction = 'max';
  override readonly comparesClasses = false;
  readonly thresholds: number;
  readonly classId: number | undefined;
  private readonly counts = new Float64Array(3);

  /** `otherCount` is FALSE_POSITIVES for precision, FALSE_NEGATIVES for recall. */
  protected constructor(options: KerasSpelled<ThresholdOptions>, private readonly context: string, defaultName: string, private readonly otherCount: number) {
    const parsed = parseOptions(thresholdSchema, options, context);
    super(parsed.name ?? defaultName);
    this.thresholds = parsed.thresholds ?? 0.5;
    this.classId = parsed.classId;
  }

  override build(classes: number): void {
    checkClassId(this.classId, classes, this.context);
  }

  reset(): void {
    this.counts.fill(0);
  }

  update(batch: MetricBatch): void {
    addConfusionCounts(batch, this.thresholds, this.classId, this.counts);
  }

  result(): number {
    const truePositives = this.counts[TRUE_POSITIVES]!;
    return divideNoNan(truePositives, truePositives + this.counts[this.otherCount]!);
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, thresholds: this.thresholds, ...(this.classId !== undefined ? { classId: this.classId } : {}) };
  }
}
