import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dense, dropout, flatten, sequential } from '../../src/index.js';

function mlp(hidden: number[], dropoutRate = 0, inputShape: number[] = [784]) {
  const layers = [];
  hidden.forEach((units, index) => {
    layers.push(dense({ units, activation: 'relu', ...(index === 0 ? { inputShape } : {}) }));
    if (dropoutRate > 0) layers.push(dropout({ rate: dropoutRate }));
  });
  layers.push(dense({ units: 10, activation: 'softmax' }));
  return sequential(layers, { seed: 1 });
}

// Keras's own counts for the seed notebooks' models.
const seedModels: [string, () => ReturnType<typeof sequential>, number][] = [
  ['000 50-50', () => mlp([50, 50]), 42_310],
  ['000 75-75-75-75', () => mlp([75, 75, 75, 75]), 76_735],
  [
    '001 256-d0.2-128 on 28×28',
    () => sequential([flatten({ inputShape: [28, 28] }), dense({ units: 256, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 128, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })]),
    235_146,
  ],
  ['002 50-25', () => mlp([50, 25]), 40_785],
  ['002 512-d0.2-512-d0.2', () => mlp([512, 512], 0.2), 669_706],
  ['003 32', () => mlp([32]), 25_450],
  ['003 32-16', () => mlp([32, 16]), 25_818],
  ['003 512', () => mlp([512]), 407_050],
  ['003 256', () => mlp([256]), 203_530],
  ['003 512-256', () => mlp([512, 256]), 535_818],
];

for (const [name, build, expected] of seedModels) {
  test(`summary of seed model ${name} counts ${expected.toLocaleString('en-US')} parameters`, () => {
    const model = build();
    assert.equal(model.countParams(), expected);
    assert.match(model.summaryText(), new RegExp(`Total params: ${expected.toLocaleString('en-US')} `));
  });
}

test('summary prints Keras layer names, types and output shapes', () => {
  const model = sequential([flatten({ inputShape: [28, 28] }), dense({ units: 256, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })]);
  const text = model.summaryText();
  assert.match(text, /^Model: "sequential"/);
  assert.match(text, /│ flatten \(Flatten\) +│ \(None, 784\) +│ +0 │/);
  assert.match(text, /│ dense \(Dense\) +│ \(None, 256\) +│ +200,960 │/);
  assert.match(text, /│ dropout \(Dropout\) +│ \(None, 256\) +│ +0 │/);
  assert.match(text, /│ dense_1 \(Dense\) +│ \(None, 10\) +│ +2,570 │/);
});
