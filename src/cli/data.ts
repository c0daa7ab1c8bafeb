/**
 * Where the commands' images come from: `--data mnist` (the bundled MNIST), a folder of
 * MNIST-style IDX files, or a Kaggle digit CSV file.
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { readDigitCsv } from '../data/csv.js';
import { loadImageFolder, loadMnist } from '../data/mnist.js';
import { tensor, type ImageSet, type Tensor } from '../data/tensor.js';
import { UsageError } from './errors.js';

export type DataSource =
  | { readonly kind: 'mnist' }
  /** All 70,000 MNIST images in OpenML order, as notebook 000 trained on. */
  | { readonly kind: 'combined' }
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'csv'; readonly path: string };

export const DATA_HELP = 'mnist (the default), a folder of MNIST-style IDX files, or a .csv file (Kaggle digit-recognizer layout)';

/** Reads a `--data` value without touching the file system. */
export function parseDataSource(value: string | undefined): DataSource {
  if (value === undefined || value.trim().toLowerCase() === 'mnist') return { kind: 'mnist' };
  if (value.trim() === '') throw new UsageError(`--data ${JSON.stringify(value)} is blank: give ${DATA_HELP}.`);
  if (/\.csv(\.gz)?$/i.test(value)) return { kind: 'csv', path: value };
  return { kind: 'folder', path: value };
}

export function describeDataSource(source: DataSource): string {
  switch (source.kind) {
    case 'mnist':
      return 'MNIST';
    case 'combined':
      return 'MNIST, all 70,000 images (OpenML mnist_784 order)';
    case 'folder':
      return `image folder ${source.path}`;
    case 'csv':
      return `CSV file ${source.path}`;
  }
}

export interface LoadedData {
  readonly name: string;
  /** The training images (for a CSV, the whole file; for 'combined', all 70,000). */
  readonly train: ImageSet;
  /** The test images, or null when the source has none (a CSV, or 'combined'). */
  readonly test: ImageSet | null;
}

export function loadData(source: DataSource): LoadedData {
  switch (source.kind) {
    case 'mnist': {
      const { train, test } = loadMnist();
      return { name: 'MNIST', train, test };
    }
    case 'combined':
      return { name: describeDataSource(source), train: loadMnist({ combined: true }).all, test: null };
    case 'folder': {
      if (!existsSync(source.path)) throw new Error(`Data ${source.path} not found: give ${DATA_HELP}.`);
      if (!statSync(source.path).isDirectory()) {
        throw new Error(`Data ${source.path} is a file but not a .csv: give ${DATA_HELP}.`);
      }
      const { train, test } = loadImageFolder(source.path);
      return { name: describeDataSource(source), train, test };
    }
    case 'csv': {
      if (!existsSync(source.path)) throw new Error(`Data file ${source.path} not found: give ${DATA_HELP}.`);
      const train = readDigitCsv(source.path);
      if (train.count === 0) throw new Error(`${basename(source.path)} holds no images.`);
      return { name: describeDataSource(source), train, test: null };
    }
  }
}

/** The set to evaluate or predict on: the test split, or a labelled CSV as a whole. */
export function loadEvaluationSet(source: DataSource): { name: string; set: ImageSet } {
  const loaded = loadData(source);
  if (loaded.test) return { name: `${loaded.name} test set`, set: loaded.test };
  return { name: loaded.name, set: loaded.train };
}

/** Images shaped as the model takes them: [n, 784] or [n, 28, 28], without copying. */
export function imagesFor(set: ImageSet, inputShape: readonly number[]): Tensor {
  const width = inputShape.reduce((product, dimension) => product * dimension, 1);
  if (width !== set.rows * set.cols) {
    throw new Error(
      `The model takes inputs of shape [${inputShape.join(', ')}] (${width} values) but the images are ${set.rows}×${set.cols} (${set.rows * set.cols} pixels).`,
    );
  }
  return tensor(set.images, [set.count, ...inputShape]);
}
