/**
 * Notebook 004 — "MNIST Digits with Neural Network" (Chollet's first look at a neural network):
 * one hidden layer of 512 relu units, rmsprop, 5 epochs of batch 128, then predict a test digit,
 * evaluate on the test set (the notebook reports 97.8%) and save the model.
 *
 *   npx tsx examples/004-simple-mlp.ts
 */
import { join } from 'node:path';
import { dense, flattenSamples, imagesOf, loadMnist, loadModel, normalize, renderDigit, sequential, trainingHistoryOf, trainingCurvesSpec } from 'digitnet';
import { dtype, exampleSettings, shapeText } from './example-settings.js';

const settings = exampleSettings('004-simple-mlp');

// (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
const mnist = loadMnist();
const train = settings.take(mnist.train);
const test = mnist.test;
console.log('train_images.shape:', shapeText(imagesOf(train).shape), dtype(imagesOf(train)));
console.log('len(train_labels):', train.labels.length);
console.log('train_labels:', [...train.labels.subarray(0, 5)].join(' '), '...');
console.log('len(test_labels):', test.labels.length);
console.log(renderDigit(train.images.subarray(0, 784)));
console.log(`(the first training image, a ${train.labels[0]})\n`);

const model = sequential([dense({ units: 512, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })]);
model.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
// Keras can only show an unbuilt model here; building it for 784 inputs gives the full table.
model.build([784]);
model.summary();

// train_images.reshape((60000, 28 * 28)).astype("float32") / 255
const trainImages = normalize(flattenSamples(train));
const testImages = normalize(flattenSamples(test));
console.log('\ntrain_images after reshape and scaling:', shapeText(trainImages.shape), dtype(trainImages));

const history = await model.fit(trainImages, train.labels, { epochs: settings.epochs(5), batchSize: 128 });
await settings.savePng('training-curves', 'Training accuracy and loss', trainingCurvesSpec(trainingHistoryOf(history)));

// predictions = model.predict(test_images[0:10])
const testDigits = { data: testImages.data.subarray(0, 10 * 784), shape: [10, 784] };
const predictions = model.predict(testDigits);
const first = Array.from(predictions.data.subarray(0, 10));
console.log('\npredictions[0]:', first.map((probability) => probability.toFixed(8)).join(' '));
const highest = first.indexOf(Math.max(...first));
console.log('Index of highest probability:', highest, 'with probability:', first[highest]!.toFixed(8));
console.log('test_labels[0]:', test.labels[0]);

// test_loss, test_acc = model.evaluate(test_images, test_labels)
const { loss: testLoss, accuracy: testAccuracy } = model.evaluate(testImages, test.labels);
console.log(`test_loss: ${testLoss.toFixed(4)}`);
console.log(`test_acc: ${testAccuracy.toFixed(4)}  (the notebook reported 0.978)`);

// model.save("digits.keras") — Keras 3's own format, as the notebook writes it.
const path = join(settings.out, 'digits.keras');
model.save(path);
const reloaded = loadModel(path);
const again = reloaded.predict(testDigits).data;
console.log(`\nsaved ${path}; the loaded model predicts the same: ${again.every((value, index) => value === predictions.data[index])}`);
