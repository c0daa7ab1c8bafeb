import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedRunsError } from '../../src/cli/commands/compare.js';
import { CliError } from '../../src/cli/errors.js';

test('compare exits 1 when any run failed, naming the first failure', () => {
  assert.equal(failedRunsError([{ name: 'a', hiddenLayers: '16' }]), undefined);
  const error = failedRunsError([
    { name: 'a', hiddenLayers: '16' },
    { name: 'b', hiddenLayers: '?', error: 'There is not enough memory for what was asked.' },
    { name: 'c', hiddenLayers: '?', error: 'seed 2: boom.' },
  ]);
  assert.ok(error instanceof CliError);
  assert.equal(error.exitCode, 1);
  assert.equal(error.message, '2 of 3 runs failed; the others\' rows are kept. Run "b" (and 1 more): There is not enough memory for what was asked.');
});
