import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import { NAME } from './accuracy.js';
import { divideNoNan, Metric, targetValue, type MetricBatch } from './metric.js';

export interface AucOptions {
  name?: string;
  /** Thresholds the ROC curve is read at, evenly spaced over [0, 1]; 200, as Keras. */
  numThresholds?: number;
}

const aucSchema = z.strictObject({
  name: NAME.optional(),
  numThresholds: z.number('must be an integer above 1').int('must be an integer above 1').min(2, 'must be an integer above 1').max(100000, 'must be at most 100000').optional(),
});

// Keras's thresholds start just below 0 and end just above 1, so 0 and 1 are inside the range.
const EDGE = 1e-7;

/**
 * Keras's AUC() (ROC curve, trapezoidal 'interpolation', not multi-label): every (sample,
 * output) pair is a binary decision against its target (a label counts as its one-hot row);
 * true and false positive rates are counted at `numThresholds` thresholds (-1e-7, 1/(n-1), …,
 * (n-2)/(n-1), 1 + 1e-7) and the area under the curve they trace is summed as trapezoids. Each
 * prediction is kept only as how many thresholds it exceeds, so update costs one lookup per value.
 */
export class AUC extends Metric {
  readonly className = 'AUC';
  readonly direction = 'max';
  override readonly comparesClasses = false;
  readonly numThresholds: number;
  /** positives[b]: positive pairs whose prediction is above exactly b thresholds (b = 0 … n). */
  private readonly positives: Float64Array;
  private readonly negatives: Float64Array;

  constructor(options: KerasSpelled<AucOptions> = {}) {
    const parsed = parseOptions(aucSchema, options, 'auc()');
    super(parsed.name ?? 'auc');
    this.numThresholds = parsed.numThresholds ?? 200;
    this.positives = new Float64Array(this.numThresholds + 1);
    this.negatives = new Float64Array(this.numThresholds + 1);
  }

  /** Keras's i-th threshold. */
  threshold(index: number): number {
    const last = this.numThresholds - 1;
    if (index === 0) return -EDGE;
    if (index === last) return 1 + EDGE;
    return index / last;
  }

  reset(): void {
    this.positives.fill(0);
    this.negatives.fill(0);
  }

  update(batch: MetricBatch): void {
    const { predictions, rows, classes } = batch;
    for (let row = 0; row < rows; row++) {
      for (let j = 0; j < classes; j++) {
        const bucket = this.thresholdsBelow(predictions[row * classes + j]!);
        if (targetValue(batch, row, j) !== 0) this.positives[bucket]++;
        else this.negatives[bucket]++;
      }
    }
  }

  /** How many thresholds lie strictly below `value`. */
  private thresholdsBelow(value: number): number {
    const last = this.numThresholds - 1;
    if (!(value > -EDGE)) return 0;
    if (value > 1 + EDGE) return this.numThresholds;
    // Inner thresholds i/last (i = 1 … last-1) below value; a guess from the product, then made exact.
    let inner = Math.min(Math.max(Math.ceil(value * last) - 1, 0), last - 1);
    while (inner < last - 1 && (inner + 1) / last < value) inner++;
    while (inner > 0 && inner / last >= value) inner--;
    return 1 + inner;
  }

  result(): number {
    let totalPositives = 0;
    let totalNegatives = 0;
    for (let b = 0; b <= this.numThresholds; b++) {
      totalPositives += this.positives[b]!;
      totalNegatives += this.negatives[b]!;
    }
    // At threshold i the positives are the pairs above more than i thresholds: walk i downwards,
    // adding bucket i + 1 each time, so the rates at i and i + 1 are at hand for the trapezoid.
    let truePositives = this.positives[this.numThresholds]!;
    let falsePositives = this.negatives[this.numThresholds]!;
    let previousTpr = divideNoNan(truePositives, totalPositives);
    let previousFpr = divideNoNan(falsePositives, totalNegatives);
    let area = 0;
    for (let i = this.numThresholds - 2; i >= 0; i--) {
      truePositives += this.positives[i + 1]!;
      falsePositives += this.negatives[i + 1]!;
      const tpr = divideNoNan(truePositives, totalPositives);
      const fpr = divideNoNan(falsePositives, totalNegatives);
      area += ((fpr - previousFpr) * (tpr + previousTpr)) / 2;
      previousTpr = tpr;
      previousFpr = fpr;
    }
    return area;
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, numThresholds: this.numThresholds };
  }
}

export function auc(options: KerasSpelled<AucOptions> = {}): AUC {
  return new AUC(options);
}
