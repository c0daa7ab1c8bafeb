import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dense, globalPolicy, sequential, setGlobalPolicy, tensor } from '../../src/index.js';
import { deserializeLayer } from '../../src/layers/index.js';
import type { Engine } from '../../src/engine/engine.js';

test('setGlobalPolicy takes Keras\'s names and refuses others in one sentence', () => {
  assert.equal(globalPolicy(), 'float32');
  assert.throws(() => setGlobalPolicy('mixed_float16'), /the dtype policy "mixed_float16" is unknown; use "float32" or "mixed_bfloat16"\./);
  assert.equal(globalPolicy(), 'float32');
});

test('layers take the policy in force when they are created, or their own dtype, and keep it in their config', () => {
  setGlobalPolicy('mixed_bfloat16');
  try {
    const mixed = dense({ units: 4, inputShape: [3] });
    assert.equal(mixed.dtypePolicy, 'mixed_bfloat16');
    assert.equal(mixed.matrixPrecision, 'bfloat16');
    assert.equal(dense({ units: 4, dtype: 'float32' }).matrixPrecision, 'float32');
    const config = mixed.serialize();
    assert.equal((config.config as Record<string, unknown>).dtype, 'mixed_bfloat16');
    setGlobalPolicy('float32');
    // A saved mixed layer stays mixed when loaded under another policy.
    assert.equal((deserializeLayer(config) as ReturnType<typeof dense>).matrixPrecision, 'bfloat16');
    assert.equal('dtype' in (dense({ units: 2 }).serialize().config as Record<string, unknown>), false);
    assert.throws(() => dense({ units: 2, dtype: 'int4' as 'float32' }), /dtype policy "int4" is unknown/);
  } finally {
    setGlobalPolicy('float32');
  }
});

test('a mixed_bfloat16 model passes bfloat16 to every matrix product and float32 weights to the optimizer', async () => {
  setGlobalPolicy('mixed_bfloat16');
  let model;
  try {
    model = sequential([dense({ units: 8, activation: 'relu', inputShape: [5] }), dense({ units: 3, activation: 'softmax' })], { seed: 1 });
  } finally {
    setGlobalPolicy('float32');
  }
  const seen: string[] = [];
  const engine = model.engine;
  const spy = new Proxy(engine, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'denseForward') seen.push(`forward:${String(args[8])}`);
        if (property === 'weightGradient') seen.push(`weights:${String(args[7])}`);
        if (property === 'inputGradient') seen.push(`input:${String(args[6])}`);
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Engine;
  (model as unknown as { engineInstance: Engine }).engineInstance = spy;
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = new Float32Array(20).map((_, index) => (index % 7) / 7);
  await model.fit(tensor(x, [4, 5]), new Int32Array([0, 1, 2, 1]), { epochs: 1, batchSize: 4, verbose: 0 });
  assert.deepEqual([...new Set(seen)].sort(), ['forward:bfloat16', 'input:bfloat16', 'weights:bfloat16']);
  for (const weight of model.weights) assert.ok(weight.values instanceof Float32Array);
});
