import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmaxRows,
  classDistribution,
  classificationReport,
  confusionMatrix,
  historyFromCsv,
  historyToCsv,
  mostConfidentMistakes,
} from '../../src/report/metrics.js';
import { formatClassificationReport, formatConfusionMatrix } from '../../src/report/tables.js';
import { fakeHistory, fakeProbabilities, mnistTestDigits } from './fixtures.js';

function close(actual: number, expected: number, message: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message}: ${actual} is not ${expected}`);
}

test('argmaxRows picks the first of equal maxima, as numpy does', () => {
  const probabilities = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1]);
  assert.deepEqual([...argmaxRows(probabilities, 3)], [1, 0, 2]);
  assert.throws(() => argmaxRows(new Float32Array(7), 3), /not a whole number of rows of 3 classes/);
});

test('the confusion matrix and its terminal table agree with counts made from the predictions', () => {
  const { labels } = mnistTestDigits(500);
  const predicted = argmaxRows(fakeProbabilities(labels));
  const matrix = confusionMatrix(labels, predicted);

  const counted = new Map<string, number>();
  for (let index = 0; index < labels.length; index++) {
    const key = `${labels[index]},${predicted[index]}`;
    counted.set(key, (counted.get(key) ?? 0) + 1);
  }
  for (let actual = 0; actual < 10; actual++) {
    for (let guess = 0; guess < 10; guess++) {
      assert.equal(matrix[actual]![guess], counted.get(`${actual},${guess}`) ?? 0, `cell true ${actual}, predicted ${guess}`);
    }
  }
  assert.equal(matrix.flat().reduce((sum, count) => sum + count, 0), 500);

  // Read the printed table back: header, rule, then one line per true label ending in its total.
  const lines = formatConfusionMatrix(matrix).split('\n');
  assert.equal(lines.length, 12);
  assert.deepEqual(lines[0]!.trim().split(/\s+/).slice(-11), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'total']);
  for (let actual = 0; actual < 10; actual++) {
    const cells = lines[actual + 2]!.trim().split(/\s+/).map(Number);
    assert.equal(cells[0], actual);
    assert.deepEqual(cells.slice(1, 11), matrix[actual]);
    assert.equal(cells[11], matrix[actual]!.reduce((sum, count) => sum + count, 0));
  }
  // Columns line up: every line puts its last cell's end at the same place.
  assert.equal(new Set(lines.filter((_, index) => index !== 1).map((line) => line.length)).size, 1);
});

test('confusionMatrix rejects labels out of range and arrays of different lengths', () => {
  assert.throws(() => confusionMatrix([0, 10], [0, 1]), /trueLabels\[1\] is 10; labels must be integers from 0 to 9/);
  assert.throws(() => confusionMatrix([0, 1], [0]), /2 true labels but 1 predicted labels/);
});

// scikit-learn's documented example (classification_report docstring):
//   y_true = [0, 1, 2, 2, 2]; y_pred = [0, 0, 2, 2, 1]
// Checked by hand: class 0 p = 1/2, r = 1, f1 = 2/3; class 1 all 0; class 2 p = 1, r = 2/3,
// f1 = 4/5; macro p = 1/2, r = 5/9, f1 = 22/45; weighted p = 7/10, r = 3/5, f1 = 46/75.
const sklearnDocReport = `              precision    recall  f1-score   support

           0       0.50      1.00      0.67         1
           1       0.00      0.00      0.00         1
           2       1.00      0.67      0.80         3

    accuracy                           0.60         5
   macro avg       0.50      0.56      0.49         5
weighted avg       0.70      0.60      0.61         5
`;

test('classificationReport equals scikit-learn on its documented example, numbers and layout', () => {
  const report = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]);
  assert.deepEqual(report.classes.map((scores) => scores.label), [0, 1, 2]);
  const expected = [
    [1 / 2, 1, 2 / 3, 1],
    [0, 0, 0, 1],
    [1, 2 / 3, 4 / 5, 3],
  ];
  report.classes.forEach((scores, index) => {
    const [precision, recall, f1, support] = expected[index]!;
    close(scores.precision, precision!, `class ${index} precision`);
    close(scores.recall, recall!, `class ${index} recall`);
    close(scores.f1, f1!, `class ${index} f1`);
    assert.equal(scores.support, support);
  });
  close(report.accuracy, 3 / 5, 'accuracy');
  close(report.macroAverage.precision, 1 / 2, 'macro precision');
  close(report.macroAverage.recall, 5 / 9, 'macro recall');
  close(report.macroAverage.f1, 22 / 45, 'macro f1');
  close(report.weightedAverage.precision, 7 / 10, 'weighted precision');
  close(report.weightedAverage.recall, 3 / 5, 'weighted recall');
  close(report.weightedAverage.f1, 46 / 75, 'weighted f1');
  assert.equal(report.support, 5);
  assert.equal(formatClassificationReport(report, 2), sklearnDocReport);
});

test('classificationReport handles a class only predicted and a class never predicted as scikit-learn does', () => {
  // y_true = [1, 1, 3, 3, 3, 4], y_pred = [1, 3, 3, 3, 4, 2]: labels are the union {1, 2, 3, 4};
  // class 2 has no support (recall 0/0 → 0), class 4 is never predicted right (precision 0/1).
  const report = classificationReport([1, 1, 3, 3, 3, 4], [1, 3, 3, 3, 4, 2]);
  assert.deepEqual(report.classes.map((scores) => scores.label), [1, 2, 3, 4]);
  const expected = [
    [1, 1 / 2, 2 / 3, 2],
    [0, 0, 0, 0],
    [2 / 3, 2 / 3, 2 / 3, 3],
    [0, 0, 0, 1],
  ];
  report.classes.forEach((scores, index) => {
    const [precision, recall, f1, support] = expected[index]!;
    close(scores.precision, precision!, `class ${scores.label} precision`);
    close(scores.recall, recall!, `class ${scores.label} recall`);
    close(scores.f1, f1!, `class ${scores.label} f1`);
    assert.equal(scores.support, support);
  });
  close(report.accuracy, 1 / 2, 'accuracy');
  close(report.macroAverage.precision, 5 / 12, 'macro precision');
  close(report.macroAverage.recall, 7 / 24, 'macro recall');
  close(report.macroAverage.f1, 1 / 3, 'macro f1');
  close(report.weightedAverage.precision, 2 / 3, 'weighted precision');
  close(report.weightedAverage.recall, 1 / 2, 'weighted recall');
  close(report.weightedAverage.f1, 5 / 9, 'weighted f1');

  // With classes given, every class 0..classes-1 is listed, as labels=range(10) would.
  assert.equal(classificationReport([1, 2], [1, 2], { classes: 10 }).classes.length, 10);
});

test('mostConfidentMistakes returns wrong predictions, surest first, ties by index', () => {
  const labels = new Uint8Array([0, 1, 2, 0]);
  const probabilities = new Float32Array([
    0.2, 0.8, 0, // wrong, 0.8
    0, 1, 0, // right
    0.9, 0.05, 0.05, // wrong, 0.9
    0.1, 0, 0.9, // wrong, 0.9: ties with sample 2, comes after it
  ]);
  const mistakes = mostConfidentMistakes(labels, probabilities, 5, 3);
  assert.deepEqual(mistakes.map((mistake) => mistake.index), [2, 3, 0]);
  assert.equal(mistakes[0]!.trueLabel, 2);
  assert.equal(mistakes[0]!.predictedLabel, 0);
  assert.ok(Math.abs(mistakes[0]!.probability - 0.9) < 1e-6);
  assert.ok(Math.abs(mistakes[0]!.trueProbability - 0.05) < 1e-6);
  assert.equal(mostConfidentMistakes(labels, probabilities, 1, 3).length, 1);
});

test('classDistribution counts and proportions', () => {
  const distribution = classDistribution(new Uint8Array([0, 0, 1, 9]));
  assert.deepEqual(distribution.counts, [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(distribution.proportions, [0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0.25]);
  assert.equal(distribution.total, 4);
});

test('history survives a CSV round trip and mismatched lengths are refused', () => {
  const history = fakeHistory(4);
  assert.deepEqual(historyFromCsv(historyToCsv(history)), history);
  assert.throws(() => historyToCsv({ epoch: [0, 1], loss: [1], accuracy: [0.5, 0.6] }), /history.loss has 1 values but history.epoch has 2/);
});
