import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adam, dense, earlyStopping, loadMnist, resolveExperiment, sequential, takeFirst, tensor } from '../src/index.js';

const mnist = takeFirst(loadMnist().train, 256);
const x = tensor(mnist.images, [mnist.count, 784]);

function compiled() {
  const model = sequential([dense({ units: 8, activation: 'relu', input_shape: [784] }), dense(10, { activation: 'softmax', kernel_initializer: 'he_normal' })], { seed: 2 });
  model.compile({ optimizer: adam({ learning_rate: 0.01, beta_1: 0.8 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

test('fit(x, y, { batch_size: 128 }): every options object takes Keras\'s snake_case names as our camelCase ones', async () => {
  const snake = compiled();
  const camel = compiled();
  assert.equal(snake.optimizer!.learningRate, 0.01);
  assert.equal(String(snake.optimizer), 'Adam(learningRate=0.01, beta1=0.8, beta2=0.999, epsilon=1e-7)');
  const stopping = earlyStopping({ monitor: 'val_loss', min_delta: 0.5, restore_best_weights: true, start_from_epoch: 1 });
  assert.equal(stopping.minDelta, 0.5);
  assert.equal(stopping.restoreBestWeights, true);
  const snakeHistory = await snake.fit(x, mnist.labels, { epochs: 2, batch_size: 128, validation_split: 0.25, initial_epoch: 0, verbose: 0, seed: 3, callbacks: [stopping] });
  const camelHistory = await camel.fit(x, mnist.labels, { epochs: 2, batchSize: 128, validationSplit: 0.25, verbose: 0, seed: 3 });
  assert.deepEqual(snakeHistory.history.loss, camelHistory.history.loss);
  assert.deepEqual(snake.evaluate(x, mnist.labels, { batch_size: 64 }), camel.evaluate(x, mnist.labels, { batchSize: 64 }));
});

test('an option given in both spellings is refused in one sentence, and an unknown snake_case name is named as given', async () => {
  const model = compiled();
  await assert.rejects(model.fit(x, mnist.labels, { batch_size: 64, batchSize: 32, verbose: 0 }), /^Error: fit\(\): batch_size and batchSize are two spellings of one option; give it once\.$/);
  assert.throws(() => dense({ units: 4, use_bias: false, useBias: true }), /^Error: dense\(\): use_bias and useBias are two spellings of one option; give it once\.$/);
  // @ts-expect-error: Keras has no such option either.
  await assert.rejects(model.fit(x, mnist.labels, { batch_sise: 64 }), /^Error: fit\(\): unknown option "batch_sise"; allowed are epochs, batchSize/);
});

test('the config files follow the same rule: a comparison run may say batch_size and learning_rate', () => {
  const run = resolveExperiment({ name: 'snake', hidden: [{ units: 16 }], optimizer: 'Adam', loss: 'categorical_crossentropy', epochs: 2, batch_size: 64, learning_rate: 0.002, early_stopping_patience: 1, validation: 'test', restore_best: true }, 'runs.json: run 1');
  assert.equal(run.batchSize, 64);
  assert.equal(run.learningRate, 0.002);
  assert.equal(run.earlyStoppingPatience, 1);
  assert.equal(run.restoreBest, true);
  const preset = resolveExperiment({ preset: 'baseline-32', batch_size: 128 }, 'runs.json: run 2');
  assert.equal(preset.batchSize, 128);
  assert.equal(preset.reported, null);
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', batch_size: 128, batchSize: 64 }, 'runs.json: run 3'), /^Error: runs\.json: run 3: batch_size and batchSize are two spellings of one option; give it once\.$/);
});
