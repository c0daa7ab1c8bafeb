/** What the Evaluate page shows of a run, computed from its test-set probabilities with the report's metrics. */
import { argmaxRows, classificationReport, confusionMatrix, mostConfidentMistakes } from '../report/metrics.js';
import type { ClassificationReport } from '../report/types.js';
import type { ImageSet } from '../data/tensor.js';

export interface DigitView {
  index: number;
  label: number;
  predicted: number;
  /** The three most probable classes, most probable first. */
  top: { digit: number; probability: number }[];
  /** 784 grey levels, base64. */
  pixels: string;
}

export interface EvaluationView {
  loss: number;
  accuracy: number;
  confusion: number[][];
  report: ClassificationReport;
  mistakes: DigitView[];
}

export function topClasses(probabilities: ArrayLike<number>, row: number, count = 3): { digit: number; probability: number }[] {
  const scores = Array.from({ length: 10 }, (_, digit) => ({ digit, probability: Number(probabilities[row * 10 + digit]) }));
  return scores.sort((a, b) => b.probability - a.probability || a.digit - b.digit).slice(0, count);
}

export function digitPixels(set: ImageSet, index: number): string {
  const size = set.rows * set.cols;
  return Buffer.from(set.images.buffer, set.images.byteOffset + index * size, size).toString('base64');
}

function digitView(test: ImageSet, probabilities: Float32Array, predicted: Uint8Array, index: number): DigitView {
  return { index, label: test.labels[index]!, predicted: predicted[index]!, top: topClasses(probabilities, index), pixels: digitPixels(test, index) };
}

export function evaluationView(test: ImageSet, probabilities: Float32Array, evaluation: { loss: number; accuracy: number }): EvaluationView {
  const predicted = argmaxRows(probabilities);
  const mistakes = mostConfidentMistakes(test.labels, probabilities, 24).map((mistake) => digitView(test, probabilities, predicted, mistake.index));
  return {
    ...evaluation,
    confusion: confusionMatrix(test.labels, predicted),
    report: classificationReport(test.labels, predicted, { classes: 10 }),
    mistakes,
  };
}

/** The test digits of true class `label` predicted as `predicted`, most confident first, at most `limit`. */
export function confusionCell(test: ImageSet, probabilities: Float32Array, label: number, predictedClass: number, limit = 60): { total: number; digits: DigitView[] } {
  const predicted = argmaxRows(probabilities);
  const indices: number[] = [];
  for (let index = 0; index < test.count; index++) if (test.labels[index] === label && predicted[index] === predictedClass) indices.push(index);
  indices.sort((a, b) => probabilities[b * 10 + predictedClass]! - probabilities[a * 10 + predictedClass]! || a - b);
  return { total: indices.length, digits: indices.slice(0, limit).map((index) => digitView(test, probabilities, predicted, index)) };
}
