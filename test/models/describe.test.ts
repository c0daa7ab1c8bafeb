import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { adam, dense, dropout, rmsprop, sequential, sgd } from '../../src/index.js';

test('String(model.optimizer) and util.inspect read as the optimizer and its settings, not [object Object]', () => {
  const model = sequential([dense(10, { activation: 'softmax', inputShape: [4] })]);
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  assert.equal(String(model.optimizer), 'Adam(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7)');
  assert.match(`${rmsprop({ learning_rate: 0.01 })}`, /^RMSprop\(learningRate=0\.01, rho=0\.9, momentum=0, epsilon=1e-7/);
  assert.equal(inspect(sgd({ momentum: 0.9 })), 'SGD(learningRate=0.01, momentum=0.9, nesterov=false)');
  assert.equal(inspect(adam()), String(adam()));
});

test("model.loss keeps the name given ('sparse_categorical_crossentropy'); models and layers print readably", () => {
  const model = sequential([dense(8, { activation: 'relu', inputShape: [4] }), dropout(0.2), dense(3, { activation: 'softmax' })], { name: 'tiny' });
  assert.equal(String(model), 'Sequential "tiny": 3 layers, 67 params, not compiled');
  model.compile({ optimizer: 'Adam', loss: 'sparse_categorical_crossentropy', metrics: ['acc'] });
  assert.equal(model.loss, 'sparse_categorical_crossentropy');
  assert.equal(model.lossName, 'sparseCategoricalCrossentropy');
  assert.equal(model.getCompileConfig()!.loss, 'sparseCategoricalCrossentropy');
  assert.equal(
    String(model),
    'Sequential "tiny": 3 layers, 67 params, Adam(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7), loss "sparse_categorical_crossentropy", metrics ["acc"]',
  );
  assert.equal(String(model.layers[1]), 'Dropout(name="dropout", rate=0.2) [8] → [8]');
  assert.equal(
    inspect(model),
    [
      String(model),
      '  Dense(name="dense", inputShape=[4], units=8, activation="relu", useBias=true, kernelInitializer="glorotUniform", biasInitializer="zeros") [4] → [8]',
      '  Dropout(name="dropout", rate=0.2) [8] → [8]',
      '  Dense(name="dense_1", units=3, activation="softmax", useBias=true, kernelInitializer="glorotUniform", biasInitializer="zeros") [8] → [3]',
    ].join('\n'),
  );
  // Not yet in a model: no name and no shapes.
  assert.equal(String(dense(5)), 'Dense(units=5, activation="linear", useBias=true, kernelInitializer="glorotUniform", biasInitializer="zeros")');
});
