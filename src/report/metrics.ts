import type { Tensor } from '../data/tensor.js';
import { formatValue } from '../validation.js';
import { argmaxOfRows, labelsOf, type LabelsInput } from './labels.js';
import type { AverageScores, ClassDistribution, ClassificationReport, ClassScores, Mistake, TrainingHistory } from './types.js';

type Labels = ArrayLike<number>;

function checkClassCount(classes: number): void {
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new RangeError(`classes is ${classes}; it must be an integer from 1 to 256.`);
  }
}

function checkLabels(name: string, labels: Labels, classes: number): void {
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`${name}[${index}] is ${label}; labels must be integers from 0 to ${classes - 1}.`);
    }
  }
}

function checkSameLength(trueLabels: Labels, predictedLabels: Labels): void {
  if (trueLabels.length !== predictedLabels.length) {
    throw new RangeError(
      `There are ${trueLabels.length} true labels but ${predictedLabels.length} predicted labels; they must be the same count.`,
    );
  }
}

function checkProbabilities(probabilities: ArrayLike<number>, classes: number): number {
  checkClassCount(classes);
  if (probabilities.length % classes !== 0) {
    throw new RangeError(
      `The probabilities hold ${probabilities.length} values, which is not a whole number of rows of ${classes} classes.`,
    );
  }
  return probabilities.length / classes;
}

/**
 * The index of the largest value of each row of a row-major n × classes array, or of each row of
 * a 2-D tensor (what predict returns; its second dimension gives the classes). Ties go to the
 * lowest index, as numpy's argmax does, so predictions match Keras's `argmax(axis=1)`.
 */
export function argmaxRows(probabilities: ArrayLike<number> | Tensor, classes?: number): Uint8Array {
  if (typeof probabilities === 'object' && probabilities !== null && 'shape' in probabilities && 'data' in probabilities) {
    const shape = (probabilities as Tensor).shape;
    if (!Array.isArray(shape) || shape.length !== 2) {
      throw new RangeError(`argmaxRows() takes a 2-D tensor (samples × classes); got ${formatValue(probabilities)}.`);
    }
    return argmaxRows((probabilities as Tensor).data, classes ?? shape[1]);
  }
  if (!(ArrayBuffer.isView(probabilities) || Array.isArray(probabilities))) {
    throw new TypeError(`argmaxRows() takes probabilities as a tensor or an array of numbers; got ${formatValue(probabilities)}.`);
  }
  const rows = checkProbabilities(probabilities, classes ?? 10);
  return rows === 0 ? new Uint8Array(0) : argmaxOfRows(probabilities, classes ?? 10);
}

/** Counts with true labels as rows and predicted labels as columns, both ordered 0..classes-1. */
export function confusionMatrix(trueInput: LabelsInput, predictedInput: LabelsInput, classes = 10): number[][] {
  const trueLabels = labelsOf(trueInput, 'trueLabels');
  const predictedLabels = labelsOf(predictedInput, 'predictedLabels');
  checkClassCount(classes);
  checkSameLength(trueLabels, predictedLabels);
  checkLabels('trueLabels', trueLabels, classes);
  checkLabels('predictedLabels', predictedLabels, classes);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let index = 0; index < trueLabels.length; index++) {
    matrix[trueLabels[index]!]![predictedLabels[index]!]! += 1;
  }
  return matrix;
}

/** Fraction of predictions equal to the true label; 0 for no samples. */
export function accuracyOf(trueLabels: Labels, predictedLabels: Labels): number {
  checkSameLength(trueLabels, predictedLabels);
  if (trueLabels.length === 0) return 0;
  let correct = 0;
  for (let index = 0; index < trueLabels.length; index++) {
    if (trueLabels[index] === predictedLabels[index]) correct++;
  }
  return correct / trueLabels.length;
}

function ratio(numerator: number, denominator: number): number {
  // scikit-learn's zero_division default ("warn") reports 0 for an undefined ratio.
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * Per-class precision, recall, F1 and support with macro and weighted averages, computed as
 * scikit-learn's `classification_report(y_true, y_pred)`: the classes are the sorted union of
 * the labels seen in either array (pass `classes` to list 0..classes-1 instead), and an
 * undefined precision, recall or F1 counts as 0.
 */
export function classificationReport(
  trueInput: LabelsInput,
  predictedInput: LabelsInput,
  options: { readonly classes?: number } = {},
): ClassificationReport {
  const trueLabels = labelsOf(trueInput, 'trueLabels');
  const predictedLabels = labelsOf(predictedInput, 'predictedLabels');
  checkSameLength(trueLabels, predictedLabels);
  const limit = options.classes ?? 256;
  checkClassCount(limit);
  checkLabels('trueLabels', trueLabels, limit);
  checkLabels('predictedLabels', predictedLabels, limit);

  const truePositives = new Array<number>(limit).fill(0);
  const supports = new Array<number>(limit).fill(0);
  const predictedCounts = new Array<number>(limit).fill(0);
  for (let index = 0; index < trueLabels.length; index++) {
    const actual = trueLabels[index]!;
    const predicted = predictedLabels[index]!;
    supports[actual]! += 1;
    predictedCounts[predicted]! += 1;
    if (actual === predicted) truePositives[actual]! += 1;
  }

  const labels: number[] = [];
  for (let label = 0; label < limit; label++) {
    if (options.classes !== undefined || supports[label]! > 0 || predictedCounts[label]! > 0) labels.push(label);
  }

  const classes: ClassScores[] = labels.map((label) => {
    const precision = ratio(truePositives[label]!, predictedCounts[label]!);
    const recall = ratio(truePositives[label]!, supports[label]!);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { label, precision, recall, f1, support: supports[label]! };
  });

  const total = trueLabels.length;
  const average = (weightOf: (scores: ClassScores) => number): AverageScores => {
    let weightSum = 0;
    let precision = 0;
    let recall = 0;
    let f1 = 0;
    for (const scores of classes) {
      const weight = weightOf(scores);
      weightSum += weight;
      precision += weight * scores.precision;
      recall += weight * scores.recall;
      f1 += weight * scores.f1;
    }
    return {
      precision: ratio(precision, weightSum),
      recall: ratio(recall, weightSum),
      f1: ratio(f1, weightSum),
      support: total,
    };
  };

  return {
    classes,
    accuracy: accuracyOf(trueLabels, predictedLabels),
    macroAverage: average(() => 1),
    weightedAverage: average((scores) => scores.support),
    support: total,
  };
}

/**
 * The wrongly predicted samples the model was most sure of, most confident first (ties by
 * lower index, so the choice is reproducible).
 */
export function mostConfidentMistakes(
  labels: Labels,
  probabilities: ArrayLike<number>,
  count: number,
  classes = 10,
): Mistake[] {
  const rows = checkProbabilities(probabilities, classes);
  if (rows !== labels.length) {
    throw new RangeError(`There are ${labels.length} labels but ${rows} rows of probabilities; they must be the same count.`);
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count is ${count}; it must be a non-negative integer.`);
  }
  checkLabels('labels', labels, classes);
  const predicted = argmaxRows(probabilities, classes);
  const mistakes: Mistake[] = [];
  for (let index = 0; index < rows; index++) {
    const trueLabel = labels[index]!;
    const predictedLabel = predicted[index]!;
    if (predictedLabel === trueLabel) continue;
    mistakes.push({
      index,
      trueLabel,
      predictedLabel,
      probability: probabilities[index * classes + predictedLabel]!,
      trueProbability: probabilities[index * classes + trueLabel]!,
    });
  }
  mistakes.sort((first, second) => second.probability - first.probability || first.index - second.index);
  return mistakes.slice(0, count);
}

/** How many samples each class has, and their share of the total. */
export function classDistribution(labels: Labels, classes = 10): ClassDistribution {
  checkClassCount(classes);
  checkLabels('labels', labels, classes);
  const counts = new Array<number>(classes).fill(0);
  for (let index = 0; index < labels.length; index++) counts[labels[index]!]! += 1;
  const total = labels.length;
  return { counts, proportions: counts.map((count) => ratio(count, total)), total };
}

/** Throws a clear error when the history's arrays differ in length from its epochs. */
export function checkHistory(history: TrainingHistory): void {
  const length = history.epoch.length;
  const series: [string, readonly number[] | undefined][] = [
    ['loss', history.loss],
    ['accuracy', history.accuracy],
    ['val_loss', history.val_loss],
    ['val_accuracy', history.val_accuracy],
  ];
  for (const [name, values] of series) {
    if (values !== undefined && values.length !== length) {
      throw new RangeError(
        `history.${name} has ${values.length} values but history.epoch has ${length}; there must be one per epoch.`,
      );
    }
  }
}

/** history as CSV with a header, one line per epoch, in Keras's CSVLogger column names. */
export function historyToCsv(history: TrainingHistory): string {
  checkHistory(history);
  const columns: [string, readonly number[]][] = [
    ['epoch', history.epoch],
    ['accuracy', history.accuracy],
    ['loss', history.loss],
  ];
  if (history.val_accuracy) columns.push(['val_accuracy', history.val_accuracy]);
  if (history.val_loss) columns.push(['val_loss', history.val_loss]);
  const lines = [columns.map(([name]) => name).join(',')];
  for (let row = 0; row < history.epoch.length; row++) {
    lines.push(columns.map(([, values]) => String(values[row])).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Reads what historyToCsv (or Keras's CSVLogger) wrote. */
export function historyFromCsv(text: string): TrainingHistory {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error('The history CSV is empty; it needs a header line with epoch, loss and accuracy.');
  const header = lines[0]!.split(',').map((name) => name.trim());
  const columns = new Map<string, number[]>(header.map((name) => [name, []]));
  for (let lineIndex = 1; lineIndex < lines.length; lineIndex++) {
    const cells = lines[lineIndex]!.split(',');
    if (cells.length !== header.length) {
      throw new Error(`Line ${lineIndex + 1} of the history CSV has ${cells.length} cells; the header has ${header.length}.`);
    }
    cells.forEach((cell, column) => {
      const value = Number(cell);
      if (cell.trim() === '' || Number.isNaN(value) && cell.trim().toLowerCase() !== 'nan') {
        throw new Error(`Line ${lineIndex + 1} of the history CSV has "${cell}" in column ${header[column]}; it must be a number.`);
      }
      columns.get(header[column]!)!.push(value);
    });
  }
  for (const required of ['epoch', 'loss', 'accuracy']) {
    if (!columns.has(required)) throw new Error(`The history CSV has no "${required}" column; it needs epoch, loss and accuracy.`);
  }
  return {
    epoch: columns.get('epoch')!,
    loss: columns.get('loss')!,
    accuracy: columns.get('accuracy')!,
    ...(columns.has('val_loss') ? { val_loss: columns.get('val_loss')! } : {}),
    ...(columns.has('val_accuracy') ? { val_accuracy: columns.get('val_accuracy')! } : {}),
  };
}
