import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine } from '../../src/engine/select.js';
import {
  dense,
  dropout,
  earlyStopping,
  flatten,
  loadMnist,
  randomElasticTransform,
  randomRotation,
  sequential,
  takeFirst,
  tensor,
  toCategorical,
  Sequential,
} from '../../src/index.js';

const mnist = loadMnist();
const train = takeFirst(mnist.train, 2000);
const test_ = takeFirst(mnist.test, 1000);
const xTrain = tensor(train.images, [train.count, 784]);
const xTest = tensor(test_.images, [test_.count, 784]);

function smallModel(seed = 1): Sequential {
  const model = sequential(
    [dense({ units: 64, activation: 'relu', inputShape: [784] }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })],
    { seed },
  );
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

test('fit on 2,000 MNIST images reaches 85% test accuracy', async () => {
  const model = smallModel();
  const history = await model.fit(xTrain, train.labels, { epochs: 5, batchSize: 32, verbose: 0, seed: 1 });
  assert.equal(history.loss.length, 5);
  assert.ok(history.loss[4]! < history.loss[0]!, `loss fell: ${history.loss}`);
  const result = model.evaluate(xTest, test_.labels);
  assert.ok(result.accuracy > 0.85, `test accuracy ${result.accuracy}`);
  const probabilities = model.predict(xTest);
  assert.deepEqual(probabilities.shape, [1000, 10]);
  let rowSum = 0;
  for (let j = 0; j < 10; j++) rowSum += probabilities.data[j]!;
  assert.ok(Math.abs(rowSum - 1) < 1e-5);
});

test('float inputs, one-hot targets and categorical cross-entropy train as well', async () => {
  const model = sequential([flatten({ inputShape: [28, 28] }), dense({ units: 32, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })], { seed: 2 });
  model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const floats = Float32Array.from(train.images, (value) => value / 255);
  const history = await model.fit(tensor(floats, [train.count, 28, 28]), toCategorical(train.labels), { epochs: 3, batchSize: 64, verbose: 0, seed: 2 });
  assert.ok(history.accuracy[2]! > 0.8, `training accuracy ${history.accuracy}`);
});

test('the same seed gives identical history, weights and predictions', async () => {
  const run = async () => {
    const model = smallModel(5);
    const history = await model.fit(xTrain, train.labels, { epochs: 2, batchSize: 50, verbose: 0, seed: 9, validationSplit: 0.1 });
    return { history: history.toJSON(), weights: model.getWeights(), predictions: model.predict(xTest).data };
  };
  const first = await run();
  const second = await run();
  assert.deepEqual(first.history, second.history);
  first.weights.forEach((weight, index) => assert.deepEqual(weight, second.weights[index]));
  assert.deepEqual(first.predictions, second.predictions);
});

test('validationSplit validates on the last fraction, taken before shuffling', async () => {
  const model = smallModel();
  const history = await model.fit(xTrain, train.labels, { epochs: 1, batchSize: 32, verbose: 0, seed: 3, validationSplit: 0.25 });
  const last = tensor(train.images.subarray(1500 * 784), [500, 784]);
  const expected = model.evaluate(last, train.labels.subarray(1500), { batchSize: 32 });
  assert.ok(Math.abs(history.val_loss[0]! - expected.loss) < 1e-9, `${history.val_loss[0]} vs ${expected.loss}`);
  assert.equal(history.val_accuracy[0], expected.accuracy);
});

test('early stopping stops when validation loss stops improving and restores the best weights', async () => {
  // 300 images and a wide model overfit quickly, so validation loss turns up within a few epochs.
  const few = takeFirst(mnist.train, 300);
  const model = sequential([dense({ units: 256, activation: 'relu', inputShape: [784] }), dense({ units: 10, activation: 'softmax' })], { seed: 4 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const stopper = earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
  const history = await model.fit(tensor(few.images, [300, 784]), few.labels, {
    epochs: 60,
    batchSize: 16,
    verbose: 0,
    seed: 4,
    validationData: [xTest, test_.labels],
    callbacks: [stopper],
  });
  const epochs = history.epoch.length;
  assert.ok(epochs < 60, `stopped after ${epochs} epochs`);
  assert.equal(stopper.stoppedEpoch, epochs - 1);
  const best = Math.min(...history.val_loss);
  assert.equal(history.val_loss.indexOf(best), stopper.bestEpoch);
  assert.equal(epochs - 1 - stopper.bestEpoch, 2, 'stops patience epochs after the best');
  const restored = model.evaluate(xTest, test_.labels, { batchSize: 16 });
  assert.ok(Math.abs(restored.loss - best) < 1e-6, `restored loss ${restored.loss} vs best ${best}`);
});

test('a callback can stop training after any batch', async () => {
  const model = smallModel();
  let batches = 0;
  const history = await model.fit(xTrain, train.labels, {
    epochs: 3,
    batchSize: 100,
    verbose: 0,
    callbacks: [
      {
        onBatchEnd(batch) {
          batches++;
          if (batch === 4) model.stopTraining = true;
        },
      },
    ],
  });
  assert.equal(batches, 5);
  assert.equal(history.epoch.length, 1);
});

test('onBatchBegin runs before each batch, in order', async () => {
  const calls: string[] = [];
  await smallModel().fit(xTrain, train.labels, {
    epochs: 1,
    batchSize: 800,
    verbose: 0,
    callbacks: [{ onBatchBegin: (batch) => calls.push(`begin ${batch}`), onBatchEnd: (batch) => calls.push(`end ${batch}`) }],
  });
  assert.deepEqual(calls, ['begin 0', 'end 0', 'begin 1', 'end 1', 'begin 2', 'end 2']);
});

test('Sequential.fromConfig rebuilds the layers; evaluate builds a model without an inputShape', async () => {
  const model = smallModel();
  const copy = Sequential.fromConfig(model.getConfig(), { seed: 1 });
  assert.deepEqual(copy.getConfig(), model.getConfig());
  assert.deepEqual(copy.getWeights(), model.getWeights());

  const unbuilt = sequential([dense({ units: 10, activation: 'softmax' })], { seed: 3 });
  unbuilt.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const result = unbuilt.evaluate(xTest, test_.labels);
  assert.deepEqual(unbuilt.inputShape, [784]);
  assert.ok(result.accuracy >= 0 && result.accuracy <= 1 && Number.isFinite(result.loss));
});

test("bias initializers take the bias's own length as both fans, as Keras", () => {
  const model = sequential([dense({ units: 6, inputShape: [10000], biasInitializer: 'heUniform' })], { seed: 4 });
  const bias = model.getWeights()[1]!;
  const limit = Math.sqrt(6 / 6);
  assert.ok(bias.every((value) => Math.abs(value) <= limit));
  assert.ok(bias.some((value) => Math.abs(value) > Math.sqrt(6 / 10000) * 4), `${bias.join(', ')}`);
});

test('verbose 2 prints one Keras line per epoch', async () => {
  const model = smallModel();
  let printed = '';
  await model.fit(xTrain, train.labels, { epochs: 2, batchSize: 500, verbose: 2, validationSplit: 0.5, progressStream: { write: (text: string) => (printed += text) } });
  assert.match(printed, /^Epoch 1\/2\n2\/2 - \d+s \d+m?s\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\nEpoch 2\/2\n/);
});

test("metrics: ['acc'] names the logs acc and val_acc, as Keras does, and early stopping can watch val_acc", async () => {
  const model = sequential([dense({ units: 32, activation: 'relu', inputShape: [784] }), dense({ units: 10, activation: 'softmax' })], { seed: 2 });
  model.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
  const seen: string[][] = [];
  const history = await model.fit(xTrain, train.labels, {
    epochs: 2,
    batchSize: 64,
    verbose: 0,
    seed: 1,
    validationSplit: 0.2,
    callbacks: [earlyStopping({ monitor: 'val_acc', patience: 3 }), { onEpochEnd: (_epoch, logs) => void seen.push(Object.keys(logs)) }],
  });
  assert.deepEqual(seen[0], ['loss', 'acc', 'val_loss', 'val_acc']);
  assert.equal(history.history.acc!.length, 2);
  assert.equal(history.history.accuracy, undefined);
  // The typed getters read either name.
  assert.deepEqual(history.accuracy, history.history.acc);
  assert.deepEqual(history.val_accuracy, history.history.val_acc);
  assert.deepEqual(model.metricsNames, ['acc']);
  assert.throws(
    () => model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'accuracy'] }),
    /^Error: compile\(\): metrics name "accuracy" twice; give each metric once \(a metric object takes \{ name \}\)\.$/,
  );
  // @ts-expect-error: hinge is not a metric digitnet has.
  assert.throws(() => model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['hinge'] }), /^Error: Unknown metric "hinge": allowed are "accuracy", "acc", "categorical_accuracy"/);
});

test('early stopping on a value fit() will not report is refused before the first epoch', async () => {
  const model = smallModel();
  let epochsStarted = 0;
  await assert.rejects(
    model.fit(xTrain, train.labels, { epochs: 3, verbose: 0, callbacks: [{ onEpochBegin: () => void epochsStarted++ }, earlyStopping({ patience: 1 })] }),
    /^Error: earlyStopping\(\) monitors "val_loss", which training does not report \(fit\(\) has no validation data: pass validationSplit or validationData\); available are loss, accuracy\.$/,
  );
  assert.equal(epochsStarted, 0);
});

// The sparse-row kernels exist for AVX-512 only (native/src/kernels.h); elsewhere no batch is read as nonzeros.
const sparseSkip = getEngine().sparseKernels ? false : `the ${getEngine().simd} engine has no sparse-row kernels (AVX-512 only)`;

/** Counts the batches the engine gathers as nonzeros until restore() is called. */
function countSparseBatches(): { readonly count: number; restore(): void } {
  const engine = getEngine();
  const original = engine.gatherSparseRows.bind(engine);
  const counter = { count: 0, restore: () => void (engine.gatherSparseRows = original) };
  engine.gatherSparseRows = (...args) => {
    counter.count++;
    original(...args);
  };
  return counter;
}

test('a wide first layer reads MNIST batches as their nonzeros, with exactly the results of the dense batch', { skip: sparseSkip }, async () => {
  const sparseBatches = countSparseBatches();
  const run = async (setting: string | undefined) => {
    if (setting === undefined) delete process.env.DIGITNET_SPARSE_INPUT;
    else process.env.DIGITNET_SPARSE_INPUT = setting;
    const model = sequential([flatten({ inputShape: [28, 28] }), dense({ units: 256, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })], { seed: 4 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const images = tensor(train.images.subarray(0, 1000 * 784), [1000, 28, 28]);
    const history = await model.fit(images, train.labels.subarray(0, 1000), { epochs: 2, batchSize: 64, verbose: 0, seed: 1, validationSplit: 0.2 });
    const predictions = model.predict(tensor(test_.images.subarray(0, 200 * 784), [200, 28, 28]), { batchSize: 50 });
    return { history: history.toJSON(), weights: model.getWeights(), predictions: predictions.data };
  };
  try {
    const automatic = await run(undefined);
    assert.ok(sparseBatches.count > 0, 'the sparse batches were used');
    const batchesBefore = sparseBatches.count;
    const dense = await run('0');
    assert.equal(sparseBatches.count, batchesBefore, 'DIGITNET_SPARSE_INPUT=0 keeps the dense batches');
    assert.deepEqual(automatic, dense);
  } finally {
    delete process.env.DIGITNET_SPARSE_INPUT;
    sparseBatches.restore();
  }
});

test('after augmentation layers, the first Dense may read the augmented batch as its nonzeros, with exactly the results of the dense batch', async () => {
  const run = async (setting: string) => {
    process.env.DIGITNET_SPARSE_INPUT = setting;
    const model = sequential(
      [randomRotation({ factor: 0.03, inputShape: [28, 28] }), randomElasticTransform({ alpha: 34, sigma: 4 }), flatten(), dense({ units: 64, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })],
      { seed: 4 },
    );
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const images = tensor(train.images.subarray(0, 600 * 784), [600, 28, 28]);
    const history = await model.fit(images, train.labels.subarray(0, 600), { epochs: 2, batchSize: 64, verbose: 0, seed: 1, validationSplit: 0.2 });
    return { history: history.toJSON(), weights: model.getWeights() };
  };
  const sparseBatches = countSparseBatches();
  try {
    // '1' takes the sparse path wherever the layers allow it, with or without the AVX-512 kernels.
    const sparse = await run('1');
    assert.ok(sparseBatches.count > 0, 'the sparse batches were used');
    assert.deepEqual(sparse, await run('0'));
  } finally {
    delete process.env.DIGITNET_SPARSE_INPUT;
    sparseBatches.restore();
  }
});
