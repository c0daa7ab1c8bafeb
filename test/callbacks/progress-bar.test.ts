import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBar } from '../../src/index.js';

test("the live bar's ETA describes the current epoch, as Keras's: epoch 15 of 200 shows what is left of epoch 15", () => {
  let now = 0;
  const original = Object.getOwnPropertyDescriptor(performance, 'now');
  // The bar reads the clock; a fake one makes the captured line exact.
  Object.defineProperty(performance, 'now', { value: () => now, configurable: true });
  try {
    const out = { text: '', isTTY: true, write: (text: string) => ((out.text += text), true) };
    const bar = new ProgressBar(out);
    bar.setParams({ epochs: 200, steps: 100, samples: 6400, verbose: 1, metrics: ['loss'] });
    bar.onEpochBegin(14);
    now = 10_000; // 10 batches of 1 s each
    bar.onBatchEnd(9, { loss: 0.5 });
    const live = out.text.split('\r').at(-1)!;
    assert.equal(live, ` 10/100 [==>...........................] - ETA: 1:30 - loss: 0.5000\x1b[K`);
    assert.ok(out.text.startsWith('Epoch 15/200\n'));
  } finally {
    if (original) Object.defineProperty(performance, 'now', original);
    else delete (performance as { now?: unknown }).now;
  }
});
