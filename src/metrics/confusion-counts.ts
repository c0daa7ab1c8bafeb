import { z } from 'zod';
import { NAME } from './accuracy.js';
import { targetValue, type MetricBatch } from './metric.js';

export interface ThresholdOptions {
  name?: string;
  /** A prediction above it counts as positive; 0.5, as Keras. */
  thresholds?: number;
  /** Only this output (class) counts; every one by default. */
  classId?: number;
}

export const thresholdSchema = z.strictObject({
  name: NAME.optional(),
  thresholds: z.number('must be a number in [0, 1]').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').optional(),
  classId: z.number('must be a non-negative integer').int('must be a non-negative integer').min(0, 'must be a non-negative integer').optional(),
});

export const TRUE_POSITIVES = 0;
export const FALSE_POSITIVES = 1;
export const FALSE_NEGATIVES = 2;

/**
 * Adds the batch's true positives, false positives and false negatives to `counts`, as Keras's
 * Precision and Recall count them: every (sample, output) pair is one binary decision, positive
 * when the prediction is above the threshold, truly positive when the target is nonzero (a label
 * counts as its one-hot row).
 */
export function addConfusionCounts(batch: MetricBatch, threshold: number, classId: number | undefined, counts: Float64Array): void {
  const { predictions, rows, classes } = batch;
  const first = classId ?? 0;
  const end = classId === undefined ? classes : Math.min(classId + 1, classes);
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let row = 0; row < rows; row++) {
    for (let j = first; j < end; j++) {
      const predicted = predictions[row * classes + j]! > threshold;
      const actual = targetValue(batch, row, j) !== 0;
      if (predicted && actual) truePositives++;
      else if (predicted) falsePositives++;
      else if (actual) falseNegatives++;
    }
  }
  counts[TRUE_POSITIVES] += truePositives;
  counts[FALSE_POSITIVES] += falsePositives;
  counts[FALSE_NEGATIVES] += falseNegatives;
}

/** Refuses a classId the model does not have, before training starts. */
export function checkClassId(classId: number | undefined, classes: number, context: string): void {
  if (classId !== undefined && classId >= classes) {
    throw new Error(`${context}: classId ${classId} is not an output of the model, which has ${classes} (0..${classes - 1}).`);
  }
}
