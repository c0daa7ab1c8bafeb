import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dense, dropout, sequential, tensor } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';

function blobs(count: number, seed: number): { x: Float32Array; labels: Int32Array } {
  const random = new Random(seed);
  const x = new Float32Array(count * 20);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels[i] = label;
    for (let j = 0; j < 20; j++) x[i * 20 + j] = Math.max(0, random.uniform(-0.2, 0.6) + (j % 3 === label ? 0.6 : 0));
  }
  return { x, labels };
}

async function trainedModel() {
  const model = sequential(
    [dense({ units: 32, activation: 'relu', inputShape: [20] }), dropout({ rate: 0.1 }), dense({ units: 24, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })],
    { seed: 2 },
  );
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const { x, labels } = blobs(300, 1);
  await model.fit(tensor(x, [300, 20]), labels, { epochs: 5, batchSize: 32, verbose: 0, seed: 3 });
  return model;
}

test('predict in int8 stays close to float32, and quantize() makes int8 the default until the weights change', async () => {
  const model = await trainedModel();
  const { x, labels } = blobs(200, 4);
  const input = tensor(x, [200, 20]);
  const fp32 = model.predict(input).data;
  const int8 = model.predict(input, { precision: 'int8' }).data;
  let worst = 0;
  for (let i = 0; i < fp32.length; i++) worst = Math.max(worst, Math.abs(fp32[i]! - int8[i]!));
  assert.ok(worst > 0, 'int8 should differ from float32 somewhere');
  assert.ok(worst < 0.05, `int8 probabilities are within 0.05 of float32 (worst ${worst})`);
  // Asking for int8 without quantize() leaves the model in float32.
  assert.deepEqual(model.predict(input).data, fp32);

  model.quantize('int8');
  assert.deepEqual(model.predict(input).data, int8);
  assert.deepEqual(model.predict(input, { precision: 'float32' }).data, fp32);
  const evaluation = model.evaluate(input, labels);
  assert.ok(evaluation.int8_accuracy !== undefined, 'a quantized model reports int8 figures too');
  assert.ok(Math.abs(evaluation.int8_accuracy! - evaluation.accuracy) <= 0.02);
  assert.equal(evaluation.accuracy, model.evaluate(input, labels, { precision: 'float32' }).accuracy);

  model.setWeights(model.getWeights());
  assert.deepEqual(model.predict(input).data, fp32, 'setWeights drops the int8 copies');
  assert.equal(model.evaluate(input, labels).int8_accuracy, undefined);
  assert.ok(model.evaluate(input, labels, { precision: 'int8' }).int8_accuracy !== undefined);
});

test('quantize and precision refuse unknown modes in one sentence', async () => {
  const model = await trainedModel();
  assert.throws(() => model.quantize('int4' as 'int8'), /quantize\(\): the mode "int4" is unknown; use "int8"\./);
  assert.throws(() => model.predict(tensor(new Float32Array(20), [1, 20]), { precision: 'bf16' as 'int8' }), /predict\(\): precision must be one of "float32", "int8"; got "bf16"/);
});
