import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dense, loadMnist, sequential, takeFirst, tensor } from '../../src/index.js';

const mnist = takeFirst(loadMnist().test, 500);
const x = tensor(mnist.images, [mnist.count, 784]);

function compiled() {
  const model = sequential([dense(16, { activation: 'relu', inputShape: [784] }), dense(10, { activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy', 'mae'] });
  return model;
}

function capture(isTTY = false): { write(text: string): boolean; text: string; isTTY: boolean } {
  return {
    text: '',
    isTTY,
    write(text: string) {
      this.text += text;
      return true;
    },
  };
}

test('model.evaluate(x, y, { verbose: 0 }) and predict(x, { verbose: 0 }) print nothing, as by default', () => {
  const model = compiled();
  const out = capture();
  const quiet = model.evaluate(x, mnist.labels, { verbose: 0, progressStream: out });
  model.predict(x, { verbose: 0, progressStream: out });
  model.evaluate(x, mnist.labels, { progressStream: out });
  assert.equal(out.text, '');
  assert.deepEqual(model.evaluate(x, mnist.labels, { verbose: 2, progressStream: capture() }), quiet);
});

test("evaluate at verbose 1 and 2 prints Keras's progress line with the loss and every metric; predict its bar", () => {
  const model = compiled();
  const two = capture();
  const result = model.evaluate(x, mnist.labels, { verbose: 2, batchSize: 100, progressStream: two });
  assert.match(two.text, /^5\/5 - \d+s \d+(us|ms)\/step - loss: (\d\.\d{4}) - accuracy: (\d\.\d{4}) - mae: (\d\.\d{4})\n$/);
  assert.ok(two.text.includes(`loss: ${result.loss.toFixed(4)} - accuracy: ${result.accuracy.toFixed(4)} - mae: ${result.mae!.toFixed(4)}`));
  const one = capture(true);
  model.evaluate(x, mnist.labels, { verbose: 1, batchSize: 100, progressStream: one });
  // On a terminal a long pass redraws the bar in place; however fast, it ends with the full bar.
  assert.match(one.text, /5\/5 \[={30}\] - \d+s \d+(us|ms)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - mae: \d\.\d{4}(\x1b\[K)?\n$/);
  const predicted = capture();
  model.predict(x, { verbose: 1, batch_size: 64, progressStream: predicted });
  assert.match(predicted.text, /^8\/8 \[={30}\] - \d+s \d+(us|ms)\/step\n$/);
  assert.throws(() => model.predict(x, { verbose: 3 as never }), /^Error: predict\(\): verbose must be 0, 1 or 2; got 3\.$/);
});
