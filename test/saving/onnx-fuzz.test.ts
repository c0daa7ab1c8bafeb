import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format } from '../fuzz/formats/onnx.js';
import { runMutations } from './format-mutations.js';

test('200 mutated .onnx files (bit flips, truncations, cut and repeated spans): each loads or is refused in one sentence', async () => {
  const { loaded, refused, messages } = await runMutations(format, 200, 12);
  assert.equal(loaded + refused, 200);
  assert.ok(refused >= 100, `only ${refused} of 200 mutations were refused`);
  assert.ok(messages.size >= 10, `only ${messages.size} different refusals`);
});
