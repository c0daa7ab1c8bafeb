import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dense, earlyStopping, f1Score, loadMnist, sequential, takeFirst, tensor, toCategorical, topKCategoricalAccuracy, type Sequential } from '../../src/index.js';

const mnist = loadMnist();
const train = takeFirst(mnist.train, 1200);
const test_ = takeFirst(mnist.test, 500);
const xTrain = tensor(train.images, [train.count, 784]);
const xTest = tensor(test_.images, [test_.count, 784]);

function model(): Sequential {
  return sequential([dense(32, { activation: 'relu', inputShape: [784] }), dense(10, { activation: 'softmax' })], { seed: 7 });
}

/** Captures what the progress bar writes. */
function stream(): { write(text: string): boolean; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
      return true;
    },
  };
}

test("metrics: ['mae'] and Keras's other metrics appear in the logs, the progress bar, History, early stopping's monitor and evaluate", async () => {
  const net = model();
  net.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy', 'mae', 'precision', 'recall', f1Score({ average: 'micro' }), 'sparse_top_k_categorical_accuracy', 'auc'] });
  const out = stream();
  const stopping = earlyStopping({ monitor: 'val_f1_score', patience: 0 });
  const history = await net.fit(xTrain, train.labels, { epochs: 3, batch_size: 64, validation_split: 0.25, seed: 1, verbose: 2, progressStream: out, callbacks: [stopping] });
  const names = ['loss', 'accuracy', 'mae', 'precision', 'recall', 'f1_score', 'sparse_top_k_categorical_accuracy', 'auc'];
  assert.deepEqual(Object.keys(history.history), [...names, 'val_loss', ...names.slice(1).map((name) => `val_${name}`)]);
  for (const name of names.slice(1)) assert.match(out.text, new RegExp(` - ${name}: \\d\\.\\d{4} - `));
  // As Keras 3: metrics: ['accuracy'] logs accuracy, never acc (the typed getters read either).
  assert.equal(history.history.acc, undefined);
  assert.deepEqual(history.accuracy, history.history.accuracy);
  // f1_score grows, so 'auto' watches it as Keras 3 does: for the largest value.
  assert.equal(stopping.direction, 'max');
  // Micro F1 with one class per sample is the accuracy.
  for (const [index, value] of history.history.f1_score!.entries()) assert.ok(Math.abs(value - history.history.accuracy![index]!) < 1e-5);

  const evaluation = net.evaluate(xTest, test_.labels, { batchSize: 128 });
  assert.deepEqual(Object.keys(evaluation).sort(), [...names].sort());
  const probabilities = net.predict(xTest).data;
  let absolute = 0;
  let correct = 0;
  let top5 = 0;
  let truePositives = 0;
  let predictedPositives = 0;
  for (let row = 0; row < test_.count; row++) {
    const label = test_.labels[row]!;
    let best = 0;
    let higher = 0;
    for (let j = 0; j < 10; j++) {
      const p = probabilities[row * 10 + j]!;
      absolute += Math.abs((j === label ? 1 : 0) - p);
      if (p > probabilities[row * 10 + best]!) best = j;
      if (p > probabilities[row * 10 + label]!) higher++;
      if (p > 0.5) {
        predictedPositives++;
        if (j === label) truePositives++;
      }
    }
    if (best === label) correct++;
    if (higher < 5) top5++;
  }
  assert.ok(Math.abs(evaluation.mae! - absolute / (test_.count * 10)) < 1e-6);
  assert.equal(evaluation.accuracy, correct / test_.count);
  assert.equal(evaluation.sparse_top_k_categorical_accuracy, top5 / test_.count);
  assert.equal(evaluation.precision, truePositives / predictedPositives);
  assert.equal(evaluation.recall, truePositives / test_.count);
});

test('evaluate returns every compiled metric under its log name, and accuracy always, as callers rely on', async () => {
  const net = model();
  net.compile({ optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['acc', topKCategoricalAccuracy({ k: 2, name: 'top2' }), 'categorical_accuracy'] });
  const y = toCategorical(train.labels);
  await net.fit(xTrain, y, { epochs: 1, verbose: 0, seed: 1 });
  const evaluation = net.evaluate(xTest, toCategorical(test_.labels));
  assert.deepEqual(Object.keys(evaluation).sort(), ['acc', 'accuracy', 'categorical_accuracy', 'loss', 'top2']);
  assert.equal(evaluation.acc, evaluation.accuracy);
  assert.equal(evaluation.categorical_accuracy, evaluation.accuracy);
  assert.ok(evaluation.top2! >= evaluation.accuracy);

  const plain = model();
  plain.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  assert.deepEqual(Object.keys(plain.evaluate(xTest, test_.labels)).sort(), ['accuracy', 'loss']);
});

test('a metric that reads the other kind of targets is refused at compile, naming the one to use', () => {
  const net = model();
  assert.throws(
    () => net.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['categorical_accuracy'] }),
    /^Error: compile\(\): metric "categorical_accuracy" compares one-hot target rows, but loss "sparse_categorical_crossentropy" takes class labels: use its sparse_ form \(e\.g\. "sparse_categorical_accuracy"\) or "accuracy"\.$/,
  );
  assert.throws(
    () => net.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['sparse_categorical_accuracy'] }),
    /compares class labels, but loss "categoricalCrossentropy" takes target rows/,
  );
  assert.throws(() => net.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae', 'mae'] }), /metrics name "mae" twice/);
  // A one-output regression may have mae but not accuracy.
  const regression = sequential([dense(1, { inputShape: [3] })]);
  regression.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
  assert.throws(() => regression.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy'] }), /The accuracy metric compares the most probable of several classes/);
});

test('a model compiled with metric objects saves them and loads them with their settings', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadModel } = await import('../../src/index.js');
  const net = model();
  net.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['acc', f1Score({ average: 'weighted' })] });
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-metrics-'));
  try {
    net.save(join(folder, 'm.safetensors'));
    const loaded = loadModel(join(folder, 'm.safetensors'));
    assert.deepEqual(loaded.metricsNames, ['acc', 'f1_score']);
    assert.equal(String(loaded.metrics[1]), 'F1Score(name="f1_score", average="weighted")');
    assert.deepEqual(loaded.getCompileConfig()!.metrics, ['acc', { className: 'F1Score', config: { name: 'f1_score', average: 'weighted' } }]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
