import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMlp } from '../../src/models/presets.js';
import { BatchNormalization } from '../../src/layers/index.js';
import { hiddenLayersLabel } from '../../src/experiments/configs.js';
import { resolveTrainConfig } from '../../src/cli/commands/train.js';

test('a hidden layer with batchNormalization is Dense without bias, BatchNormalization, then the activation', () => {
  const model = buildMlp([{ units: 6, batchNormalization: true, dropout: 0.1 }, { units: 4 }], { inputShape: [784], seed: 1 });
  assert.deepEqual(
    model.layers.map((layer) => layer.className),
    ['Dense', 'BatchNormalization', 'Activation', 'Dropout', 'Dense', 'Dense'],
  );
  const first = model.layers[0]!.getConfig();
  assert.equal(first.useBias, false);
  assert.equal(first.activation, 'linear');
  assert.ok(model.layers[1] instanceof BatchNormalization);
  // 784·6 kernel, no bias; gamma, beta and the two moving statistics of 6.
  assert.equal(model.countParams(), 784 * 6 + 4 * 6 + (6 * 4 + 4) + (4 * 10 + 10));
  assert.equal(hiddenLayersLabel([{ units: 800, batchNormalization: true, dropout: 0.2 }, { units: 10 }]), '800-bn-d0.2-10');
});

test('--layers keeps the batch normalization and dropout of the preset layer in its place', () => {
  const config = resolveTrainConfig({ preset: 'mlp-augmented', layers: '64,32,16' });
  const preset = resolveTrainConfig({ preset: 'mlp-augmented' }).hidden;
  assert.deepEqual(config.hidden.map((layer) => layer.batchNormalization ?? false), [preset[0]!.batchNormalization ?? false, preset[1]!.batchNormalization ?? false, false]);
  assert.equal(config.hidden[2]!.dropout, undefined);
});
