import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import { NAME } from './accuracy.js';
import { Metric, targetValue, type MetricBatch } from './metric.js';

export type F1Average = 'macro' | 'micro' | 'weighted';

export interface F1ScoreOptions {
  name?: string;
  /**
   * How the classes' scores become one number, as Keras 3's F1Score: 'macro' (their mean, the
   * default here: logs hold numbers, and Keras's default None gives one score per class),
   * 'micro' (from the counts summed over classes) or 'weighted' (the mean weighted by support).
   */
  average?: F1Average;
  /** A prediction above it counts as positive; by default the most probable class of each sample is the positive one. */
  threshold?: number;
}

const f1Schema = z.strictObject({
  name: NAME.optional(),
  average: z.enum(['macro', 'micro', 'weighted']).optional(),
  threshold: z.number('must be a number in [0, 1]').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').optional(),
});

// Keras's backend.epsilon(), in every division of F1Score.result.
const EPSILON = 1e-7;

/**
 * Keras 3's F1Score: per class, 2·precision·recall / (precision + recall) from true positives,
 * false positives and false negatives counted since reset (with epsilon 1e-7 in each division, as
 * Keras), combined by `average`. Predictions are made binary first: above `threshold`, or, without
 * one, the largest of each row (ties all count); targets are one-hot rows (labels become them).
 */
export class F1Score extends Metric {
  readonly className = 'F1Score';
  readonly direction = 'max';
  readonly average: F1Average;
  readonly threshold: number | undefined;
  private truePositives = new Float64Array(0);
  private falsePositives = new Float64Array(0);
  private falseNegatives = new Float64Array(0);
  private support = new Float64Array(0);

  constructor(options: KerasSpelled<F1ScoreOptions> = {}) {
    const parsed = parseOptions(f1Schema, options, 'f1Score()');
    super(parsed.name ?? 'f1_score');
    this.average = parsed.average ?? 'macro';
    this.threshold = parsed.threshold;
  }

  override build(classes: number): void {
    if (this.support.length === classes) return;
    this.truePositives = new Float64Array(classes);
    this.falsePositives = new Float64Array(classes);
    this.falseNegatives = new Float64Array(classes);
    this.support = new Float64Array(classes);
  }

  reset(): void {
    this.truePositives.fill(0);
    this.falsePositives.fill(0);
    this.falseNegatives.fill(0);
    this.support.fill(0);
  }

  update(batch: MetricBatch): void {
    const { predictions, rows, classes } = batch;
    const threshold = this.threshold;
    for (let row = 0; row < rows; row++) {
      const offset = row * classes;
      let rowMax = -Infinity;
      if (threshold === undefined) for (let j = 0; j < classes; j++) rowMax = Math.max(rowMax, predictions[offset + j]!);
      for (let j = 0; j < classes; j++) {
        const value = predictions[offset + j]!;
        // As Keras: without a threshold, a row of zeros stays all negative.
        const predicted = threshold === undefined ? (value >= rowMax && Math.abs(value) > 1e-9 ? 1 : 0) : value > threshold ? 1 : 0;
        const actual = targetValue(batch, row, j);
        this.truePositives[j] += predicted * actual;
        this.falsePositives[j] += predicted * (1 - actual);
        this.falseNegatives[j] += (1 - predicted) * actual;
        this.support[j] += actual;
      }
    }
  }

  result(): number {
    const classes = this.support.length;
    if (classes === 0) return 0;
    if (this.average === 'micro') {
      let truePositives = 0;
      let falsePositives = 0;
      let falseNegatives = 0;
      for (let j = 0; j < classes; j++) {
        truePositives += this.truePositives[j]!;
        falsePositives += this.falsePositives[j]!;
        falseNegatives += this.falseNegatives[j]!;
      }
      return f1(truePositives, falsePositives, falseNegatives);
    }
    let total = 0;
    let supportSum = 0;
    for (let j = 0; j < classes; j++) supportSum += this.support[j]!;
    for (let j = 0; j < classes; j++) {
      const score = f1(this.truePositives[j]!, this.falsePositives[j]!, this.falseNegatives[j]!);
      total += this.average === 'weighted' ? (score * this.support[j]!) / (supportSum + EPSILON) : score / classes;
    }
    return total;
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, average: this.average, ...(this.threshold !== undefined ? { threshold: this.threshold } : {}) };
  }
}

function f1(truePositives: number, falsePositives: number, falseNegatives: number): number {
  const precision = truePositives / (truePositives + falsePositives + EPSILON);
  const recall = truePositives / (truePositives + falseNegatives + EPSILON);
  return (2 * precision * recall) / (precision + recall + EPSILON);
}

export function f1Score(options: KerasSpelled<F1ScoreOptions> = {}): F1Score {
  return new F1Score(options);
}
