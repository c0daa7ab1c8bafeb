import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBenchmark, formatBenchmarkMarkdown, type BenchmarkResult } from '../../src/bench/run.js';

function fixture(): BenchmarkResult {
  return {
    date: '2026-11-21T12:00:00.000Z',
    quick: false,
    machine: {
      cpuModel: 'Test CPU @ 2.80GHz',
      cores: 2,
      clockGhz: 2.8,
      clockSource: '/proc/cpuinfo "cpu MHz" (mean over 2 cores)',
      vectorUnit: 'avx512',
      flopsPerCycle: 64,
      peakGflops: 358.4,
      peakFormula: '2 cores × 2.80 GHz × 64 FLOP/cycle (two AVX-512 FMA units)',
      bf16PeakGflops: 716.8,
      bf16Native: true,
      simdFeatures: 'avx2 fma avx512f avx512_bf16 avx512_vnni -avx_vnni -amx_bf16 -amx_int8',
      node: 'v20.0.0',
      platform: 'linux x64',
      memoryGib: 24,
      loadAverage: 0.1,
    },
    engine: 'native (avx512, 2 threads)',
    settings: { batchSize: 128, trainCount: 60000, warmupEpochs: 1, timedEpochs: 3, tfjsSteps: 50, inferenceRepeats: 5, extrapolated: false },
    models: [
      {
        architecture: '784-50-50-10',
        notebook: '000',
        parameters: 42310,
        epochSeconds: [0.3, 0.25, 0.2],
        secondsPerEpoch: 0.25,
        bestSecondsPerEpoch: 0.2,
        stepsPerSecond: 1876,
        gflopPerEpoch: 10.5,
        gflops: 42,
        percentOfPeak: 11.7,
        predictSeconds: 0.03,
        predictOneBatchSeconds: 0.02,
        testAccuracy: 0.9634,
        maxRssBytes: 200 * 1024 * 1024,
        bf16: null,
        int8: null,
      },
    ],
    gemm: { available: false, note: 'skipped: bench/kernels.ts is not present', results: [] },
    timeToAccuracy: { available: false, note: 'skipped in --quick', target: 0.98, seconds: null, wallSeconds: null, epochs: null, accuracy: null, startupSeconds: null },
    peers: [
      {
        name: 'pytorch',
        label: 'PyTorch 1.13.0',
        shortLabel: 'PyTorch',
        available: true,
        error: null,
        installHint: 'apt-get install python3-torch',
        command: 'python3 bench/peers/pytorch_mlp.py',
        warnings: [],
        details: {},
        models: [
          {
            architecture: '784-50-50-10',
            parameters: 42310,
            trainCount: 60000,
            stepsPerEpoch: 469,
            epochSeconds: [0.5],
            medianEpochSeconds: 0.5,
            inferenceSeconds: 0.01,
            testAccuracy: 0.95,
          },
        ],
      },
      {
        name: 'tfjs-wasm',
        label: 'TensorFlow.js (wasm)',
        shortLabel: 'TF.js wasm',
        available: false,
        error: 'TensorFlow.js was not found',
        installHint: 'npm i --no-save @tensorflow/tfjs @tensorflow/tfjs-backend-wasm',
        command: '',
        warnings: [],
        details: {},
        models: [],
      },
    ],
    comparisons: [
      {
        architecture: '784-50-50-10',
        peer: 'pytorch',
        digitnetSecondsPerEpoch: 0.25,
        peerSecondsPerEpoch: 0.5,
        trainingRatio: 0.5,
        peerExtrapolated: false,
        digitnetPredictSeconds: 0.02,
        peerPredictSeconds: 0.01,
        predictRatio: 2,
      },
    ],
    peakRssBytes: 200 * 1024 * 1024,
    notes: [],
  };
}

test('the text report shows the machine, the figures, the ratios and how to install a missing peer', () => {
  const text = formatBenchmark(fixture());
  assert.match(text, /peak: +358\.4 GFLOP\/s fp32 = 2 cores × 2\.80 GHz × 64 FLOP\/cycle/);
  assert.match(text, /784-50-50-10 +000 +42,310 +0\.250 +0\.200 +1876/);
  assert.match(text, /784-50-50-10 +0\.250 +0\.500 +0\.500×/);
  assert.match(text, /TensorFlow\.js \(wasm\): not run — TensorFlow\.js was not found\n {4}install: npm i --no-save/);
  assert.match(text, /peak RSS: 200 MiB/);
  assert.match(text, /skipped: bench\/kernels\.ts is not present/);
});

test('the Markdown report has a row per model and the peer ratio', () => {
  const markdown = formatBenchmarkMarkdown(fixture());
  assert.match(markdown, /\| 784-50-50-10 \| 000 \| 42,310 \| 0\.250 \| 0\.200 \| 1876 \| 10\.5 \| 42\.0 \| 11\.7% \|/);
  assert.match(markdown, /\| 784-50-50-10 \| 0\.250 \| 0\.500 \| 0\.500× \|/);
});

test('with bf16 and int8 figures, both reports show them beside fp32 and the peer table gets a bf16 row', () => {
  const result = fixture();
  const model = result.models[0]!;
  model.bf16 = {
    epochSeconds: [0.2],
    secondsPerEpoch: 0.2,
    bestSecondsPerEpoch: 0.19,
    gflops: 52.5,
    percentOfPeak: 7.3,
    speedup: 1.25,
    testAccuracy: 0.9641,
    ranOn: 'avx512_bf16',
  };
  model.int8 = { int8Seconds: 0.01, fp32Seconds: 0.02, speedup: 2, int8TestAccuracy: 0.963, fp32TestAccuracy: 0.9634, ranOn: 'vnni' };
  const text = formatBenchmark(result);
  assert.match(text, /716\.8 GFLOP\/s bf16 \(vdpbf16ps, twice fp32\)/);
  assert.match(text, /784-50-50-10 +0\.250 +0\.200 +1\.25× +11\.7% +7\.3% +96\.34% +96\.41% +0\.0200 s +0\.0100 s +2\.00× +96\.30% +bf16 avx512_bf16, int8 vnni/);
  assert.match(text, /784-50-50-10 fp32 +0\.250 +0\.500 +0\.500×\n784-50-50-10 bf16 +0\.200 +0\.500 +0\.400×/);
  assert.match(text, /784-50-50-10 int8 +0\.0100 +0\.0100 +1\.00×/);
  const markdown = formatBenchmarkMarkdown(result);
  assert.match(markdown, /\| 784-50-50-10 bf16 \| 0\.200 \| 0\.500 \| 0\.400× \|/);
  assert.match(markdown, /\| 784-50-50-10 int8 \| 0\.0100 \| 0\.0100 \| 1\.00× \|/);
});
