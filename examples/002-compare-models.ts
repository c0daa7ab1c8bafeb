/**
 * Notebook 002 — "MLP Deep Learning on the MNIST Dataset": three models on flattened, scaled,
 * one-hot MNIST, each validated on the test set, then their validation curves overlaid.
 *
 *   fit1: 50-25 relu, RMSprop, 5 epochs                              (reported 96.55%, loss 0.116)
 *   fit2: 512, Dropout 0.2, 512, Dropout 0.2, adam, EarlyStopping(3)  (reported 98.05%, loss 0.073)
 *   fit3: 128, Dropout 0.15, 64, Dropout 0.15, adam, EarlyStopping(3)
 *
 * The notebook fitted model2 a second time where it meant model3; here model3 is fitted.
 *
 *   npx tsx examples/002-compare-models.ts
 */
import { join } from 'node:path';
import {
  compareCurvesSpec,
  dense,
  dropout,
  earlyStopping,
  flattenSamples,
  formatCompareTable,
  imagesOf,
  loadMnist,
  loadModel,
  normalize,
  renderDigit,
  rmsprop,
  sequential,
  toCategorical,
  trainingHistoryOf,
  type CompareRow,
  type History,
  type Sequential,
} from 'digitnet';
import { dtype, exampleSettings, shapeText } from './example-settings.js';

const settings = exampleSettings('002-compare-models');

// (X_train, y_train), (X_test, y_test) = mnist.load_data()
const mnist = loadMnist();
const train = settings.take(mnist.train);
const test = mnist.test;
console.log('First X in the training data:');
console.log(renderDigit(train.images.subarray(0, 784)));
console.log(`First y in the training data: ${train.labels[0]}\n`);
console.log('The X_training samples have a shape of', shapeText(imagesOf(train).shape));
console.log('The y_training samples have a shape of', shapeText([train.labels.length]));
console.log('The X_test samples have a shape of', shapeText(imagesOf(test).shape));
console.log('The y_test samples have a shape of', shapeText([test.labels.length]));

// X_train = X_train.reshape(60000, 784)
const flatTrain = flattenSamples(train);
const flatTest = flattenSamples(test);
console.log(`\n${shapeText(flatTrain.shape)} train samples · ${shapeText(flatTest.shape)} test samples`);
console.log('The X_training samples have a data type of', dtype(flatTrain));

// X_train = X_train.astype('float32') / 255
const mean = (values: ArrayLike<number>): number => Array.from(values).reduce((sum, value) => sum + value, 0) / values.length;
console.log('The mean pixel value of the first image before scaling is', mean(flatTrain.data.subarray(0, 784)).toFixed(6));
const xTrain = normalize(flatTrain);
const xTest = normalize(flatTest);
console.log('The mean pixel value of the first image after scaling is', mean(xTrain.data.subarray(0, 784)).toFixed(8));
console.log('The X_training samples now have a data type of', dtype(xTrain));

// y_train = keras.utils.to_categorical(y_train, num_classes)
const numClasses = 10;
const yTrain = toCategorical(train.labels, numClasses);
const yTest = toCategorical(test.labels, numClasses);
console.log(`\nFirst y value in the training data is [${Array.from(yTrain.data.subarray(0, numClasses)).map((value) => value.toFixed(0) + '.').join(' ')}]\n`);

const ncols = xTrain.shape[1]!;
const batchSize = 128;
const rows: CompareRow[] = [];
const fits: { name: string; history: History }[] = [];

async function fitAndScore(name: string, model: Sequential, epochs: number, patience: number | null, reported?: { accuracy: number; loss: number }): Promise<History> {
  model.summary();
  console.log(`Loss function: ${model.loss} · Optimizer: ${model.optimizer?.name} · Metrics: ${model.metricsNames.join(', ')}`);
  const started = performance.now();
  const fit = await model.fit(xTrain, yTrain, {
    batchSize,
    epochs,
    verbose: 1,
    validationData: [xTest, yTest],
    ...(patience === null ? {} : { callbacks: [earlyStopping({ patience })] }),
  });
  const seconds = (performance.now() - started) / 1000;
  const score = model.evaluate(xTest, yTest);
  console.log(`Test loss: ${score.loss}\nTest accuracy: ${score.accuracy}\n`);
  rows.push({
    name,
    hiddenLayers: model.layers.filter((layer) => layer.className !== 'Dropout').slice(0, -1).map((layer) => layer.outputShape[0]!),
    parameters: model.countParams(),
    epochsRun: fit.epoch.length,
    seconds,
    testLoss: score.loss,
    testAccuracy: score.accuracy,
    ...(reported ? { reportedAccuracy: reported.accuracy, reportedLoss: reported.loss, reportedSource: 'notebook 002' } : {}),
  });
  fits.push({ name, history: fit });
  return fit;
}

// model: 50-25 relu, RMSprop
const model = sequential();
model.add(dense({ units: 50, activation: 'relu', inputShape: [ncols] }));
model.add(dense({ units: 25, activation: 'relu' }));
model.add(dense({ units: numClasses, activation: 'softmax' }));
model.compile({ loss: 'categoricalCrossentropy', optimizer: rmsprop(), metrics: ['accuracy'] });
await fitAndScore('fit1', model, settings.epochs(5), null, { accuracy: 0.9655, loss: 0.116 });

// model.save('model.h5'); my_model = load_model('model.h5') — Keras's legacy HDF5 file, as the notebook writes it.
const path = join(settings.out, 'model.h5');
model.save(path);
const myModel = loadModel(path);
const before = model.predict(xTest).data;
const same = myModel.predict(xTest).data.every((value, index) => value === before[index]);
console.log(`saved ${path} and loaded it back: test accuracy ${myModel.evaluate(xTest, yTest).accuracy}, the same predictions: ${same}\n`);

// model2: 512, Dropout 0.2, 512, Dropout 0.2, adam, early stopping
const model2 = sequential();
model2.add(dense({ units: 512, activation: 'relu', inputShape: [ncols] }));
model2.add(dropout({ rate: 0.2 }));
model2.add(dense({ units: 512, activation: 'relu' }));
model2.add(dropout({ rate: 0.2 }));
model2.add(dense({ units: numClasses, activation: 'softmax' }));
model2.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
model2.save(join(settings.out, 'model_2.h5'));
await fitAndScore('fit2', model2, settings.epochs(200), 3, { accuracy: 0.9805, loss: 0.073 });

// model3: 128, Dropout 0.15, 64, Dropout 0.15, adam, early stopping
const model3 = sequential();
model3.add(dense({ units: 128, activation: 'relu', inputShape: [ncols] }));
model3.add(dropout({ rate: 0.15 }));
model3.add(dense({ units: 64, activation: 'relu' }));
model3.add(dropout({ rate: 0.15 }));
model3.add(dense({ units: numClasses, activation: 'softmax' }));
model3.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
await fitAndScore('fit3', model3, settings.epochs(200), 3);

console.log(formatCompareTable(rows));
// The notebook's last figure: every fit's val_acc and val_loss per epoch.
await settings.savePng('validation-curves', 'Validation accuracy and loss', compareCurvesSpec(fits.map((fit) => ({ name: fit.name, history: trainingHistoryOf(fit.history) }))));
