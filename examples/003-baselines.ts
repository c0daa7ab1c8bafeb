/**
 * Notebook 003 — the baselines of a digit-recognition project: check the class balance of the
 * training and test sets, then six dense baselines, each RMSprop with categorical
 * cross-entropy and batch 64. As in the notebook, each is fitted twice: once with
 * validationSplit 0.15 for its training and validation curves, then a new model on all the
 * training images for the chosen epochs, which is the one evaluated on the test set.
 *
 *   baseline 1: 32                      6 epochs   reported test accuracy 96.08%
 *   baseline 2: 32-16                   6 epochs                          96.04%
 *   baseline 3: 512                     3 epochs                          97.67%
 *   baseline 4: 256                     3 epochs                          97.29%
 *   baseline 5: 512-256                 3 epochs                          97.88%
 *   baseline 6: 512-d0.5-256-d0.5      20 epochs                          98.08%
 *
 *   npx tsx examples/003-baselines.ts
 */
import {
  classCounts,
  classDistribution,
  classDistributionSpec,
  dense,
  dropout,
  flattenSamples,
  formatCompareTable,
  loadMnist,
  normalize,
  renderDigit,
  sequential,
  toCategorical,
  trainingCurvesSpec,
  trainingHistoryOf,
  type CompareRow,
  type Layer,
} from 'digitnet';
import { dtype, exampleSettings, shapeText } from './example-settings.js';

const settings = exampleSettings('003-baselines');

const mnist = loadMnist();
const train = settings.take(mnist.train);
const test = mnist.test;
console.log(renderDigit(train.images.subarray(0, 784)));
console.log(`(digit = x_train[0], a ${train.labels[0]})\n`);

// x_train = x_train.reshape(x_train.shape[0], 28*28).astype('float32') / 255; y_train = to_categorical(y_train)
const xTrain = normalize(flattenSamples(train));
const xTest = normalize(flattenSamples(test));
const yTrain = toCategorical(train.labels);
const yTest = toCategorical(test.labels);
console.log('x_train:', shapeText(xTrain.shape), dtype(xTrain), '· y_train:', shapeText(yTrain.shape), dtype(yTrain));
console.log('x_test:', shapeText(xTest.shape), dtype(xTest), '· y_test:', shapeText(yTest.shape), dtype(yTest));

// train_count = y_train.sum(); values1 = y_train.sum(axis=0)
console.log(`Number of Training images ${train.count}`);
console.log(`Number of Testing images ${test.count}`);
console.log('Training images per digit:', classCounts(train.labels).join(' '));
console.log('Testing images per digit: ', classCounts(test.labels).join(' '));
await settings.savePng('data-distribution', 'Data distribution', classDistributionSpec({ train: classDistribution(train.labels), test: classDistribution(test.labels) }));

const baselines: { name: string; hidden: string; layers: () => Layer[]; epochs: number; reported: number }[] = [
  { name: 'baseline 1', hidden: '32', epochs: 6, reported: 0.9608, layers: () => [dense({ units: 32, inputShape: [784], activation: 'relu' })] },
  {
    name: 'baseline 2',
    hidden: '32-16',
    epochs: 6,
    reported: 0.9604,
    layers: () => [dense({ units: 32, activation: 'relu', inputShape: [784] }), dense({ units: 16, activation: 'relu' })],
  },
  { name: 'baseline 3', hidden: '512', epochs: 3, reported: 0.9767, layers: () => [dense({ units: 512, activation: 'relu', inputShape: [784] })] },
  { name: 'baseline 4', hidden: '256', epochs: 3, reported: 0.9729, layers: () => [dense({ units: 256, activation: 'relu', inputShape: [784] })] },
  {
    name: 'baseline 5',
    hidden: '512-256',
    epochs: 3,
    reported: 0.9788,
    layers: () => [dense({ units: 512, activation: 'relu', inputShape: [784] }), dense({ units: 256, activation: 'relu' })],
  },
  {
    name: 'baseline 6',
    hidden: '512-d0.5-256-d0.5',
    epochs: 20,
    reported: 0.9808,
    layers: () => [
      dense({ units: 512, activation: 'relu', inputShape: [784] }),
      dropout({ rate: 0.5 }),
      dense({ units: 256, activation: 'relu' }),
      dropout({ rate: 0.5 }),
    ],
  },
];

const rows: CompareRow[] = [];
for (const baseline of baselines) {
  console.log(`\n${baseline.name}`);
  // def my_model(): ... model.add(layers.Dense(10, activation='softmax')); model.compile(...)
  const myModel = () => {
    const model = sequential([...baseline.layers(), dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const explored = myModel();
  explored.summary();
  // history = model.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.15)
  const epochs = settings.epochs(baseline.epochs);
  const history = await explored.fit(xTrain, yTrain, { epochs, batchSize: 64, validationSplit: 0.15, verbose: 1 });
  // model = my_model(); model.fit(x_train, y_train, epochs=N, batch_size=64); model.evaluate(x_test, y_test)
  const model = myModel();
  const started = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize: 64, verbose: 1 });
  const seconds = (performance.now() - started) / 1000;
  const score = model.evaluate(xTest, yTest);
  console.log(`Test - ${epochs} epochs - Loss ${score.loss} Accuracy ${score.accuracy}  (the notebook: ${baseline.reported})`);
  const file = baseline.name.replace(' ', '-');
  await settings.savePng(`${file}-curves`, `${baseline.name}: training and validation`, trainingCurvesSpec(trainingHistoryOf(history)));
  rows.push({
    name: baseline.name,
    hiddenLayers: baseline.hidden,
    parameters: model.countParams(),
    epochsRun: epochs,
    seconds,
    testLoss: score.loss,
    testAccuracy: score.accuracy,
    reportedAccuracy: baseline.reported,
    reportedSource: 'notebook 003',
  });
}
console.log('\n' + formatCompareTable(rows));
