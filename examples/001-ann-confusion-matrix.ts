/**
 * Notebook 001 — "MNIST Classification with ANN": Flatten(28, 28), Dense 256 relu, Dropout 0.2,
 * Dense 128 relu, softmax; adam with sparse categorical cross-entropy, 10 epochs of batch 128
 * validated on the test set (reported: test accuracy 98.04%, loss 0.0705). Then the accuracy
 * curves, the confusion matrix, and the notebook exported as HTML (here: a run report).
 *
 *   npx tsx examples/001-ann-confusion-matrix.ts
 */
import { join } from 'node:path';
import {
  argmaxRows,
  confusionMatrix,
  confusionMatrixSpec,
  dense,
  dropout,
  flatten,
  formatConfusionMatrix,
  imagesOf,
  loadMnist,
  loadModel,
  normalize,
  renderDigit,
  reportInputFromRun,
  sequential,
  trainingCurvesSpec,
  trainingHistoryOf,
  writeRunReport,
} from 'digitnet';
import { dtype, exampleSettings, shapeText } from './example-settings.js';

const settings = exampleSettings('001-ann-confusion-matrix');

// (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
const mnist = loadMnist();
const train = settings.take(mnist.train);
const test = mnist.test;
const xTrain = imagesOf(train);
const xTest = imagesOf(test);
console.log('x_train:', shapeText(xTrain.shape), dtype(xTrain), '· first pixel', xTrain.data[0]);
console.log('y_train:', shapeText([train.labels.length]), 'uint8 · first label', train.labels[0]);

// plt.imshow(x_train[1]): the notebook draws image 1, the second (its text calls it "the first").
console.log(renderDigit(train.images.subarray(784, 2 * 784)));
console.log(`Train image 1 (drawn above) has label ${train.labels[1]}\n`);

// x_train_norm = x_train / 255.0
const xTrainNorm = normalize(xTrain);
const xTestNorm = normalize(xTest);
console.log('x_train_norm is :', shapeText(xTrainNorm.shape), '· max of the first image', Math.max(...xTrainNorm.data.subarray(0, 784)));
console.log('x_test_norm is :', shapeText(xTestNorm.shape));
console.log('y_test[0] is :', test.labels[0], '\n');

const ann = sequential();
ann.add(flatten({ inputShape: [28, 28] }));
ann.add(dense({ units: 256, activation: 'relu' }));
ann.add(dropout({ rate: 0.2 }));
ann.add(dense({ units: 128, activation: 'relu' }));
ann.add(dense({ units: 10, activation: 'softmax' }));
ann.summary();

ann.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });

const trainStart = performance.now();
const history = await ann.fit(xTrainNorm, train.labels, {
  epochs: settings.epochs(10),
  batchSize: 128,
  validationData: [xTestNorm, test.labels],
  verbose: 1,
});
const trainSeconds = (performance.now() - trainStart) / 1000;

const predictions = ann.predict(xTestNorm);
const score = ann.evaluate(xTestNorm, test.labels);
console.log(`\ntest loss: ${score.loss.toFixed(4)} · test accuracy: ${score.accuracy.toFixed(4)}  (the notebook reported 0.0705 and 0.9804)`);

// plt.plot(history.history["accuracy"]); plt.plot(history.history["val_accuracy"])
await settings.savePng('accuracy-curves', 'ANN model accuracy', trainingCurvesSpec(trainingHistoryOf(history)));

// cm = confusion_matrix(y_test, predictions.argmax(axis=1))
const cm = confusionMatrix(test.labels, argmaxRows(predictions.data));
console.log('\nConfusion matrix (rows: true label, columns: predicted):');
console.log(formatConfusionMatrix(cm));
await settings.savePng('confusion-matrix', 'Confusion matrix', confusionMatrixSpec(cm));

// The notebook was exported as HTML; a run report holds the same tables and charts and more.
const report = await writeRunReport(
  join(settings.out, 'report'),
  reportInputFromRun({
    model: ann,
    history,
    test,
    trainLabels: train.labels,
    settings: { notebook: '001', optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', epochs: settings.epochs(10), batchSize: 128, trainingImages: train.count },
    timings: { train: trainSeconds },
    title: 'Notebook 001: MNIST classification with an ANN',
  }),
);
console.log(`wrote ${report.htmlPath}`);

const path = join(settings.out, 'ann.safetensors');
ann.save(path);
const reloaded = loadModel(path);
console.log(`saved ${path}; the loaded model's test accuracy: ${reloaded.evaluate(xTestNorm, test.labels).accuracy.toFixed(4)}`);
