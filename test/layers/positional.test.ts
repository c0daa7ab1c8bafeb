import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activation, Activation, Dense, dense, dropout, Dropout, flatten, sequential } from '../../src/index.js';

test("dense(512, { activation: 'relu' }), dropout(0.2) and activation('relu'): Keras's positional shorthand beside the options object", () => {
  assert.deepEqual(dense(512, { activation: 'relu', inputShape: [784] }).getConfig(), dense({ units: 512, activation: 'relu', inputShape: [784] }).getConfig());
  assert.equal(dense(10).units, 10);
  assert.equal(new Dense(64, { use_bias: false }).useBias, false);
  assert.equal(dropout(0.2).rate, 0.2);
  assert.equal(new Dropout(0.5, { name: 'drop' }).name, 'drop');
  assert.equal(activation('relu').activation, 'relu');
  assert.equal(new Activation('softmax').activation, 'softmax');
  const model = sequential([flatten({ inputShape: [28, 28] }), dense(256, { activation: 'relu' }), dropout(0.2), dense(10), activation('softmax')]);
  assert.equal(model.countParams(), 784 * 256 + 256 + 256 * 10 + 10);
});

test('the shorthand is checked as the options are: a bad value, the value given twice, or stray options each get one sentence', () => {
  assert.throws(() => dense(0), /^Error: dense\(\): units must be a positive integer; got 0\.$/);
  assert.throws(() => dropout(1), /^Error: dropout\(\): rate must be in \[0, 1\); got 1\.$/);
  // @ts-expect-error: units is the positional argument, not also an option.
  assert.throws(() => dense(512, { units: 256 }), /^Error: dense\(\): units is given twice, as 512 and as units: 256; give it once\.$/);
  // @ts-expect-error: the second argument is an options object.
  assert.throws(() => dense(512, 'relu'), /^Error: dense\(\): the options after units must be an object; got "relu"\.$/);
  // @ts-expect-error: an options object takes no second argument.
  assert.throws(() => dense({ units: 4 }, { activation: 'relu' }), /^Error: dense\(\): give units either first or in the options/);
  // @ts-expect-error: hinge is no activation.
  assert.throws(() => activation('hinge'), /Unknown activation "hinge"/);
});
