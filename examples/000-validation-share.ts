/**
 * Notebook 000 — how much does a dense network need to see? All 70,000 MNIST images (OpenML
 * mnist_784 order), one-hot targets, adam, up to 30 epochs with EarlyStopping(patience=3), and
 * Keras's validationSplit deciding the training share:
 *
 *   50-50 relu,          validationSplit 0.80 (trains on 20%)   reported val accuracy 91%
 *   50-50 relu,          validationSplit 0.25 (trains on 75%)                         95%
 *   75-75-75-75 ("deep"), validationSplit 0.80                                         92%
 *   75-75-75-75 ("deep"), validationSplit 0.25                                         97%
 *
 *   npx tsx examples/000-validation-share.ts
 */
import { join } from 'node:path';
import {
  classProportions,
  compareCurvesSpec,
  dense,
  earlyStopping,
  flattenSamples,
  loadMnist,
  loadModel,
  renderDigit,
  sequential,
  toCategorical,
  trainingHistoryOf,
  type CompareRun,
  type Sequential,
} from 'digitnet';
import { dtype, exampleSettings, shapeText } from './example-settings.js';

const settings = exampleSettings('000-validation-share');

// mnist = fetch_openml('mnist_784'); X, y = mnist['data'], mnist['target'].astype('int')
const { all } = loadMnist({ combined: true });
const mnist = settings.take(all);
const X = flattenSamples(mnist);
const y = mnist.labels;
console.log('X:', shapeText(X.shape), dtype(X), '· y:', shapeText([y.length]), 'uint8');
console.log(renderDigit(mnist.images.subarray(0, 784)));
console.log(`(X[0], labelled ${y[0]})\n`);

// target = to_categorical(y)
const target = toCategorical(y);
console.log('target:', shapeText(target.shape), dtype(target));
for (let row = 0; row < 3; row++) console.log(`  [${Array.from(target.data.subarray(row * 10, row * 10 + 10)).map((value) => value.toFixed(0) + '.').join(', ')}]`);

// pd.Series(y).value_counts(normalize=True): are the classes balanced enough to skip stratifying?
const proportions = classProportions(y).map((share, digit) => ({ digit, share }));
proportions.sort((first, second) => second.share - first.share);
console.log('\nShare of each digit:');
for (const { digit, share } of proportions) console.log(`${digit}    ${share.toFixed(6)}`);

const experiments = [
  { name: '50-50, train on 20%', hidden: [50, 50], validationSplit: 0.8, reported: 0.91 },
  { name: '50-50, train on 75%', hidden: [50, 50], validationSplit: 0.25, reported: 0.95 },
  { name: '75x4, train on 20%', hidden: [75, 75, 75, 75], validationSplit: 0.8, reported: 0.92 },
  { name: '75x4, train on 75%', hidden: [75, 75, 75, 75], validationSplit: 0.25, reported: 0.97 },
];

const runs: CompareRun[] = [];
const results: string[] = [];
let last: Sequential | undefined;
for (const experiment of experiments) {
  console.log(`\n${experiment.name}`);
  const model = sequential();
  experiment.hidden.forEach((units, index) => model.add(dense({ units, activation: 'relu', ...(index === 0 ? { inputShape: [X.shape[1]!] } : {}) })));
  model.add(dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  if (experiment === experiments[0] || experiment === experiments[2]) model.summary();

  const history = await model.fit(X, target, {
    validationSplit: experiment.validationSplit,
    epochs: settings.epochs(30),
    callbacks: [earlyStopping({ patience: 3 })],
    verbose: 2,
  });
  const valAccuracy = history.val_accuracy[history.val_accuracy.length - 1]!;
  results.push(`${experiment.name.padEnd(20)} ${history.epoch.length} epochs  val accuracy ${(valAccuracy * 100).toFixed(2)}%  (the notebook: ${Math.round(experiment.reported * 100)}%)`);
  runs.push({ name: experiment.name, history: trainingHistoryOf(history) });
  last = model;
}
console.log('\n' + results.join('\n'));
await settings.savePng('validation-curves', 'Validation accuracy and loss by training share', compareCurvesSpec(runs));

// Save the deep model trained on 75%, load it back and predict the first digit of its validation part.
const path = join(settings.out, 'deep-75.safetensors');
last!.save(path);
const model = loadModel(path);
const firstValidation = Math.floor(mnist.count * 0.75);
const digit = { data: X.data.subarray(firstValidation * 784, (firstValidation + 1) * 784), shape: [1, 784] };
const probabilities = Array.from(model.predict(digit).data);
const predicted = probabilities.indexOf(Math.max(...probabilities));
console.log(`\nsaved ${path} and loaded it back`);
console.log(renderDigit(digit.data));
console.log(`predicted ${predicted} with probability ${probabilities[predicted]!.toFixed(4)}; the label is ${y[firstValidation]}`);
