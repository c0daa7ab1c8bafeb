import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/random/rng.js';
import { classifyError, formatFiles, formatSummaries, fuzzFormat, mutate } from './harness.js';

// `npm run fuzz` runs 2,000 per format; the suite keeps to 200 so that it stays quick.
const TRIES = 200;

test('mutations are deterministic for a seed and change the bytes', () => {
  const bytes = new TextEncoder().encode('{"a":[1,2,3],"b":"text"} and more bytes after it');
  const first = Array.from({ length: 50 }, (_, index) => mutate(bytes, new Random(index)));
  const again = Array.from({ length: 50 }, (_, index) => mutate(bytes, new Random(index)));
  assert.deepEqual(first, again);
  assert.ok(first.filter((mutant) => Buffer.compare(Buffer.from(mutant.bytes), Buffer.from(bytes)) !== 0).length >= 45);
  assert.deepEqual(new Set(first.map((mutant) => mutant.kind)), new Set(['bit flips', 'truncation', 'byte insert', 'field edit', 'huge length']));
});

test('only an Error of one plain sentence counts as a refusal', () => {
  assert.equal(classifyError(new Error('m.safetensors is not a valid model file: it is 3 bytes long.')).outcome, 'refused');
  assert.equal(classifyError(new RangeError('Invalid typed array length: 784000000000')).outcome, 'crashed');
  assert.equal(classifyError(new TypeError("Cannot read properties of undefined (reading 'x')")).outcome, 'crashed');
  assert.equal(classifyError(new Error("ELOOP: too many symbolic links encountered, open 'x'")).outcome, 'crashed');
  assert.equal(classifyError(new Error('two\nlines.')).outcome, 'crashed');
  assert.equal(classifyError('a string').outcome, 'crashed');
});

for (const file of formatFiles()) {
  test(`fuzzing ${file.replace(/^.*[/\\]/, '')}: ${TRIES} mutants each load or are refused in one sentence, none crashes or hangs`, async (t) => {
    const summary = await fuzzFormat(file, { tries: TRIES, seed: 42 });
    t.diagnostic(formatSummaries([summary]).split('\n').at(-1)!);
    assert.equal(summary.tries, TRIES);
    assert.deepEqual(summary.failures, []);
    assert.equal(summary.refused + summary.accepted, TRIES);
    assert.ok(summary.refused > 0, 'some mutants are refused');
    // Files of a few hundred KB at most: a loader that allocated by what a header claims would
    // pass this by gigabytes (the worker alone, Node and tsx, is about 80 MB).
    assert.ok(summary.peakRssBytes < 512 * 2 ** 20, `peak memory ${(summary.peakRssBytes / 2 ** 20).toFixed(0)} MB`);
  });
}
