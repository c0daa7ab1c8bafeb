import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceEngine } from '../../src/engine/reference.js';
import type { Weight } from '../../src/layers/layer.js';
import { adam, createOptimizer, rmsprop, sgd, type Optimizer } from '../../src/optimizers/index.js';

const engine = new ReferenceEngine();

/** Applies the optimizer to one weight starting at 1 with gradients 0.5 then -0.25. */
function twoSteps(optimizer: Optimizer): number[] {
  const weight: Weight = { name: 'w', shape: [1], values: Float32Array.of(1), gradient: new Float32Array(1) };
  optimizer.build([weight]);
  const seen: number[] = [];
  for (const gradient of [0.5, -0.25]) {
    weight.gradient[0] = gradient;
    optimizer.apply(engine, [weight]);
    seen.push(weight.values[0]!);
  }
  return seen;
}

// Expected values worked out by hand (in float64) from Keras's update formulas with its defaults.
const cases: [string, Optimizer, number[]][] = [
  // lr_t = 0.001·√(1-0.999^t)/(1-0.9^t); m += (g-m)·0.1; v += (g²-v)·0.001; w -= lr_t·m/(√v+1e-7)
  ['adam', adam(), [0.9990000063245154, 0.9987336707920792]],
  // ms = 0.9·ms + 0.1·g²; w -= 0.001·g/√(ms+1e-7)
  ['rmsprop', rmsprop(), [0.9968377286643679, 0.9983121456617157]],
  // with momentum 0.5: mom = 0.5·mom + increment; w -= mom
  ['rmsprop momentum', rmsprop({ momentum: 0.5 }), [0.9968377286643679, 0.9967310099938996]],
  // w -= 0.01·g
  ['sgd', sgd(), [0.995, 0.9975]],
  // v = 0.9·v - 0.01·g; w += v
  ['sgd momentum', sgd({ momentum: 0.9 }), [0.995, 0.993]],
  // w += 0.9·v - 0.01·g
  ['sgd nesterov', sgd({ momentum: 0.9, nesterov: true }), [0.9905, 0.9912]],
];

for (const [name, optimizer, expected] of cases) {
  test(`${name} follows Keras's update formula`, () => {
    const seen = twoSteps(optimizer);
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(seen[i]! - expected[i]!) < 1e-6, `step ${i + 1}: ${seen[i]} vs ${expected[i]}`);
  });
}

test('defaults are Keras defaults', () => {
  assert.deepEqual(adam().getConfig(), { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  assert.deepEqual(rmsprop().getConfig(), { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 });
  assert.deepEqual(sgd().getConfig(), { learningRate: 0.01, momentum: 0, nesterov: false });
});

test('bad optimizer settings are refused with one sentence', () => {
  assert.throws(() => adam({ learningRate: 0 }), /adam\(\): learningRate must be a positive number; got 0\./);
  assert.throws(() => adam({ learningRate: -1 }), /learningRate must be a positive number; got -1/);
  assert.throws(() => sgd({ momentum: 1 }), /momentum must be in \[0, 1\); got 1/);
  assert.throws(() => createOptimizer('ftrl'), /Unknown optimizer "ftrl": allowed are adam, adamw, nadam, adamax, adagrad, lion, rmsprop, sgd\./);
});

test('the learning rate can be changed between updates, as optimizer.learning_rate in Keras', () => {
  const optimizer = sgd({ learningRate: 0.1 });
  const halved = sgd({ learningRate: 0.05 });
  optimizer.learningRate = 0.05;
  assert.equal(optimizer.learningRate, 0.05);
  assert.deepEqual(twoSteps(optimizer), twoSteps(halved));
  assert.throws(() => {
    optimizer.learningRate = 0;
  }, { message: 'sgd(): learningRate must be a positive number; got 0.' });
  assert.equal(optimizer.learningRate, 0.05);
});
