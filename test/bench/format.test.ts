import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countParameters,
  formatRatio,
  formatSeconds,
  formatTable,
  inferenceFlopsPerSample,
  median,
  parseArchitecture,
  parsePeerOutput,
  SEED_ARCHITECTURES,
  trainingFlopsPerSample,
  trainingGemmShapes,
} from '../../src/bench/format.js';
import { clockFromModelName, parseCpuinfo } from '../../src/bench/machine.js';

test('parseArchitecture reads widths and dropout rates', () => {
  const architecture = parseArchitecture('784-256-d0.2-128-10');
  assert.equal(architecture.inputs, 784);
  assert.deepEqual(architecture.layers, [
    { kind: 'dense', units: 256 },
    { kind: 'dropout', rate: 0.2 },
    { kind: 'dense', units: 128 },
    { kind: 'dense', units: 10 },
  ]);
});

test('parseArchitecture rejects malformed strings with a sentence naming the value', () => {
  for (const text of ['784', 'x-10', '784-d0.2-10', '784-512-d0.2', '784-512-d2-10', '784-0-10']) {
    assert.throws(() => parseArchitecture(text), new RegExp(`Architecture "${text}" is invalid`));
  }
});

test('the seed architectures have the notebooks\' parameter counts', () => {
  const counts = SEED_ARCHITECTURES.map((seed) => countParameters(parseArchitecture(seed.architecture)));
  assert.deepEqual(counts, [669_706, 235_146, 42_310]);
});

test('training FLOPs: forward and weight gradients everywhere, input gradients after the first layer', () => {
  // One epoch of 784-512-512-10 is the issue's ≈193 GFLOP.
  const perSample = trainingFlopsPerSample(parseArchitecture('784-512-d0.2-512-d0.2-10'));
  assert.equal(perSample, 2 * (784 * 512 * 2 + 512 * 512 * 3 + 512 * 10 * 3));
  assert.equal(Math.round((perSample * 60_000) / 1e9), 193);
  assert.equal(inferenceFlopsPerSample(parseArchitecture('784-50-10')), 2 * (784 * 50 + 50 * 10));
});

test('trainingGemmShapes lists each product once in bench/kernels.ts\'s convention', () => {
  const shapes = trainingGemmShapes([parseArchitecture('784-50-50-10'), parseArchitecture('784-50-10')], 128);
  assert.deepEqual(shapes, [
    { layout: 'forward', m: 128, k: 784, n: 50 },
    { layout: 'weightGradient', m: 128, k: 784, n: 50 },
    { layout: 'forward', m: 128, k: 50, n: 50 },
    { layout: 'inputGradient', m: 128, k: 50, n: 50 },
    { layout: 'weightGradient', m: 128, k: 50, n: 50 },
    { layout: 'forward', m: 128, k: 50, n: 10 },
    { layout: 'inputGradient', m: 128, k: 50, n: 10 },
    { layout: 'weightGradient', m: 128, k: 50, n: 10 },
  ]);
});

test('median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /at least one value/);
});

test('parsePeerOutput takes the last JSON line and keeps extra fields as details', () => {
  const stdout = [
    'some warning from a library',
    JSON.stringify({
      available: true,
      peer: 'pytorch',
      version: '1.13.0',
      blas: { library: 'openblas' },
      models: [
        {
          architecture: '784-50-50-10',
          parameters: 42310,
          trainCount: 60000,
          stepsPerEpoch: 469,
          epochSeconds: [0.5, 0.4, 0.45],
          medianEpochSeconds: 0.45,
          inferenceSeconds: 0.01,
          testAccuracy: 0.95,
        },
      ],
    }),
    '',
  ].join('\n');
  const run = parsePeerOutput(stdout);
  assert.equal(run.available, true);
  if (!run.available) return;
  assert.equal(run.version, '1.13.0');
  assert.deepEqual(run.details, { blas: { library: 'openblas' } });
  assert.equal(run.models[0]!.medianEpochSeconds, 0.45);
});

test('parsePeerOutput reports a missing peer, garbage and silence as unavailable', () => {
  assert.deepEqual(parsePeerOutput('{"available": false, "error": "no torch"}\n'), { available: false, error: 'no torch' });
  const garbage = parsePeerOutput('{"available": true}\n');
  assert.equal(garbage.available, false);
  assert.match(!garbage.available ? garbage.error : '', /unexpected output/);
  const silent = parsePeerOutput('');
  assert.match(!silent.available ? silent.error : '', /printed nothing/);
  const traceback = parsePeerOutput('Traceback (most recent call last):\n  boom');
  assert.match(!traceback.available ? traceback.error : '', /no JSON result: Traceback/);
});

test('formatTable aligns the first column left and figures right', () => {
  const table = formatTable(['model', 's/epoch'], [['784-50-50-10', '0.44'], ['784-512-d0.2-512-d0.2-10', '12.3']]);
  assert.equal(
    table,
    [
      'model                     s/epoch',
      '------------------------  -------',
      '784-50-50-10                 0.44',
      '784-512-d0.2-512-d0.2-10     12.3',
    ].join('\n'),
  );
});

test('number formatting', () => {
  assert.equal(formatSeconds(61.234), '61.2');
  assert.equal(formatSeconds(2.876), '2.88');
  assert.equal(formatSeconds(0.4431), '0.443');
  assert.equal(formatSeconds(0.01234), '0.0123');
  assert.equal(formatSeconds(null), '—');
  assert.equal(formatRatio(1, 4), '0.250×');
  assert.equal(formatRatio(3, 2), '1.50×');
  assert.equal(formatRatio(1, 0), '—');
});

test('the clock is read from /proc/cpuinfo or the model name', () => {
  const cpuinfo = parseCpuinfo(
    ['processor\t: 0', 'model name\t: Intel(R) Xeon(R) Processor @ 2.80GHz', 'cpu MHz\t\t: 2793.438', 'flags\t\t: fpu avx2 fma avx512f', '', 'processor\t: 1', 'cpu MHz\t\t: 2793.562'].join('\n'),
  );
  assert.equal(cpuinfo.model, 'Intel(R) Xeon(R) Processor @ 2.80GHz');
  assert.deepEqual(cpuinfo.mhz, [2793.438, 2793.562]);
  assert.ok(cpuinfo.flags.has('avx512f'));
  assert.equal(clockFromModelName('Intel(R) Xeon(R) Processor @ 2.80GHz'), 2.8);
  assert.equal(clockFromModelName('AMD EPYC 7B13'), null);
});
