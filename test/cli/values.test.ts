import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedList } from '../../src/cli/values.js';

test('--seeds takes a comma list or a range, and refuses anything else with one sentence', () => {
  assert.deepEqual(seedList('1,2,3', '--seeds'), [1, 2, 3]);
  assert.deepEqual(seedList(' 7 , 0 ', '--seeds'), [7, 0]);
  assert.deepEqual(seedList('1-5', '--seeds'), [1, 2, 3, 4, 5]);
  assert.deepEqual(seedList('4', '--seeds'), [4]);
  assert.throws(() => seedList('1,1', '--seeds'), /^UsageError: --seeds "1,1" lists seed 1 twice: each seed trains the same model, so give it once\.$/);
  assert.throws(() => seedList('1,,2', '--seeds'), /--seeds "1,,2" is invalid: give seeds separated by commas, e\.g\. 1,2,3, or a range, e\.g\. 1-5\./);
  assert.throws(() => seedList('5-1', '--seeds'), /--seeds "5-1" is invalid: a range of seeds goes from a lower to a higher seed/);
  assert.throws(() => seedList('1,x', '--seeds'), /--seeds "x" is invalid: the seed must be a whole number from 0 to 4294967295\./);
  assert.throws(() => seedList('-1', '--seeds'), /the seed must be a whole number/);
});
