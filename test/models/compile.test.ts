import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dense, loadMnist, sequential, takeFirst, tensor, type CompileOptions, type DenseOptions, type Sequential } from '../../src/index.js';

const mnist = takeFirst(loadMnist().train, 300);
const x = tensor(mnist.images, [mnist.count, 784]);

function model(compile: CompileOptions, initializers: Pick<DenseOptions, 'kernelInitializer' | 'biasInitializer'>): Sequential {
  const built = sequential([dense({ units: 16, activation: 'relu', inputShape: [784], ...initializers }), dense({ units: 10, activation: 'softmax' })], {
    seed: 3,
  });
  built.compile(compile);
  return built;
}

// The spellings below are type-checked by `npm test` (tsc over test/), so a Keras user's
// compile() call from Python compiles unchanged, and a name Keras does not have does not.
test("Keras's Python spellings compile and train exactly as the TypeScript ones", async () => {
  const keras = model({ optimizer: 'RMSprop', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] }, { kernelInitializer: 'he_normal', biasInitializer: 'zeros' });
  const typescript = model({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }, { kernelInitializer: 'heNormal', biasInitializer: 'zeros' });
  // model.loss keeps the spelling given, as Keras's; training computes with the canonical name.
  assert.equal(keras.loss, 'sparse_categorical_crossentropy');
  assert.equal(keras.lossName, 'sparseCategoricalCrossentropy');
  assert.equal(keras.optimizer?.name, 'rmsprop');
  const options = { epochs: 2, batchSize: 32, seed: 5, verbose: 0 } as const;
  const kerasHistory = await keras.fit(x, mnist.labels, options);
  const typescriptHistory = await typescript.fit(x, mnist.labels, options);
  assert.deepEqual(kerasHistory.history, typescriptHistory.history);
  assert.deepEqual(keras.getWeights(), typescript.getWeights());
});

test('mse and the other optimizers spelled as Keras classes compile', () => {
  assert.equal(model({ optimizer: 'Adam', loss: 'mse' }, {}).lossName, 'meanSquaredError');
  assert.equal(model({ optimizer: 'SGD', loss: 'mean_squared_error' }, {}).optimizer?.name, 'sgd');
  assert.equal(model({ optimizer: 'adam', loss: 'categorical_crossentropy' }, { kernelInitializer: 'glorot_uniform' }).lossName, 'categoricalCrossentropy');
});

test('names neither spelling has are refused by the types and at run time', () => {
  // @ts-expect-error: hinge is not a loss digitnet has.
  assert.throws(() => model({ optimizer: 'adam', loss: 'hinge' }, {}), /Unknown loss "hinge": allowed are categoricalCrossentropy/);
  // @ts-expect-error: AdamW is not an optimizer digitnet has.
  assert.throws(() => model({ optimizer: 'AdamW', loss: 'mse' }, {}), /Unknown optimizer "AdamW": allowed are adam, rmsprop, sgd\./);
  // @ts-expect-error: lecun_normal is not an initializer digitnet has.
  assert.throws(() => model({ optimizer: 'adam', loss: 'mse' }, { kernelInitializer: 'lecun_normal' }), /Unknown kernelInitializer "lecun_normal"/);
});
