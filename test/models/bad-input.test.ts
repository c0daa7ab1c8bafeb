import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adam, dense, dropout, findPreset, flatten, sequential, tensor } from '../../src/index.js';

function compiled(inputShape: number[] = [784]) {
  const layers = inputShape.length > 1 ? [flatten({ inputShape }), dense({ units: 10, activation: 'softmax' })] : [dense({ units: 10, activation: 'softmax', inputShape })];
  const model = sequential(layers, { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const images = new Uint8Array(4 * 784);
const labels = Uint8Array.of(0, 1, 2, 3);

test('x and y of different lengths', async () => {
  await assert.rejects(compiled().fit(tensor(images, [4, 784]), labels.subarray(0, 3), { verbose: 0 }), {
    message: 'x has 4 samples but y has 3: they must have the same length.',
  });
});

test('784 features where the model wants 28×28, and the reverse', async () => {
  await assert.rejects(compiled([28, 28]).fit(tensor(images, [4, 784]), labels, { verbose: 0 }), {
    message: 'x has samples of shape [784] but the model takes [28, 28]: reshape them with tensor(x.data, [4, 28, 28]).',
  });
  await assert.rejects(compiled().fit(tensor(images, [4, 28, 28]), labels, { verbose: 0 }), /x has samples of shape \[28, 28\] but the model takes \[784\]: flatten the samples/);
});

test('labels outside the classes', async () => {
  await assert.rejects(compiled().fit(tensor(images, [4, 784]), Uint8Array.of(0, 1, 12, 3), { verbose: 0 }), {
    message: "y[2] is 12, outside the model's classes 0..9.",
  });
});

test('NaN or Inf in the input', async () => {
  const values = new Float32Array(4 * 784);
  values[784 + 5] = Number.NaN;
  await assert.rejects(compiled().fit(tensor(values, [4, 784]), labels, { verbose: 0 }), {
    message: 'x holds NaN at sample 1, value 5: inputs must be finite numbers.',
  });
  values[784 + 5] = Number.POSITIVE_INFINITY;
  assert.throws(() => compiled().evaluate(tensor(values, [4, 784]), labels), /x holds Infinity at sample 1/);
});

test('dropout rate outside [0, 1)', () => {
  assert.throws(() => dropout({ rate: 1 }), { message: 'dropout(): rate must be in [0, 1); got 1.' });
  assert.throws(() => dropout({ rate: -0.1 }), { message: 'dropout(): rate must be in [0, 1); got -0.1.' });
});

test('learning rate, batch size and epochs must be positive', async () => {
  assert.throws(() => adam({ learningRate: -0.1 }), { message: 'adam(): learningRate must be a positive number; got -0.1.' });
  const model = compiled();
  const x = tensor(images, [4, 784]);
  await assert.rejects(model.fit(x, labels, { batchSize: 0, verbose: 0 }), { message: 'fit(): batchSize must be a positive integer; got 0.' });
  await assert.rejects(model.fit(x, labels, { epochs: 2.5, verbose: 0 }), { message: 'fit(): epochs must be a positive integer; got 2.5.' });
  await assert.rejects(model.fit(x, labels, { epochs: -1, verbose: 0 }), { message: 'fit(): epochs must be a positive integer; got -1.' });
});

test('unknown optimizer, loss, activation, layer option and preset', () => {
  const model = compiled();
  assert.throws(() => model.compile({ optimizer: 'ftrl' as 'adam', loss: 'sparseCategoricalCrossentropy' }), {
    message: 'Unknown optimizer "ftrl": allowed are adam, adamw, nadam, adamax, adagrad, lion, rmsprop, sgd.',
  });
  assert.throws(() => model.compile({ optimizer: 'adam', loss: 'hinge' as 'meanSquaredError' }), {
    message: 'Unknown loss "hinge": allowed are categoricalCrossentropy, sparseCategoricalCrossentropy, meanSquaredError.',
  });
  assert.throws(() => dense({ units: 3, activation: 'relu6' as 'relu' }), { message: 'Unknown activation "relu6": allowed are relu, sigmoid, tanh, softmax, linear, gelu, elu, selu, leaky_relu, silu, softplus, softsign, hard_sigmoid, mish, leakyRelu, swish, hardSigmoid.' });
  assert.throws(() => dense({ units: 0 }), { message: 'dense(): units must be a positive integer; got 0.' });
  assert.throws(() => dense({ units: 3, unit: 4 } as never), /dense\(\): unknown option "unit"; allowed are units, activation/);
  assert.throws(() => findPreset('resnet'), /Unknown preset "resnet": allowed are mlp-50-50-train20, /);
  // A typo gets the nearest name; case does not matter.
  assert.throws(() => findPreset('mlp-256-droput-128'), /^Error: Unknown preset "mlp-256-droput-128" \(did you mean mlp-256-dropout-128\?\): allowed are /);
  assert.equal(findPreset('MLP-50-50').name, 'mlp-50-50');
});

test('losses that need softmax or one-hot targets say so', async () => {
  const linear = sequential([dense({ units: 10, inputShape: [784] })]);
  assert.throws(() => linear.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' }), {
    message: `categoricalCrossentropy needs class probabilities: end the model with activation 'softmax' (its last layer "dense" ends with 'linear'), or give the loss fromLogits for a 'linear' end.`,
  });
  const model = sequential([dense({ units: 10, activation: 'softmax', inputShape: [784] })]);
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await assert.rejects(model.fit(tensor(images, [4, 784]), labels, { verbose: 0 }), /takes one-hot targets of shape \[n, 10\] but y holds class labels: use toCategorical\(y\)/);
});

test('fit before compile, and a validation split that leaves nothing', async () => {
  const model = sequential([dense({ units: 10, activation: 'softmax', inputShape: [784] })]);
  await assert.rejects(model.fit(tensor(images, [4, 784]), labels), /is not compiled: call compile/);
  await assert.rejects(compiled().fit(tensor(images, [4, 784]), labels, { validationSplit: 0.9, verbose: 0 }), /A validation split of 0.9 of 4 samples leaves no training or no validation samples/);
});

test('a refused compile() or add() leaves the model as it was', () => {
  const model = sequential([dense({ units: 10, activation: 'relu', inputShape: [4] })]);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  assert.throws(() => model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }), /needs class probabilities/);
  assert.equal(model.loss, 'meanSquaredError');
  assert.equal(model.optimizer!.name, 'sgd');
  assert.deepEqual(model.metrics, []);

  const stack = sequential([dropout({ rate: 0.1, inputShape: [28, 28] })]);
  assert.throws(() => stack.add(dense({ units: 4 })), /needs a flat input but receives shape \[28, 28\]: put flatten\(\) before it/);
  assert.deepEqual(stack.layers.map((layer) => layer.name), ['dropout']);
  stack.add(flatten()).add(dense({ units: 4 }));
  assert.deepEqual(stack.outputShape, [4]);
  assert.deepEqual(stack.layers.map((layer) => layer.name), ['dropout', 'flatten', 'dense']);
});

test('a second fit() while one runs is refused; the first is unaffected', async () => {
  const model = compiled();
  const first = model.fit(tensor(images, [4, 784]), labels, { epochs: 2, verbose: 0 });
  await assert.rejects(model.fit(tensor(images, [4, 784]), labels, { verbose: 0 }), /fit\(\) is already running on model "sequential": await it before calling fit\(\) again\./);
  assert.equal((await first).epoch.length, 2);
  await model.fit(tensor(images, [4, 784]), labels, { verbose: 0 });
});

test('validationData of different lengths names validationData x, and a model without layers says so', async () => {
  const model = compiled();
  await assert.rejects(
    model.fit(tensor(images, [4, 784]), labels, { validationData: [tensor(images, [4, 784]), Uint8Array.of(0, 1)], verbose: 0 }),
    { message: 'validationData x has 4 samples but validationData y has 2: they must have the same length.' },
  );
  const empty = sequential();
  empty.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await assert.rejects(empty.fit(tensor(images, [4, 784]), labels), /Model "sequential" has no layers: add them first/);
});
